"""A runner-up the confidence model is certain of goes first (``sure_runner_up_first``)."""

from __future__ import annotations

import pytest

from seci.retrieval.confidence import (
    PRIOR,
    SURE_RUNNER_UP,
    confidence_of,
    sure_runner_up_first,
)
from seci.retrieval.documents import Facts
from seci.retrieval.engine import RankedArticle


def _hit(article_id: int, score: float, *, matcher: float | None = None,
         share: float = 0.0, lexical_rank: int | None = None) -> RankedArticle:
    facts = Facts(article_id=article_id, version_id=article_id, code=f"A{article_id}",
                  title="", module_path="/1/", queue_ids=frozenset(), audience="customer",
                  valid_from=None, valid_to=None)
    return RankedArticle(facts, score, lexical_rank=lexical_rank, lexical_score=2.0,
                         matcher_score=matcher, matcher_share=share)


def _ids(ranked: list[RankedArticle]) -> list[int]:
    return [r.facts.article_id for r in ranked]


def test_a_runner_up_the_matcher_knows_word_for_word_goes_first() -> None:
    # BM25 put two articles ahead; the matcher scores the third far above its "none of
    # these" (a question it learnt from the search log).
    ranked = [_hit(1, 0.30, matcher=-0.8, share=0.05, lexical_rank=1),
              _hit(2, 0.25, matcher=-0.9, share=0.03, lexical_rank=2),
              _hit(3, 0.20, matcher=0.9, share=0.9)]
    before = confidence_of(ranked, 4, PRIOR)
    assert before[2] >= SURE_RUNNER_UP > before[0]
    hits, confidences = sure_runner_up_first(ranked, 4, PRIOR)
    assert _ids(hits) == [3, 1, 2]
    # Computed again in the new order: first place adds to it, the old first loses it.
    assert confidences == confidence_of(hits, 4, PRIOR)
    assert confidences[0] > before[2] and confidences[1] < before[0]


@pytest.mark.parametrize("matcher", [-0.2, 0.0])
def test_a_runner_up_short_of_certain_keeps_its_place(matcher: float) -> None:
    ranked = [_hit(1, 0.30, matcher=-0.8, share=0.05, lexical_rank=1),
              _hit(2, 0.25, matcher=matcher, share=0.5)]
    confidences = confidence_of(ranked, 4, PRIOR)
    assert confidences[1] < SURE_RUNNER_UP
    hits, kept = sure_runner_up_first(ranked, 4, PRIOR)
    assert _ids(hits) == [1, 2] and kept == confidences


def test_a_sure_first_hit_stays_first() -> None:
    ranked = [_hit(1, 0.30, matcher=1.2, share=0.6, lexical_rank=1),
              _hit(2, 0.25, matcher=1.0, share=0.4)]
    hits, _ = sure_runner_up_first(ranked, 4, PRIOR)
    assert _ids(hits) == [1, 2]
    assert sure_runner_up_first([], 4, PRIOR) == ([], [])
