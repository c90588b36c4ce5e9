"""Whether the matcher recognises a question as the hotline's business: some article it
may show scores at least as high as its "none of these" class."""

from __future__ import annotations

import math
from datetime import date

from seci.retrieval.coverage import CoverageIndex
from seci.retrieval.documents import Facts
from seci.retrieval.engine import NONE_OF_THESE, Candidates
from seci.retrieval.index import Filters

DAY = date(2026, 12, 7)


def _facts(article_id: int, audience: str = "customer") -> Facts:
    return Facts(article_id=article_id, version_id=article_id, code=f"K{article_id}",
                 title="t", module_path="/1/", queue_ids=frozenset({1}), audience=audience,
                 valid_from=None, valid_to=None)


def _candidates(learned: list[tuple[int, float]]) -> Candidates:
    floor = next((s for a, s in learned if a == NONE_OF_THESE), -math.inf)
    return Candidates(facts={1: _facts(1), 2: _facts(2, "internal")},
                      coverage=CoverageIndex(), lexical=[], learned=learned, floor=floor,
                      neural=[], neighbours=False, question="q")


def test_a_question_nearer_an_article_than_none_of_these_is_recognised() -> None:
    found = _candidates([(1, 0.4), (NONE_OF_THESE, 0.1), (2, -0.3)])
    assert found.recognised(Filters(on=DAY)) is True


def test_a_question_nearer_none_of_these_is_not() -> None:
    found = _candidates([(NONE_OF_THESE, 0.5), (1, 0.2), (2, -0.1)])
    assert found.recognised(Filters(on=DAY)) is False


def test_only_articles_the_filters_accept_count() -> None:
    # The agent-only article beats "none of these"; a customer may not be shown it.
    found = _candidates([(2, 0.8), (NONE_OF_THESE, 0.3), (1, 0.1)])
    assert found.recognised(Filters(on=DAY)) is True
    assert found.recognised(Filters(on=DAY, audience="customer")) is False
    assert found.recognised(Filters(on=DAY, exclude=frozenset({2}))) is False


def test_without_a_matcher_or_its_class_nothing_is_told() -> None:
    assert _candidates([]).recognised(Filters(on=DAY)) is True
    assert _candidates([(1, -2.0)]).recognised(Filters(on=DAY)) is True
