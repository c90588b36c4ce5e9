"""Mining on generated calls: the regional outage is a burst, the back-office lookup that
times out explains over-long calls, the lucky agent does not top the matching; the text
pipeline's clauses and paraphrase groups by hand."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.orm import Session, sessionmaker

from seci.accounts.service import seed_queues, system_actor
from seci.calls.importing import CallSource, import_calls, load_row_context
from seci.calls.kpis import Period
from seci.core import migrate
from seci.core.db import begin_writing, build_engine
from seci.core.tabular import FileFormat
from seci.mining.dataset import load_dataset
from seci.mining.groups import PhraseGroup, group_paraphrases, merge_said_together
from seci.mining.models import CallFeatures, MinedText, MiningRun
from seci.mining.service import mine
from seci.mining.tasks import extract_pending, run_mining
from seci.mining.text import CALLBACK, ESCALATE, HEDGE, clauses_of, read_call, silence_after
from seci.synthetic import GeneratorConfig, GroundTruth, write_dataset
from tests.calls.helpers import NOW
from tests.factories import World


def test_clauses_are_canonical() -> None:
    assert clauses_of("嗯那个我先帮您查一下，58元的套餐。好的") == ["我先帮您查一下", "#元的套餐"]
    text = read_call([["a", "您好，请问有什么可以帮您？", 0], ["c", "我家宽带又断了", 1],
                      ["a", "这个我这边暂时答复不了，我先帮您记下来反馈给后台", 2]])
    assert text.flags == HEDGE | ESCALATE | CALLBACK
    assert "宽带" in text.customer_words
    assert text.positions[0] == 0 and text.positions[-1] == 1


def test_homophones_and_paraphrases_are_one_script() -> None:
    groups = group_paraphrases(
        [1, 2, 3, 4], ["我帮您查一下流量使用情况", "我帮您查一下六量使用情况",
                       "我帮您查下流量的使用情况", "感谢您的来电"], [40, 9, 12, 300])
    sizes = sorted(len(g.variants) for g in groups)
    assert sizes == [1, 3]
    [script] = [g for g in groups if len(g.variants) == 3]
    assert script.representative == "我帮您查一下流量使用情况"


@pytest.fixture
def mined(db: Session, world: World, session_factory: sessionmaker[Session],
          tmp_path: Path) -> tuple[dict[str, object], GroundTruth]:
    truth = write_dataset(GeneratorConfig(seed=5, weeks=10, calls_per_day=250,
                                          demo_links=False), tmp_path)
    import_calls(db, actor=world["analyst"], context=load_row_context(db, now=NOW),
                 source=CallSource(calls=tmp_path / "calls.jsonl",
                                   calls_format=FileFormat.JSONL))
    db.commit()
    assert extract_pending(session_factory) > 10_000
    assert extract_pending(session_factory) == 0  # incremental: nothing left to read
    return mine(db, load_dataset(db, period=Period())), truth


def test_the_planted_effects_are_found(mined: tuple[dict[str, object], GroundTruth]) -> None:
    findings, truth = mined
    spike = truth.complaint_spike
    assert spike is not None
    bursts = findings["hot_topics"]
    assert isinstance(bursts, list)
    top = bursts[0]
    assert (top["region"], top["week"]) == (spike.region, spike.week_start.isoformat())
    assert top["ratio"] > 2 and top["p_value"] < 1e-6
    long_calls = findings["long_calls"]
    assert isinstance(long_calls, dict)
    # The planted cause: lookups on one topic that time out and are retried.
    reasons = long_calls["reasons"][:15]
    assert any("超时" in r["phrase"] or "慢" in r["phrase"] for r in reasons)
    assert all(r["added_seconds"] > 0 and r["tail_share"] > r["other_share"] for r in reasons)
    matching = findings["agent_matching"]
    assert isinstance(matching, dict)
    lucky = truth.lucky_agent
    assert lucky is not None
    for ranked in matching.values():
        if ranked and ranked[0]["agent_id"] == lucky.agent_id:
            assert ranked[0]["n"] >= 20  # only a topic where it has real volume


def test_a_call_imported_again_is_read_again(db: Session, world: World,
                                              session_factory: sessionmaker[Session],
                                              tmp_path: Path) -> None:
    write_dataset(GeneratorConfig(seed=3, weeks=2, calls_per_day=30, demo_links=False),
                  tmp_path)
    path = tmp_path / "calls.jsonl"

    def load() -> None:
        import_calls(db, actor=world["analyst"], context=load_row_context(db, now=NOW),
                     source=CallSource(calls=path, calls_format=FileFormat.JSONL))
        db.commit()

    load()
    assert extract_pending(session_factory) > 0
    assert extract_pending(session_factory) == 0
    calls = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    changed = next(c for c in calls if c["turns"])
    changed["turns"].append({"speaker": "agent", "text": "这个我这边暂时答复不了，我帮您反馈一下。",
                             "start_ms": changed["turns"][-1]["start_ms"] + 5000})
    path.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in calls), "utf-8")
    load()
    assert extract_pending(session_factory) == sum(1 for c in calls if c["turns"])
    features = db.get(CallFeatures, changed["call_id"])
    assert features is not None and features.flags & HEDGE


def test_clauses_said_together_are_one_script() -> None:
    rows = {1: np.arange(0, 40), 2: np.arange(0, 40), 3: np.arange(100, 140),
            4: np.arange(0, 20)}
    groups = [PhraseGroup(text, np.array([key]), [text]) for key, text in
              ((1, "我重复一下您刚才说的情况"), (2, "您听听是不是这样"), (3, "请您稍等"),
               (4, "感谢您的耐心等待"))]
    places = {1: 0.4, 2: 0.41, 3: 0.5, 4: 0.9}

    def rows_of(keys: np.ndarray) -> tuple[np.ndarray, float]:
        return rows[int(keys[0])], places[int(keys[0])]

    merged = merge_said_together(groups, rows_of)
    assert sorted(g.representative for g in merged) == sorted([
        "我重复一下您刚才说的情况，您听听是不是这样", "感谢您的耐心等待", "请您稍等"])


def test_silence_after_a_turn_beyond_its_speaking_time() -> None:
    turns = [["a", "系统查询超时请您稍等", 0], ["c", "好", 125_000], ["a", "您好", 126_000]]
    # 10 characters take 3 s: 125 − 3 = 122 s of silence; the last turn has none after it.
    assert silence_after(turns, 0) == 122
    assert silence_after(turns, 2) == 0
    assert silence_after([["a", "您好", None], ["c", "喂", None]], 0) == 0
    assert read_call(turns).silences == [122]


def test_a_run_stores_its_findings_while_progress_commits_elsewhere(tmp_path: Path) -> None:
    """The job runner commits progress from its own connection while the analysis reads;
    on SQLite the run's write must not then fail with "database is locked"."""
    url = f"sqlite:///{tmp_path / 'mining.db'}"
    migrate.upgrade(url)
    engine = build_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as session:
        seed_queues(session)
        session.commit()
        write_dataset(GeneratorConfig(seed=3, weeks=2, calls_per_day=60, demo_links=False),
                      tmp_path)
        import_calls(session, actor=system_actor(), context=load_row_context(session, now=NOW),
                     source=CallSource(calls=tmp_path / "calls.jsonl",
                                       calls_format=FileFormat.JSONL))
        session.commit()

    def progress(phase: str, _done: int = 0, _total: int | None = None) -> None:
        with factory() as other:  # as the runner's report does
            begin_writing(other)
            other.add(MinedText(hash=len(phase) * 7919 + hash(phase) % 1000, kind="a",
                                text=phase))
            other.commit()

    run_id = run_mining(factory, actor=system_actor(), period=Period(), progress=progress,
                        search=False)
    with factory() as session:
        run = session.get(MiningRun, run_id)
        assert run is not None and run.calls > 200 and run.findings["golden_scripts"] is not None
    engine.dispose()
