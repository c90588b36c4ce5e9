"""The synthetic call generator: contract, realism, and every planted effect recovered by the
statistic an analyst would use (and, for the league table, the naive one failing)."""

from __future__ import annotations

import csv
import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

from seci.synthetic import (
    ConfigError,
    DayBatch,
    Effect,
    GeneratorConfig,
    GroundTruth,
    TeamGap,
    World,
    generate,
    write_dataset,
)
from seci.synthetic.catalog import CATEGORIES, PRODUCTS, QUEUES, REGION_NAMES
from seci.synthetic.phrases import TOPICS
from seci.synthetic.speech import id_checksum, luhn_digit
from seci.synthetic.writers import CSV_COLUMNS_ZH, encode_call

SMALL = GeneratorConfig(seed=11, total_calls=3000, weeks=4)
# Big enough for every effect's test to have power; without transcripts it takes ~1 s.
KPI = GeneratorConfig(seed=5, total_calls=60_000, weeks=13, transcripts=False)

CALL_KEYS = ["call_id", "agent_id", "team", "queue", "started_at", "duration_s", "region",
             "product", "channel", "turns", "outcome"]
OUTCOME_KEYS = ["resolved_first_contact", "satisfaction", "complaint", "complaint_category",
                "repeat_within_7d"]
MOBILE = re.compile(r"(?<![\d ])1[3-9]\d(?:([ -]?)\d{4}\1\d{4}|\d{4} \d{4})(?![\d ]\d)")
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
CARD = re.compile(r"(?<![\d ])62\d\d(?:\d{12}(?:\d{3})?|(?: \d{4}){3}(?: \d{3})?)(?![\d ]\d)")


@pytest.fixture(scope="module")
def small() -> tuple[Any, list[dict[str, Any]]]:
    data = generate(SMALL)
    return data, list(data.calls())


@pytest.fixture(scope="module")
def kpi() -> tuple[Any, list[dict[str, Any]]]:
    data = generate(KPI)
    return data, list(data.calls())


def rate(values: list[bool]) -> float:
    return sum(values) / len(values)


def week_of(call: dict[str, Any], monday: date) -> int:
    return (date.fromisoformat(call["started_at"][:10]) - monday).days // 7


def by_agent(calls: list[dict[str, Any]]) -> dict[str, list[bool]]:
    out: dict[str, list[bool]] = defaultdict(list)
    for call in calls:
        out[call["agent_id"]].append(call["outcome"]["resolved_first_contact"])
    return out


# --- determinism and the contract -------------------------------------------------------------
def test_same_config_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    config = replace(SMALL, total_calls=800, duplicate_rate=0.02)
    write_dataset(config, tmp_path / "a", csv_files=True)
    write_dataset(config, tmp_path / "b", csv_files=True)
    write_dataset(replace(config, seed=12), tmp_path / "c")
    for name in ("calls.jsonl", "roster.jsonl", "ground_truth.json", "calls.csv",
                 "transcripts.jsonl"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "calls.jsonl").read_bytes() != \
        (tmp_path / "c" / "calls.jsonl").read_bytes()


def test_outcomes_do_not_depend_on_rendering_transcripts(small: Any) -> None:
    _, calls = small
    bare = list(generate(replace(SMALL, transcripts=False)).calls())
    assert [c["call_id"] for c in bare] == [c["call_id"] for c in calls]
    assert [c["outcome"] for c in bare] == [c["outcome"] for c in calls]
    assert [c["agent_id"] for c in bare] == [c["agent_id"] for c in calls]
    assert "turns" not in bare[0]
    # Words may need longer than the drawn handling time, never shorter.
    assert all(b["duration_s"] <= c["duration_s"] for b, c in zip(bare, calls, strict=True))


def test_every_call_follows_the_contract(small: Any) -> None:
    data, calls = small
    roster = {a["agent_id"]: a for a in data.roster}
    products = {p.name for p in PRODUCTS}
    assert len({c["call_id"] for c in calls}) == len(calls) == data.truth.total_calls
    for call in calls:
        assert list(call) == CALL_KEYS
        assert re.fullmatch(r"C\d{8}\d{7}", call["call_id"])
        assert call["call_id"][1:9] == call["started_at"][:10].replace("-", "")
        assert call["agent_id"] in roster and roster[call["agent_id"]]["team"] == call["team"]
        assert call["queue"] in QUEUES and call["region"] in REGION_NAMES
        assert call["product"] in products and call["channel"] in ("voice", "video", "online")
        started = datetime.fromisoformat(call["started_at"])
        assert started.utcoffset() == timedelta(hours=8)
        assert type(call["duration_s"]) is int and call["duration_s"] >= 15
        outcome = call["outcome"]
        assert list(outcome) == OUTCOME_KEYS
        assert outcome["satisfaction"] is None or outcome["satisfaction"] in range(1, 6)
        assert isinstance(outcome["complaint"], bool)
        assert (outcome["complaint_category"] is None) == (not outcome["complaint"])
        assert outcome["complaint_category"] in (None, *CATEGORIES)
        turns = call["turns"]
        if not turns:
            continue
        assert 6 <= len(turns) <= 30
        starts = [t["start_ms"] for t in turns]
        assert starts[0] == 0 and all(a < b for a, b in pairwise(starts))
        assert starts[-1] < call["duration_s"] * 1000
        assert {t["speaker"] for t in turns} == {"agent", "customer"}
        assert all(t["text"] and "{" not in t["text"] for t in turns)
        assert encode_call(call) == json.dumps(call, ensure_ascii=False)
    assert [c["started_at"] for c in calls] == sorted(c["started_at"] for c in calls)


@pytest.mark.parametrize(("where", "value"), [
    ("text", 'say "hi"'), ("text", "a\\b"), ("text", "line\nbreak"), ("text", "\x1f"),
    ("text", 5), ("speaker", None), ("speaker", "system"), ("start_ms", 1.5),
    ("start_ms", None), ("start_ms", True), ("region", 'x"y'), ("call_id", 7),
    ("satisfaction", 4.5), ("complaint_category", 'a"b'), ("turns", None),
])
def test_fast_encoder_falls_back_to_json_for_anything_unusual(small: Any, where: str,
                                                              value: Any) -> None:
    call = json.loads(json.dumps(small[1][0]))
    if where in ("text", "speaker", "start_ms"):
        call["turns"][2][where] = value
    elif where in ("satisfaction", "complaint_category"):
        call["outcome"][where] = value
    else:
        call[where] = value
    assert encode_call(call) == json.dumps(call, ensure_ascii=False)


def test_roster_is_consistent_with_the_calls(small: Any) -> None:
    data, calls = small
    roster = {a["agent_id"]: a for a in data.roster}
    truth = data.truth
    for agent in data.roster:
        assert set(agent) == {"agent_id", "name", "team", "hired_on", "left_on", "stage",
                              "username"}
        snapshot = date.fromisoformat(agent["left_on"]) if agent["left_on"] else truth.end
        tenure = (snapshot - date.fromisoformat(agent["hired_on"])).days
        expected = "新员工" if tenure < 180 else "成长期" if tenure < 540 else "成熟期"
        assert agent["stage"] == expected
    assert any(a["left_on"] for a in data.roster)
    assert any(a["hired_on"] > truth.start.isoformat() for a in data.roster)
    assert {(a["username"], a["team"]) for a in data.roster if a["username"]} == {
        ("agent", "A组"), ("agent2", "B组"), ("agent3", "VIP组")}
    for call in calls:
        agent = roster[call["agent_id"]]
        day = call["started_at"][:10]
        assert agent["hired_on"] <= day
        assert agent["left_on"] is None or day < agent["left_on"]


# --- realism ----------------------------------------------------------------------------------
def test_proportions_are_realistic(kpi: Any) -> None:
    _, calls = kpi
    outcomes = [c["outcome"] for c in calls]
    assert 0.6 < rate([o["resolved_first_contact"] for o in outcomes]) < 0.9
    assert 0.01 < rate([o["complaint"] for o in outcomes]) < 0.06
    assert 0.3 < rate([o["satisfaction"] is None for o in outcomes]) < 0.7
    resolved = [o["repeat_within_7d"] for o in outcomes if o["resolved_first_contact"]]
    unresolved = [o["repeat_within_7d"] for o in outcomes if not o["resolved_first_contact"]]
    assert rate(unresolved) > 3 * rate(resolved)
    satisfied_if = {flag: rate([o["satisfaction"] >= 4 for o in outcomes
                                if o["satisfaction"] and o["resolved_first_contact"] == flag])
                    for flag in (True, False)}
    assert satisfied_if[True] > satisfied_if[False] + 0.3
    # Pareto: a few products carry the volume, a few categories the complaints.
    volumes = sorted(Counter(c["product"] for c in calls).values(), reverse=True)
    assert len(volumes) == len(PRODUCTS) and volumes[0] > 3 * volumes[len(volumes) // 2]
    categories = Counter(o["complaint_category"] for o in outcomes if o["complaint"])
    assert sum(n for _, n in categories.most_common(3)) > 0.6 * sum(categories.values())
    # Peaks at 9–11 and 14–17, quiet nights, quieter weekends.
    hours = Counter(int(c["started_at"][11:13]) for c in calls)
    assert min(hours[h] for h in (10, 15)) > 8 * max(hours[h] for h in (2, 3, 4))
    weekday = Counter(date.fromisoformat(c["started_at"][:10]).weekday() for c in calls)
    assert weekday[6] < 0.8 * weekday[0]
    # Handling time is right-skewed within each product.
    for product in ("话费查询", "宽带故障"):
        durations = np.array([c["duration_s"] for c in calls if c["product"] == product])
        assert np.mean(durations) > np.median(durations) and stats.skew(durations) > 1


def test_transcripts_sound_like_callers_and_agents(small: Any) -> None:
    _, calls = small
    customer = " ".join(t["text"] for c in calls for t in c["turns"] if t["speaker"] == "customer")
    agent = " ".join(t["text"] for c in calls for t in c["turns"] if t["speaker"] == "agent")
    for word in ("咋个", "啥子", "晓得", "莫得", "嗯", "那个", "六量", "淘餐", "款待", "花费"):
        assert word in customer, word
    for phrase in ("很高兴为您服务", "请您稍等", "还有其他", "感谢您的来电", "转到后台处理",
                   "24小时内给您回电", "暂时答复不了", "系统查询超时，请您稍等"):
        assert phrase in agent, phrase
    assert re.search(r"\d+(\.\d+)?元", agent) and re.search(r"\d+GB", agent)
    without = [c for c in calls if not c["turns"]]
    assert 0 < len(without) < 0.02 * len(calls)  # a few calls come without a transcript


def test_every_situation_is_answered_by_explanations_of_its_topic() -> None:
    for name, topic in TOPICS.items():
        assert len(topic.explains) == len(topic.situations), name
        for fitting in topic.explains:
            assert fitting and all(0 <= i < len(topic.explanations) for i in fitting), name


def test_personal_data_appears_in_some_calls_in_valid_formats(small: Any) -> None:
    _, calls = small
    with_pii = ids = cards = 0
    for call in calls:
        text = " ".join(t["text"] for t in call["turns"] if t["speaker"] == "customer")
        found = False
        for number in ID_NUMBER.findall(text):
            assert number[-1].upper() == id_checksum(number[:17])
            ids += 1
            found = True
        for card in CARD.findall(text):
            digits = card.replace(" ", "")
            if len(digits) in (16, 19) and luhn_digit(digits[:-1]) == digits[-1]:
                cards += 1
                found = True
        if MOBILE.search(text):
            found = True
        with_pii += found
    assert 0.04 < with_pii / len(calls) < 0.12
    assert ids and cards


# --- data-platform messiness ------------------------------------------------------------------
def test_reexports_upsert_to_the_plain_export() -> None:
    config = replace(SMALL, total_calls=1500, transcripts=False)
    plain = {c["call_id"]: c for c in generate(config).calls()}
    messy = list(generate(replace(config, duplicate_rate=0.05)).calls())
    counts = Counter(c["call_id"] for c in messy)
    again = [cid for cid, n in counts.items() if n == 2]
    assert 0.03 * len(plain) < len(again) < 0.07 * len(plain)
    upserted: dict[str, dict[str, Any]] = {}
    first: dict[str, dict[str, Any]] = {}
    for call in messy:
        first.setdefault(call["call_id"], call)
        upserted[call["call_id"]] = call  # last one wins
    assert upserted == plain
    assert all(first[cid]["outcome"]["satisfaction"] is None for cid in again)
    assert any(first[cid]["outcome"] != plain[cid]["outcome"] for cid in again)


def test_naive_timestamps_have_no_offset() -> None:
    calls = list(generate(replace(SMALL, total_calls=200, naive_timestamps=True,
                                  transcripts=False)).calls())
    assert all(datetime.fromisoformat(c["started_at"]).tzinfo is None for c in calls)


def test_csv_with_chinese_headers_in_gbk_and_split_transcripts(tmp_path: Path) -> None:
    config = replace(SMALL, total_calls=600, missing_transcript_rate=0.02)
    write_dataset(config, tmp_path, csv_files=True, chinese_headers=True, encoding="gbk")
    calls = [json.loads(line) for line in (tmp_path / "calls.jsonl").open(encoding="utf-8")]
    with (tmp_path / "calls.csv").open(encoding="gbk", newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == CSV_COLUMNS_ZH and len(rows) == len(calls) + 1
    row, call = dict(zip(rows[0], rows[1], strict=True)), calls[0]
    assert row["通话ID"] == call["call_id"] and row["通话时长"] == str(call["duration_s"])
    assert row["一次解决"] == ("是" if call["outcome"]["resolved_first_contact"] else "否")
    assert {r[10] for r in rows[1:]} >= {"", "5"}  # 满意度: no answer is an empty cell
    transcripts = [json.loads(line) for line in (tmp_path / "transcripts.jsonl").open()]
    assert [t["call_id"] for t in transcripts] == [c["call_id"] for c in calls if c["turns"]]
    assert len(transcripts) < len(calls)
    truth = GroundTruth.from_dict(json.loads((tmp_path / "ground_truth.json").read_text()))
    assert truth == generate(config).truth


# --- planted effects --------------------------------------------------------------------------
def test_team_gap_is_found_by_a_two_proportion_z_test(kpi: Any) -> None:
    data, calls = kpi
    gap = data.truth.team_gap
    team = [c["outcome"]["resolved_first_contact"] for c in calls if c["team"] == gap.team]
    peers = [c["outcome"]["resolved_first_contact"] for c in calls
             if c["team"] in gap.reference_teams]
    pooled = (sum(team) + sum(peers)) / (len(team) + len(peers))
    diff = rate(team) - rate(peers)
    z = diff / math.sqrt(pooled * (1 - pooled) * (1 / len(team) + 1 / len(peers)))
    assert 2 * stats.norm.sf(abs(z)) < 0.01
    assert abs(diff - gap.delta) < 0.03


def test_complaint_spike_breaks_the_regions_control_chart(kpi: Any) -> None:
    data, calls = kpi
    spike = data.truth.complaint_spike
    monday = data.truth.week_starts[0]
    weeks: dict[int, list[bool]] = defaultdict(list)
    categories = Counter()
    for call in calls:
        if call["region"] == spike.region:
            w = week_of(call, monday)
            weeks[w].append(call["outcome"]["complaint"])
            if w == spike.week_index and call["outcome"]["complaint"]:
                categories[call["outcome"]["complaint_category"]] += 1
    normal = [w for w in weeks if w != spike.week_index]
    p_bar = sum(sum(weeks[w]) for w in normal) / sum(len(weeks[w]) for w in normal)

    def z(w: int) -> float:  # p-chart: binomial σ at the week's own volume
        return (rate(weeks[w]) - p_bar) / math.sqrt(p_bar * (1 - p_bar) / len(weeks[w]))

    def tail(w: int) -> float:  # exact: P(X ≥ complaints) at the baseline rate
        return float(stats.binom.sf(sum(weeks[w]) - 1, len(weeks[w]), p_bar))

    assert z(spike.week_index) > 3 and tail(spike.week_index) < 0.00135
    # With ~12 complaints a week the normal 3σ limit is too tight: use the exact one.
    assert all(tail(w) > 0.00135 for w in normal)
    assert rate(weeks[spike.week_index]) > 1.8 * p_bar  # ×3 planted, counts are small
    # Mostly one category: the outage's.
    assert categories.most_common(1)[0][0] == spike.category
    assert categories[spike.category] > 0.4 * sum(categories.values())


def test_funnel_plot_clears_the_lucky_agent_and_flags_the_better_one(kpi: Any) -> None:
    data, calls = kpi
    truth = data.truth
    lucky, better = truth.lucky_agent, truth.better_agent
    agents = by_agent(calls)
    p0 = rate([c["outcome"]["resolved_first_contact"] for c in calls])

    def limits(n: int, z: float) -> tuple[float, float]:
        half = z * math.sqrt(p0 * (1 - p0) / n)
        return p0 - half, p0 + half

    league = sorted(agents, key=lambda a: (-rate(agents[a]), -len(agents[a])))
    # The naive league table puts the lucky small-volume agent first …
    assert league[0] == lucky.agent_id and league[0] != better.agent_id
    assert len(agents[lucky.agent_id]) == lucky.calls
    assert rate(agents[league[1]]) < rate(agents[lucky.agent_id])
    assert len(agents[lucky.agent_id]) < 0.05 * np.median([len(v) for v in agents.values()])
    # … but the funnel shows nothing special about them (normal and exact binomial limits),
    low, high = limits(lucky.calls, 1.96)
    assert low < rate(agents[lucky.agent_id]) < high
    assert stats.binom.sf(lucky.calls - 1, lucky.calls, p0) > 0.025
    # while the high-volume agent is truly better: above the 99.8 % limit.
    n_better = len(agents[better.agent_id])
    assert n_better > 1.4 * np.median([len(v) for v in agents.values()])
    assert rate(agents[better.agent_id]) > limits(n_better, 3.09)[1]


def dispersion_ratio(calls: list[dict[str, Any]], monday: date) -> float:
    """Variance of weekly FCR ÷ the mean binomial variance p̄(1−p̄)/n_w (1 ≈ pure noise)."""
    weeks: dict[int, list[bool]] = defaultdict(list)
    for call in calls:
        weeks[week_of(call, monday)].append(call["outcome"]["resolved_first_contact"])
    kept = [v for v in weeks.values() if len(v) >= 10]
    p_bar = sum(map(sum, kept)) / sum(map(len, kept))
    rates = np.array([rate(v) for v in kept])
    return float(rates.var(ddof=1) / np.mean([p_bar * (1 - p_bar) / len(v) for v in kept]))


def test_unstable_agent_varies_far_more_than_binomial_noise(kpi: Any) -> None:
    data, calls = kpi
    truth = data.truth
    monday = truth.week_starts[0]
    calls_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for call in calls:
        calls_of[call["agent_id"]].append(call)
    special = {truth.lucky_agent.agent_id, truth.better_agent.agent_id,
               truth.unstable_agent.agent_id}
    mature_at_start = (truth.start - timedelta(540)).isoformat()
    peers = [a["agent_id"] for a in data.roster
             if a["team"] in ("A组", "B组", "C组") and a["agent_id"] not in special
             and a["left_on"] is None and a["hired_on"] < mature_at_start]
    unstable = truth.unstable_agent.agent_id
    ratio = dispersion_ratio(calls_of[unstable], monday)
    ratios = [dispersion_ratio(calls_of[a], monday) for a in peers]
    assert ratio > 3 and ratio > max(ratios)
    assert 0.5 < float(np.median(ratios)) < 1.6
    # Same mean as the team's peers: within sampling error (good and bad weeks differ a
    # little in volume, so they do not cancel exactly).
    team = data.roster[[a["agent_id"] for a in data.roster].index(unstable)]["team"]
    same_team = [r for a in peers for r in by_agent(calls_of[a])[a]
                 if calls_of[a][0]["team"] == team]
    own = by_agent(calls_of[unstable])[unstable]
    p = rate(same_team)
    se = math.sqrt(p * (1 - p) * (1 / len(own) + 1 / len(same_team)))
    assert abs(rate(own) - p) < 3.5 * se + 0.015


def test_long_call_product_has_the_heaviest_tail(kpi: Any) -> None:
    data, calls = kpi
    product = data.truth.long_calls.product
    durations: dict[str, list[int]] = defaultdict(list)
    for call in calls:
        durations[call["product"]].append(call["duration_s"])
    p95 = {p: float(np.percentile(v, 95)) for p, v in durations.items()}
    others = max(v for p, v in p95.items() if p != product)
    assert p95[product] > 1.3 * others


def test_long_call_transcripts_show_the_timeouts(small: Any) -> None:
    data, calls = small
    product = data.truth.long_calls.product

    def share(chosen: list[dict[str, Any]]) -> float:
        return rate([any(re.search("超时|有点慢", t["text"]) for t in c["turns"])
                     for c in chosen if c["turns"]])

    assert share([c for c in calls if c["product"] == product]) > 0.3
    assert 0 < share([c for c in calls if c["product"] != product]) < 0.06


def test_training_shows_in_a_difference_in_differences(kpi: Any) -> None:
    data, calls = kpi
    training = data.truth.training
    starts = training.starts_on.isoformat()
    cells: dict[tuple[str, bool], list[bool]] = defaultdict(list)
    days: dict[bool, list[int]] = defaultdict(list)
    for call in calls:
        score = call["outcome"]["satisfaction"]
        if score is not None and call["team"] in (training.team, training.comparison_team):
            after = call["started_at"][:10] >= starts
            cells[(call["team"], after)].append(score >= 4)
            day = date.fromisoformat(call["started_at"][:10])
            days[after].append((day - data.truth.start).days)
    p = {key: rate(v) for key, v in cells.items()}
    t, c = training.team, training.comparison_team
    did = (p[(t, True)] - p[(t, False)]) - (p[(c, True)] - p[(c, False)])
    se = math.sqrt(sum(p[k] * (1 - p[k]) / len(cells[k]) for k in cells))
    assert did / se > 2.58
    assert abs(did - training.delta) < 3.5 * se
    # The comparison team only follows the drift every team shares.
    period = (data.truth.end - data.truth.start).days
    drift = training.common_drift * (np.mean(days[True]) - np.mean(days[False])) / period
    change = p[(c, True)] - p[(c, False)]
    assert abs(change - drift) < training.delta / 2


def test_with_nothing_planted_the_same_statistics_find_nothing() -> None:
    config = replace(KPI, total_calls=40_000).without_effects()
    data = generate(config)
    calls = list(data.calls())
    truth = data.truth
    assert truth.team_gap is None and truth.lucky_agent is None and truth.training is None
    fcr = {team: rate([c["outcome"]["resolved_first_contact"] for c in calls
                       if c["team"] == team]) for team in ("A组", "B组", "C组")}
    assert max(fcr.values()) - min(fcr.values()) < 0.03
    durations: dict[str, list[int]] = defaultdict(list)
    for call in calls:
        durations[call["product"]].append(call["duration_s"])
    p95 = sorted(float(np.percentile(v, 95)) for v in durations.values())
    assert p95[-1] < 1.3 * p95[-2]


# --- the extension point ----------------------------------------------------------------------
class GoldenPhrase(Effect):
    """A golden script: some agents say it on broadband faults, and it works when said."""

    name = "golden_phrase"
    line = "我先帮您远程重启一下光猫，您看一下指示灯有没有变绿。"

    def __init__(self, world: World) -> None:
        self.product = world.product_index("宽带故障")
        self.agents = np.array([i for i, a in enumerate(world.agents) if a.team == "B组"])

    def on_probabilities(self, batch: DayBatch) -> None:
        eligible = (batch.product == self.product) & np.isin(batch.agent, self.agents)
        said = eligible & (batch.rng.random(batch.n) < 0.5)
        batch.p_fcr[said] = np.minimum(batch.p_fcr[said] + 0.15, 0.99)
        for i in np.flatnonzero(said).tolist():
            batch.inserts[i] = [("agent", self.line)]

    def truth(self) -> dict[str, Any]:
        return {"line": self.line, "product": "宽带故障", "team": "B组", "delta": 0.15}


class GoldenPhraseSpec:
    name = "golden_phrase"

    def create(self, world: World, rnd: Any) -> Effect:
        return GoldenPhrase(world)


def test_a_text_effect_plugs_in_with_a_within_agent_effect() -> None:
    config = replace(SMALL, total_calls=6000, extra_effects=(GoldenPhraseSpec(),))
    data = generate(config)
    assert data.truth.extensions["golden_phrase"]["delta"] == 0.15
    said: dict[bool, list[bool]] = defaultdict(list)
    for call in data.calls():
        if call["product"] == "宽带故障" and call["team"] == "B组" and call["turns"]:
            used = any(GoldenPhrase.line in t["text"] or "远程重启" in t["text"]
                       for t in call["turns"])
            said[used].append(call["outcome"]["resolved_first_contact"])
    assert said[True] and said[False]
    assert rate(said[True]) > rate(said[False])


def test_unknown_team_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        generate(replace(SMALL, team_gap=TeamGap(team="Z组")))
