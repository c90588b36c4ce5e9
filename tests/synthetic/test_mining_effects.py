"""The effects planted for transcript mining, each recovered from the calls by a simple correct
method (and, where an analyst could be fooled, the naive method failing); with the effects off
the generator writes exactly what it wrote before they existed."""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

from seci.synthetic import GeneratorConfig, GroundTruth, generate, speech, write_dataset
from seci.synthetic.catalog import REGION_NAMES
from seci.synthetic.mining import (
    BURST_SITUATIONS,
    DECOY_FAMILIES,
    GAP_HEDGES,
    GOLDEN_FAMILIES,
    OUTCOME_STATEMENTS,
    TIMEOUT_LINES,
    TRANSFER_LINES,
    TRANSFER_PICKUPS,
)

MINED = GeneratorConfig(seed=5, total_calls=60_000).with_mining_effects()
Z999 = 3.29  # two-sided 0.1 %
Z99 = 2.576  # two-sided 1 %: three decoys are tested at once


@dataclass
class Calls:
    """The calls as arrays, with each call's agent and customer text."""

    records: list[dict[str, Any]]
    agent: np.ndarray
    product: np.ndarray
    region: np.ndarray
    week: np.ndarray
    fcr: np.ndarray
    duration: np.ndarray
    has_text: np.ndarray
    agent_text: list[str]
    customer_text: list[str]
    queue: np.ndarray
    mature: set[str]  # agents there 540+ days at the start (the 成熟期 all period)

    def saying(self, matches: list[str], customer: bool = False) -> np.ndarray:
        texts = self.customer_text if customer else self.agent_text
        return np.array([any(m in t for m in matches) for t in texts])


def as_arrays(records: list[dict[str, Any]], monday: date,
              roster: list[dict[str, Any]]) -> Calls:
    def codes(key: str) -> np.ndarray:
        return np.array([c[key] for c in records])

    weeks = np.array([(date.fromisoformat(c["started_at"][:10]) - monday).days // 7
                      for c in records])
    return Calls(
        records=records, agent=codes("agent_id"), product=codes("product"),
        region=codes("region"), week=weeks,
        fcr=np.array([c["outcome"]["resolved_first_contact"] for c in records]),
        duration=codes("duration_s"), has_text=np.array([bool(c["turns"]) for c in records]),
        agent_text=["\n".join(t["text"] for t in c["turns"] if t["speaker"] == "agent")
                    for c in records],
        customer_text=["\n".join(t["text"] for t in c["turns"] if t["speaker"] == "customer")
                       for c in records],
        queue=codes("queue"),
        mature={a["agent_id"] for a in roster
                if (monday - date.fromisoformat(a["hired_on"])).days >= 540})


@pytest.fixture(scope="module")
def mined() -> tuple[GroundTruth, Calls]:
    data = generate(MINED)
    return data.truth, as_arrays(list(data.calls()), data.truth.week_starts[0], data.roster)


def matches_of(family: dict[str, Any]) -> list[str]:
    return [p["match"] for p in family["paraphrases"]]


# --- statistics ----------------------------------------------------------------------------------
def mantel_haenszel_rd(said: np.ndarray, resolved: np.ndarray, strata: np.ndarray
                       ) -> tuple[float, float]:
    """Mantel–Haenszel risk difference (with − without) over strata, and its standard error by
    Sato's variance, which holds with many small strata (agent × topic cells); the simple
    Greenland–Robins one is too small there (null z with SD 1.17 on these data). Strata
    where everybody or nobody said it contribute nothing."""
    order = np.argsort(strata, kind="stable")
    _, starts = np.unique(strata[order], return_index=True)
    cell = np.repeat(np.arange(starts.size), np.diff(np.append(starts, strata.size)))
    s, y = said[order], resolved[order]
    n1 = np.bincount(cell, weights=s).astype(float)
    n0 = np.bincount(cell, weights=~s).astype(float)
    a = np.bincount(cell, weights=s & y)
    c = np.bincount(cell, weights=~s & y)
    keep = (n1 > 0) & (n0 > 0)
    n1, n0, a, c = n1[keep], n0[keep], a[keep], c[keep]
    n = n1 + n0
    w = n1 * n0 / n
    rd = float(np.sum((a * n0 - c * n1) / n) / w.sum())
    p = (n1 ** 2 * c - n0 ** 2 * a + n1 * n0 * (n0 - n1) / 2) / n ** 2
    q = (a * (n0 - c) + c * (n1 - a)) / (2 * n)
    return rd, float(math.sqrt(rd * p.sum() + q.sum()) / w.sum())


def pooled_lift(said: np.ndarray, resolved: np.ndarray) -> tuple[float, float]:
    """The naive comparison: FCR of calls with the phrase − FCR of calls without, and its z."""
    p1, p0 = resolved[said].mean(), resolved[~said].mean()
    n1, n0 = said.sum(), (~said).sum()
    p = resolved.mean()
    return float(p1 - p0), float((p1 - p0) / math.sqrt(p * (1 - p) * (1 / n1 + 1 / n0)))


def strata_of(*columns: np.ndarray) -> np.ndarray:
    return np.unique(np.stack([np.unique(c, return_inverse=True)[1] for c in columns], 1),
                     axis=0, return_inverse=True)[1].ravel()


# --- with the effects off: today's bytes ---------------------------------------------------------
# calls.jsonl … of GeneratorConfig(seed=11, total_calls=800, weeks=4, duplicate_rate=0.02) as
# written before the mining effects existed (write_dataset(config, dir, csv_files=True)).
PINNED = {
    "calls.csv": "3612b9af46df0ca009774be2e14c9d77ff38ae5c6cb6f4bc2c4b52084e1894f4",
    "calls.jsonl": "032f73e7a6ec6c5377d10a5a332aa7dde9df9a65ec2f857685fd9c2f1f536368",
    "ground_truth.json": "79b73c33365797424c16641485277ddc5fea64add97408d6b7ce59e28293cb63",
    "roster.jsonl": "791d7be2eb1156f182d65e0fc4046bc76f2bab55a1fc9199856db6e9c1d0e957",
    "transcripts.jsonl": "ffe093752614e9767b2e08d92fcec2a7b2285fa7f639f7d402b7fae03bf2bbec",
}


def test_with_the_effects_off_the_output_is_todays(tmp_path: Path) -> None:
    config = GeneratorConfig(seed=11, total_calls=800, weeks=4, duplicate_rate=0.02)
    write_dataset(config, tmp_path, csv_files=True)
    for name, digest in PINNED.items():
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == digest, name
    on = config.with_mining_effects()
    assert on != config and config.golden is None and on.golden is not None
    assert replace(on, specialists=None, gap_topic=None, control_topic=None, burst=None,
                   golden=None, decoys=None, outcome_statements=None,
                   long_causes=None) == config
    assert generate(config).truth.extensions == {}


def test_mining_truth_is_json_that_reads_back_equal(tmp_path: Path) -> None:
    config = GeneratorConfig(seed=11, total_calls=3000, weeks=4).with_mining_effects()
    truth = write_dataset(config, tmp_path)
    assert set(truth.extensions) == {"golden", "decoys", "outcome_statements", "burst",
                                     "gap_topic", "control_topic", "specialists", "long_causes"}
    read = GroundTruth.from_dict(json.loads((tmp_path / "ground_truth.json").read_text()))
    assert read == truth
    # The built-in effects are still planted, on the same agents.
    plain = generate(replace(config, total_calls=3000).without_effects())
    assert plain.truth.extensions == {}
    assert truth.lucky_agent == generate(GeneratorConfig(seed=11, total_calls=3000, weeks=4)
                                         ).truth.lucky_agent


# --- the words -----------------------------------------------------------------------------------
def test_every_match_survives_the_recogniser_and_appears_nowhere_else() -> None:
    import random

    rnd = random.Random(3)
    phrase_sets = [f.paraphrases for f in GOLDEN_FAMILIES + DECOY_FAMILIES] + [
        OUTCOME_STATEMENTS, GAP_HEDGES, TRANSFER_LINES, TRANSFER_PICKUPS, TIMEOUT_LINES]
    for phrases in phrase_sets:
        for text, match in phrases:
            assert match in text
            assert all(match in speech.agent_variant(text, rnd) for _ in range(300)), match
    for text in BURST_SITUATIONS:
        spoken = [speech.customer_variant(text, rnd) for _ in range(300)]
        keywords = [k for k in MINED.burst.keywords if k in text]  # type: ignore[union-attr]
        assert keywords and all(any(k in s for k in keywords) for s in spoken), text
    # Without the effects nobody says any of it (only the shared timeouts remain).
    plain = list(generate(GeneratorConfig(seed=11, total_calls=3000, weeks=4)).calls())
    text = "\n".join(t["text"] for c in plain for t in c["turns"])
    planted = [m for phrases in phrase_sets[:-1] for _, m in phrases]
    assert not [m for m in planted + list(MINED.burst.keywords)  # type: ignore[union-attr]
                if m in text]
    assert "eSIM" not in text and "eSIM" not in {c["product"] for c in plain}


# --- 1. golden scripts and 2. decoys -------------------------------------------------------------
def family_cells(truth: GroundTruth, calls: Calls, family: dict[str, Any]
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Calls where the family could be said (its topic, or every topic not excluded; with a
    transcript), and whether it was."""
    excluded = truth.extensions["golden"]["excluded_topics"]
    where = calls.has_text & (~np.isin(calls.product, excluded) if family["topic"] is None
                              else calls.product == family["topic"])
    return where, calls.saying(matches_of(family))


def test_golden_phrases_raise_fcr_within_agent_and_topic(mined: Any) -> None:
    truth, calls = mined
    golden = truth.extensions["golden"]
    assert len(golden["families"]) >= 2
    top = set(golden["top_performers"])
    for family in golden["families"]:
        assert len(family["paraphrases"]) >= 3
        where, said = family_cells(truth, calls, family)
        rows = np.flatnonzero(where)
        rd, se = mantel_haenszel_rd(said[rows], calls.fcr[rows],
                                    strata_of(calls.agent[rows], calls.product[rows]))
        print(f"golden {family['name']}: within-agent RD {rd:+.3f} ± {1.96 * se:.3f} "
              f"(planted {family['delta']:+.2f})")
        assert rd / se > Z999, family["name"]
        assert abs(rd - family["delta"]) < 0.05, family["name"]
        # Top performers say it more often, but average agents say it too.
        by_top = np.isin(calls.agent[rows], list(top))
        use_top, use_rest = said[rows][by_top].mean(), said[rows][~by_top].mean()
        assert use_top > 1.8 * use_rest > 0.2, family["name"]
        assert len(set(calls.agent[rows][said[rows] & ~by_top])) > 20
        # Every paraphrase is heard, each in many calls.
        for match in matches_of(family):
            assert calls.saying([match])[rows].sum() > 50, match


def test_decoys_do_nothing_within_agent_but_fool_the_pooled_comparison(mined: Any) -> None:
    truth, calls = mined
    naive: dict[str, float] = {}
    for kind in ("golden", "decoys"):
        for family in truth.extensions[kind]["families"]:
            where, said = family_cells(truth, calls, family)
            lift, z = pooled_lift(said[calls.has_text], calls.fcr[calls.has_text])
            naive[f"{kind}:{family['name']}"] = lift
            if kind == "golden":
                continue
            rows = np.flatnonzero(where)
            rd, se = mantel_haenszel_rd(said[rows], calls.fcr[rows],
                                        strata_of(calls.agent[rows], calls.product[rows]))
            # Within topic only (agents pooled), the style still looks effective.
            rd_topic, se_topic = mantel_haenszel_rd(said[rows], calls.fcr[rows],
                                                    calls.product[rows])
            print(f"decoy {family['name']}: pooled lift {lift:+.3f} (z {z:.1f}), within topic "
                  f"{rd_topic:+.3f}, within agent {rd:+.3f} ± {Z99 * se:.3f} (99 %)")
            assert family["delta"] == 0.0
            assert lift > 0.04 and z > 5, family["name"]
            assert rd_topic / se_topic > 3, family["name"]
            assert abs(rd) < Z99 * se and abs(rd) < 0.03, family["name"]
            assert set(family["users"]) <= set(truth.extensions["decoys"]["top_performers"])
    ranking = sorted(naive, key=lambda k: -naive[k])
    print("naive ranking by pooled lift:", [(k, round(naive[k], 3)) for k in ranking])
    # The naive ranking puts a decoy above a golden phrase (above two, in fact).
    best_decoy = min(ranking.index(k) for k in naive if k.startswith("decoys:"))
    assert sum(ranking.index(k) > best_decoy for k in naive if k.startswith("golden:")) >= 1


# --- 3. outcome statements -----------------------------------------------------------------------
def test_outcome_statements_come_only_with_a_resolution_near_the_end(mined: Any) -> None:
    truth, calls = mined
    outcome = truth.extensions["outcome_statements"]
    matches = [p["match"] for p in outcome["phrases"]]
    said = calls.saying(matches)
    assert said.sum() > 1000
    assert calls.fcr[said].all()
    resolved = calls.fcr & calls.has_text
    assert abs(said[resolved].mean() - outcome["rate"]) < 0.03
    positions = []
    for i in np.flatnonzero(said)[:2000].tolist():
        agent_turns = [t["text"] for t in calls.records[i]["turns"] if t["speaker"] == "agent"]
        k = max(j for j, t in enumerate(agent_turns) if any(m in t for m in matches))
        positions.append(k / (len(agent_turns) - 1))
    assert np.median(positions) > 0.7
    # The base phrasing has callers' reactions that only come with one outcome (recorded).
    assert outcome["base_agent_resolved_only"] == []
    reactions = calls.saying(outcome["base_customer_resolved_only"], customer=True)
    assert calls.fcr[reactions].mean() > 0.99


# --- 4. a burst of what customers say ------------------------------------------------------------
def test_burst_cell_surges_against_its_previous_weeks(mined: Any) -> None:
    truth, calls = mined
    burst = truth.extensions["burst"]
    w = burst["week_index"]
    topic = calls.product == burst["product"]
    counts = {(r, k): int(((calls.region == r) & (calls.week == k) & topic).sum())
              for r in REGION_NAMES for k in range(w + 1)}

    def p_value(region: str) -> tuple[float, float]:
        before = np.mean([counts[(region, k)] for k in range(w)])
        return float(stats.poisson.sf(counts[(region, w)] - 1, before)), \
            float(counts[(region, w)] / before)

    p, ratio = p_value(burst["region"])
    print(f"burst {burst['region']} week {w}: {counts[(burst['region'], w)]} calls, "
          f"×{ratio:.1f} of previous weeks, p = {p:.1e}")
    assert p < 1e-6 and 2.5 < ratio < 6
    others = {r: p_value(r)[0] for r in REGION_NAMES if r != burst["region"]}
    assert min(others.values()) > 1e-3, others
    # The callers' own words mark the burst's calls and no others.
    worded = calls.saying(burst["keywords"], customer=True)
    cell = (calls.region == burst["region"]) & (calls.week == w) & topic
    assert worded.sum() >= 0.97 * burst["extra_calls"] and not (worded & ~cell).any()


# --- 5. a knowledge gap and its control ----------------------------------------------------------
def weekly(calls: Calls, product: str, n_weeks: int) -> np.ndarray:
    return np.bincount(calls.week[calls.product == product], minlength=n_weeks)


def test_gap_topic_grows_hedges_and_resolves_less_than_its_control(mined: Any) -> None:
    truth, calls = mined
    gap, control = truth.extensions["gap_topic"], truth.extensions["control_topic"]
    n_weeks = len(truth.week_starts)
    gap_weeks, control_weeks = weekly(calls, gap["product"], n_weeks), \
        weekly(calls, control["product"], n_weeks)
    assert gap_weeks.tolist() == gap["weekly_calls"]
    assert abs(gap_weeks.sum() / control_weeks.sum() - 1) < 0.1  # similar volume
    trend, flat = (stats.linregress(np.arange(n_weeks), w) for w in (gap_weeks, control_weeks))
    print(f"weekly calls: gap {gap_weeks.tolist()} (slope {trend.slope:+.1f}, "
          f"p {trend.pvalue:.1e}); control {control_weeks.tolist()} (slope "
          f"{flat.slope:+.1f}, p {flat.pvalue:.2f})")
    assert trend.slope > 0 and trend.pvalue < 1e-6
    assert flat.pvalue > 0.01 and abs(flat.slope) < 0.2 * trend.slope
    in_gap, in_control = calls.product == gap["product"], calls.product == control["product"]
    fcr_gap, fcr_control = calls.fcr[in_gap].mean(), calls.fcr[in_control].mean()
    hedged = calls.saying(gap["markers"])
    share_gap = hedged[in_gap & calls.has_text].mean()
    share_control = hedged[in_control & calls.has_text].mean()
    share_all = hedged[~in_gap & calls.has_text].mean()
    print(f"FCR gap {fcr_gap:.3f} control {fcr_control:.3f}; hedged gap {share_gap:.3f} "
          f"control {share_control:.3f} elsewhere {share_all:.3f}")
    z = stats.norm.isf(stats.binomtest(int(calls.fcr[in_gap].sum()), int(in_gap.sum()),
                                       fcr_control).pvalue / 2)
    assert fcr_control - fcr_gap > 0.2 and z > 5
    assert share_gap > 0.6 and share_gap > share_control + 0.3
    assert share_control < share_all  # no extra hedging: less than the average topic
    # The topic's own hedging wording is heard.
    own = calls.saying([p["match"] for p in gap["hedge_phrases"]])
    assert own[in_gap].mean() > 0.3 and own[~in_gap].sum() == 0


# --- 6. specialists ------------------------------------------------------------------------------
def test_specialists_resolve_their_topic_better_than_their_other_topics(mined: Any) -> None:
    truth, calls = mined
    special = {s["agent_id"] for s in truth.extensions["specialists"]["agents"]}
    singled_out = {truth.lucky_agent.agent_id, truth.better_agent.agent_id,
                   truth.unstable_agent.agent_id}
    # Indirect standardisation: each call against peers' FCR in its topic × queue. Peers are
    # mature (new agents take only some queues: a raw topic mean would be a biased yardstick),
    # outside the team with the planted gap and not singled out by another effect.
    team = np.array([c["team"] for c in calls.records])
    peers = (np.isin(calls.agent, list(calls.mature - special - singled_out))
             & (team != truth.team_gap.team))
    cells = strata_of(calls.product, calls.queue)
    peer_n = np.bincount(cells[peers], minlength=cells.max() + 1)
    peer_fcr = np.bincount(cells[peers], weights=calls.fcr[peers], minlength=cells.max() + 1)
    expected = (peer_fcr / np.maximum(peer_n, 1))[cells]
    for spec in truth.extensions["specialists"]["agents"]:
        mine = calls.agent == spec["agent_id"]
        on = mine & (calls.product == spec["topic"])
        off = mine & (calls.product != spec["topic"])
        lift_on = (calls.fcr[on] - expected[on]).mean()
        lift_off = (calls.fcr[off] - expected[off]).mean()
        topic_peers = peers & (calls.product == spec["topic"])
        p_topic = calls.fcr[topic_peers].mean()
        se = math.sqrt(np.var(calls.fcr[on]) / on.sum() + np.var(calls.fcr[off]) / off.sum()
                       + p_topic * (1 - p_topic) / topic_peers.sum())
        print(f"specialist {spec['agent_id']} on {spec['topic']}: {on.sum()} calls, "
              f"{lift_on:+.3f} vs peers, {lift_off:+.3f} on their {off.sum()} other calls")
        assert lift_on - lift_off > 0.06 and (lift_on - lift_off) / se > 3
        # Peers include the top performers, who say the topic's golden phrase more often:
        # that pulls the comparison a point or two below the planted delta.
        assert abs(lift_on - lift_off - spec["delta"]) < 3 * se + 0.02
        assert abs(lift_off) < 3 * math.sqrt(np.var(calls.fcr[off]) / off.sum())


def test_specialists_lead_their_topic_after_shrinkage(mined: Any) -> None:
    """Ranked by FCR shrunk toward the topic's mean (beta-binomial, method of moments), each
    specialist is in their topic's top quarter and no agent with a handful of lucky calls
    ranks above them."""
    truth, calls = mined
    for spec in truth.extensions["specialists"]["agents"]:
        on = calls.product == spec["topic"]
        n = Counter(calls.agent[on].tolist())
        k = Counter(calls.agent[on & calls.fcr].tolist())
        agents = list(n)
        rates = np.array([k[a] / n[a] for a in agents])
        sizes = np.array([n[a] for a in agents])
        mean = k.total() / n.total()
        var_between = max(np.average((rates - mean) ** 2, weights=sizes)
                          - mean * (1 - mean) / sizes.mean(), 1e-6)
        strength = mean * (1 - mean) / var_between - 1
        shrunk = (np.array([k[a] for a in agents]) + strength * mean) / (sizes + strength)
        me = agents.index(spec["agent_id"])
        above_raw = [a for a, r in zip(agents, rates, strict=True) if r > rates[me]]
        above_shrunk = [a for a, r in zip(agents, shrunk, strict=True) if r > shrunk[me]]
        print(f"{spec['topic']}: specialist ({n[spec['agent_id']]} calls) ranks "
              f"{len(above_raw) + 1} raw, {len(above_shrunk) + 1} shrunk of {len(agents)}; "
              f"above them raw: {sorted(n[a] for a in above_raw)} calls")
        assert len(above_shrunk) < len(agents) / 4 and shrunk[me] - mean > 0.06
        assert all(n[a] >= 20 for a in above_shrunk)


# --- 7. causes of over-long calls ----------------------------------------------------------------
def test_both_long_call_causes_crowd_the_tail(mined: Any) -> None:
    truth, calls = mined
    long_causes = truth.extensions["long_causes"]
    tail = calls.duration > np.percentile(calls.duration, 95)
    for cause in long_causes["causes"]:
        has = calls.saying([w["match"] for w in cause["wording"]])
        share_tail, share_all = has[tail & calls.has_text].mean(), has[calls.has_text].mean()
        print(f"{cause['name']}: {share_tail:.3f} of tail calls, {share_all:.3f} of all "
              f"(sample said {cause['tail_share']:.3f} / {cause['overall_share']:.3f})")
        assert share_tail > 4 * share_all and share_tail > 0.15
        assert abs(share_tail - cause["tail_share"]) < 0.08
        assert abs(share_all - cause["overall_share"]) < 0.02
    # Transfers add minutes within their own topic.
    transfer = calls.saying([w["match"] for w in long_causes["causes"][1]["wording"]])
    product = next(p for p in long_causes["causes"][1]["rates"] if p != "*")
    topic = calls.product == product
    added = np.median(calls.duration[topic & transfer]) - np.median(calls.duration[topic
                                                                                   & ~transfer])
    assert added > 180
