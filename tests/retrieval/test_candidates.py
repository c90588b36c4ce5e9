"""How ``SearchEngine.candidates`` runs its rankers: the lexical query alongside the
matcher, in a thread of its own."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.orm import Session

from seci.core.clock import today
from seci.retrieval.engine import SearchEngine
from seci.retrieval.index import Filters, LexicalIndex
from tests.factories import World, make_article


@pytest.fixture
def trained(db: Session, world: World) -> SearchEngine:
    make_article(db, world, code="KD-GZ", title="宽带故障报修流程", body="先重启光猫。",
                 similar_questions=["家里断网了怎么办"])
    make_article(db, world, code="ZW-YE", title="话费余额查询", body="发送 YE 到 10086。",
                 similar_questions=["我还剩多少钱"])
    search_engine = SearchEngine(max_linear_classes=0)
    search_engine.sync(db)
    search_engine.train_matcher()
    return search_engine


def _lexical_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the threads the lexical queries run in, from now on."""
    threads: list[str] = []
    search = LexicalIndex.search

    def recorded(index: LexicalIndex, *args: object, **kwargs: object
                 ) -> list[tuple[int, float]]:
        threads.append(threading.current_thread().name)
        return search(index, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(LexicalIndex, "search", recorded)
    return threads


def test_the_lexical_query_runs_in_another_thread_while_the_matcher_answers(
        trained: SearchEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    threads = _lexical_threads(monkeypatch)
    candidates = trained.candidates("家里断网了", Filters(on=today()))
    assert len(threads) == 1 and threads[0].startswith("seci-lexical")
    assert candidates.lexical and candidates.learned
    assert candidates.typed == tuple(trained.analyzer.raw_words("家里断网了"))


def test_without_a_matcher_the_lexical_query_runs_in_the_callers_thread(
        db: Session, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    make_article(db, world, code="KD-GZ", title="宽带故障报修流程", body="先重启光猫。")
    untrained = SearchEngine(train_inline=False)
    untrained.sync(db)
    threads = _lexical_threads(monkeypatch)
    assert untrained.candidates("宽带报修", Filters(on=today())).learned == []
    assert threads == [threading.current_thread().name]


def test_a_failing_lexical_query_fails_the_search(trained: SearchEngine,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> list[tuple[int, float]]:
        raise RuntimeError("index gone")

    monkeypatch.setattr(LexicalIndex, "search", broken)
    with pytest.raises(RuntimeError, match="index gone"):
        trained.candidates("家里断网了", Filters(on=today()))
