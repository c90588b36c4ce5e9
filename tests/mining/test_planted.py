"""The miners against the generator's planted mining effects (``seci.synthetic.mining``),
on a seed the miners were not tuned on; each check also shows the naive method that the
planted data defeats.

- golden scripts: the planted families are found; the decoys (said by the best agents, no
  effect of their own) are not, though a pooled comparison finds them; outcome statements
  come last;
- the regional burst is found;
- the knowledge gap (a new product where agents do not know) ranks first, though ranking
  by how often agents hedge or hand on would put a fault topic first;
- the causes of long calls (transfers to the back office, lookups that time out) come
  before the explanations that long calls of one topic hold, which a comparison within
  topics ranks first;
- the specialists flagged are planted ones, and ranking by raw FCR would put agents with a
  few lucky calls first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from seci.calls.importing import CallSource, import_calls, load_row_context
from seci.calls.kpis import Period
from seci.core.tabular import FileFormat
from seci.mining.dataset import Dataset, load_dataset
from seci.mining.golden import clause_index
from seci.mining.models import MinedText
from seci.mining.service import mine
from seci.mining.tasks import extract_pending
from seci.mining.text import CALLBACK, ESCALATE, HEDGE
from seci.stats.comparisons import two_proportion_z_test
from seci.stats.summaries import Proportion
from seci.synthetic import GeneratorConfig, GroundTruth, write_dataset
from tests.calls.helpers import NOW
from tests.factories import World

Mined = tuple[dict[str, Any], Dataset, GroundTruth]


@pytest.fixture
def planted(db: Session, world: World, session_factory: sessionmaker[Session],
            tmp_path: Path) -> Mined:
    config = GeneratorConfig(seed=8, total_calls=25_000, demo_links=False)
    truth = write_dataset(config.with_mining_effects(), tmp_path)
    import_calls(db, actor=world["analyst"], context=load_row_context(db, now=NOW),
                 source=CallSource(calls=tmp_path / "calls.jsonl",
                                   calls_format=FileFormat.JSONL))
    db.commit()
    extract_pending(session_factory)
    data = load_dataset(db, period=Period())
    data.cache["agent_texts"] = {int(h): str(t) for h, t in db.execute(
        select(MinedText.hash, MinedText.text).where(MinedText.kind == "a"))}
    return mine(db, data), data, truth


def _matches(truth_phrases: list[dict[str, str]]) -> list[str]:
    return [p["match"] for p in truth_phrases]


def _saying(finding: dict[str, Any], matches: list[str]) -> bool:
    return any(m in v for v in [finding["phrase"], *finding["variants"]] for m in matches)


def test_planted_mining_effects_are_found_and_naive_methods_miss_them(planted: Mined) -> None:
    findings, data, truth = planted
    _golden_scripts(findings["golden_scripts"], data, truth.extensions)
    _burst(findings["hot_topics"], truth.extensions["burst"])
    _gap(findings["knowledge_gaps"], data, truth.extensions)
    _long_calls(findings["long_calls"], truth.extensions["long_causes"])
    _specialists(findings["agent_matching"], truth.extensions["specialists"])


def _golden_scripts(found: list[dict[str, Any]], data: Dataset,
                    extensions: dict[str, Any]) -> None:
    families = extensions["golden"]["families"]
    decoys = [m for f in extensions["decoys"]["families"] for m in _matches(f["paraphrases"])]
    outcomes = _matches(extensions["outcome_statements"]["phrases"])
    scripts = [g for g in found if not g["describes_outcome"] and g["phase"] == "middle"]
    # The two families with the most calls are found, with more than one wording each.
    for family in families[:2]:
        hits = [g for g in scripts if _saying(g, _matches(family["paraphrases"]))]
        assert len(hits) >= 2, family["name"]
        assert all(g["effect_fcr"] > 0 and g["q_value"] < 0.05 for g in hits)
        # Resolved callers are more satisfied: the scripts raise satisfaction too.
        assert all(g["effect_satisfaction"] > 0 for g in hits)
    planted = [m for f in families for m in _matches(f["paraphrases"])]
    assert all(_saying(g, planted) for g in scripts), [g["phrase"] for g in scripts]
    assert not [g for g in found if _saying(g, decoys)]
    # A phrase said in every topic and working alike is one finding over all of them.
    general = [g for g in scripts if _saying(g, _matches(families[0]["paraphrases"]))]
    assert general and all(g["all_topics"] and len(g["topics"]) > 5 and g["topic"] in g["topics"]
                           for g in general)
    # Outcome statements are marked and listed after every script.
    marked = [i for i, g in enumerate(found) if _saying(g, outcomes)]
    assert marked and all(found[i]["describes_outcome"] for i in marked)
    assert min(marked) > max(i for i, g in enumerate(found) if g in scripts)
    # Naive: calls with a decoy wording are resolved far more often than calls without.
    with_decoy = _rows_saying(data, decoys)
    naive = two_proportion_z_test(
        Proportion(int(np.delete(data.fcr, with_decoy).sum()), data.size - len(with_decoy)),
        Proportion(int(data.fcr[with_decoy].sum()), len(with_decoy)))
    assert naive.effect > 0.05 and naive.p_value < 1e-6


def _rows_saying(data: Dataset, matches: list[str]) -> np.ndarray:
    """The calls where the agent said any of the wordings."""
    wanted = np.array(sorted(k for k, text in data.cache["agent_texts"].items()
                             if any(m in text for m in matches)), dtype=np.int64)
    rows, _ = clause_index(data).rows_of(wanted)
    return rows


def _burst(bursts: list[dict[str, Any]], burst: dict[str, Any]) -> None:
    top = [(b["region"], b["week"], b["topic"]) for b in bursts[:3]]
    assert (burst["region"], burst["week_start"], burst["product"]) in top, top


def _gap(gaps: list[dict[str, Any]], data: Dataset, extensions: dict[str, Any]) -> None:
    assert gaps[0]["topic"] == extensions["gap_topic"]["product"] and gaps[0]["is_gap"]
    control = next(g for g in gaps if g["topic"] == extensions["control_topic"]["product"])
    assert not control["is_gap"]
    # Naive: the topic where agents hedge or hand on most is not the gap.
    marked = (data.flags & (HEDGE | ESCALATE | CALLBACK)) != 0
    shares = {topic: float(marked[data.topic == code].mean())
              for code, topic in enumerate(data.topics)}
    assert max(shares, key=lambda t: shares[t]) != extensions["gap_topic"]["product"]


def _long_calls(long_calls: dict[str, Any], causes: dict[str, Any]) -> None:
    planted = [m for c in causes["causes"] for m in _matches(c["wording"])]
    reasons = long_calls["reasons"]
    first = reasons[:4]
    assert all(_saying(r, planted) for r in first), [r["phrase"] for r in first]
    assert all(r["waits"] for r in first)
    for cause in causes["causes"]:
        assert any(_saying(r, _matches(cause["wording"])) for r in first), cause["name"]
    # Naive: compared within topics only, the longest-looking wording is not a cause.
    alone = max(reasons, key=lambda r: r["added_seconds_alone"] or 0.0)
    assert not _saying(alone, planted), alone["phrase"]


def _specialists(matching: dict[str, list[dict[str, Any]]],
                 specialists: dict[str, Any]) -> None:
    planted = {(s["topic"], s["agent_id"]) for s in specialists["agents"]}
    flagged = {(topic, a["agent_id"]) for topic, agents in matching.items() for a in agents
               if a["specialist"]}
    assert flagged and flagged <= planted, flagged
    better = 0
    for topic, agent_id in planted:
        ranked = [a["agent_id"] for a in matching[topic]]
        assert ranked.index(agent_id) < len(ranked) / 4, (topic, agent_id)
        # Naive: by raw FCR, agents with a fraction of the specialist's calls come first.
        raw = sorted(matching[topic], key=lambda a: -a["fcr"])
        specialist = next(a for a in raw if a["agent_id"] == agent_id)
        assert raw[0]["n"] < specialist["n"] / 2
        raw_rank = [a["agent_id"] for a in raw].index(agent_id)
        assert ranked.index(agent_id) <= raw_rank
        better += ranked.index(agent_id) < raw_rank
    assert better >= 2
