"""Every KPI pinned by a hand-computed example, and slicing by week, team and stage."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from seci.calls import kpis as k
from seci.calls.thresholds import refresh_thresholds, set_manual_threshold
from seci.roster.models import RosterAgent
from tests.calls.helpers import call, run_import, write_jsonl
from tests.factories import World

FIVE_CALLS = [
    call("C1", resolved_first_contact=True, satisfaction=5, duration_s=100),
    call("C2", resolved_first_contact=True, satisfaction=4, complaint=True,
         complaint_category="资费争议", repeat_within_7d=True, duration_s=200),
    call("C3", resolved_first_contact=False, satisfaction=None, repeat_within_7d=True,
         duration_s=300),
    call("C4", resolved_first_contact=True, satisfaction=2, complaint=True,
         complaint_category="服务态度", duration_s=400),
    call("C5", resolved_first_contact=False, satisfaction=None, duration_s=1000),
]


@pytest.fixture
def five(db: Session, world: World, tmp_path: Path) -> k.CallCounts:
    run_import(db, world, write_jsonl(tmp_path / "five.jsonl", FIVE_CALLS))
    set_manual_threshold(db, actor=world["manager"], product="流量套餐", seconds=350)
    [row] = k.slice_counts(db, actor=world["analyst"], by=[])
    return row.counts


def test_rates_with_wilson_intervals(five: k.CallCounts) -> None:
    fcr = k.first_contact_resolution(five)
    # 3 of 5. Wilson, z = 1.959964, z² = 3.841459: centre = (0.6 + z²/10)/(1 + z²/5)
    # = 0.984146/1.768292 = 0.556551; half = z/1.768292·√(0.24/5 + z²/100)
    # = 1.108394 · 0.293964 = 0.325827 → [0.230724, 0.882379].
    assert (fcr.value, fcr.n) == (0.6, 5)
    assert fcr.low == pytest.approx(0.230724, abs=1e-5)
    assert fcr.high == pytest.approx(0.882379, abs=1e-5)
    assert k.complaint_rate(five).value == pytest.approx(2 / 5)
    # Of the 2 complaints, C2's customer called again within 7 days.
    repeat_complaints = k.repeat_complaint_rate(five)
    assert (repeat_complaints.value, repeat_complaints.n) == (0.5, 2)
    assert k.repeat_call_rate(five).value == pytest.approx(2 / 5)
    # Rated calls: 5, 4, 2 → two of three are 4 or 5.
    top = k.satisfaction_top_box(five)
    assert (top.value, top.n) == (pytest.approx(2 / 3), 3)


def test_means_with_t_intervals(five: k.CallCounts) -> None:
    satisfaction = k.satisfaction_mean(five)
    # (5 + 4 + 2)/3 = 3.6667; s = √(((5−3.667)² + (4−3.667)² + (2−3.667)²)/2) = 1.527525;
    # t₂(0.975) = 4.302653: half = 4.302653 · 1.527525/√3 = 3.794583.
    assert satisfaction.value == pytest.approx(11 / 3)
    assert satisfaction.n == 3
    assert satisfaction.low == pytest.approx(11 / 3 - 3.794583, abs=1e-5)
    aht = k.average_handling_time(five)
    # 2000/5 = 400 s; s = √((300² + 200² + 100² + 0² + 600²)/4) = √125000 = 353.553.
    assert aht.value == 400
    half = 2.776445 * math.sqrt(125000) / math.sqrt(5)  # t₄(0.975) = 2.776445
    assert aht.high == pytest.approx(400 + half, abs=1e-3)


def test_over_long_share_uses_the_managers_threshold_then_the_p95(
        db: Session, world: World, five: k.CallCounts) -> None:
    # Threshold 350 s: C4 (400) and C5 (1000) are over-long.
    assert k.over_long_share(five).value == pytest.approx(2 / 5)
    set_manual_threshold(db, actor=world["manager"], product="流量套餐", seconds=None)
    refresh_thresholds(db)
    # p95 of 100, 200, 300, 400, 1000 by linear interpolation: h = 4·0.95 = 3.8,
    # 400 + 0.8·600 = 880 → only C5 is beyond it.
    [row] = k.slice_counts(db, actor=world["analyst"], by=[])
    assert k.over_long_share(row.counts).value == pytest.approx(1 / 5)


def test_slices_by_week_team_and_stage(db: Session, world: World, tmp_path: Path) -> None:
    records = [call("W1", started_at="2026-09-06T23:00:00+08:00"),  # Sunday: week of 31 Aug
               call("W2", started_at="2026-09-07T08:00:00+08:00", team="B组", agent_id="A2"),
               call("W3", started_at="2026-09-13T20:00:00+08:00", resolved_first_contact=False)]
    run_import(db, world, write_jsonl(tmp_path / "w.jsonl", records))
    db.add(RosterAgent(agent_id="A2", name="李", team="B组", hired_on=date(2026, 1, 1),
                       stage="new"))
    db.flush()
    rows = k.slice_counts(db, actor=world["analyst"], by=["week", "team"])
    assert [(r.keys["week"], r.keys["team"], r.counts.n, r.counts.fcr) for r in rows] == [
        (date(2026, 8, 31), "A组", 1, 1), (date(2026, 9, 7), "A组", 1, 0),
        (date(2026, 9, 7), "B组", 1, 1)]
    by_stage = k.slice_counts(db, actor=world["analyst"], by=["stage"])
    assert {r.keys["stage"]: r.counts.n for r in by_stage} == {None: 2, "new": 1}
    dicts = [r.as_dict() for r in k.slice_counts(db, actor=world["analyst"], by=["month"])]
    # Sunday 6 September belongs to the week of Monday 31 August, and to September.
    assert [(d["month"], d["n_calls"]) for d in dicts] == [("2026-09-01", 3)]


def test_unknown_slices_and_reversed_periods_are_refused() -> None:
    with pytest.raises(k.BadSlice):
        k.check_slices(["colour"])
    with pytest.raises(k.BadPeriod):
        k.Period(date(2026, 9, 2), date(2026, 9, 1))
