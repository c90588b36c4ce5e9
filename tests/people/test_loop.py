"""The closed loop: a re-assessment in one step, the paired change per item, the KPIs
against a comparison team, and the rule that decides another round."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from seci.core.clock import today, utcnow
from seci.people import loop
from seci.people.errors import ReassessmentExists, RoundNotClosed
from seci.people.models import RoundStatus
from tests.factories import World
from tests.people.calls import add_calls
from tests.people.helpers import make_team, open_small_round
from tests.people.training import closed_round, reassessed


def test_reassessment_opens_the_same_model_for_the_same_team(db: Session, world: World) -> None:
    _, first = closed_round(db, world)
    second = loop.open_reassessment(db, actor=world["trainer"], round_id=first.id,
                                    deadline=today() + timedelta(days=7), title="复评")
    assert (second.model_id, second.team, second.title, second.status) == (
        first.model_id, first.team, "复评", RoundStatus.OPEN)
    assert loop.reassessment_round(db, first.id) == second
    with pytest.raises(ReassessmentExists):
        loop.open_reassessment(db, actor=world["trainer"], round_id=first.id,
                               deadline=today() + timedelta(days=7))
    with pytest.raises(RoundNotClosed):
        loop.open_reassessment(db, actor=world["trainer"], round_id=second.id,
                               deadline=today() + timedelta(days=7))


def test_paired_change_per_item_by_hand(db: Session, world: World) -> None:
    _, first, _second = reassessed(db, world)
    report = loop.loop_report(db, actor=world["trainer"], round_id=first.id)
    affinity, understanding = report.changes
    # 亲和力 before 2, 3, 4, 3 → after 4, 4, 4, 4: d = 2, 1, 0, 1; d̄ = 1;
    # s_d = √((1 + 0 + 1 + 0)/3) = 0.8165; t = 1 / (0.8165/2) = 2.449, df 3, p = 0.0917.
    assert (affinity.n, affinity.before, affinity.after) == (4, 3.0, 4.0)
    assert affinity.paired_t is not None
    assert affinity.paired_t.statistic == pytest.approx(math.sqrt(6), abs=1e-9)
    assert affinity.paired_t.p_value == pytest.approx(0.0917, abs=5e-4)
    assert affinity.wilcoxon is not None
    assert affinity.wilcoxon.statistic == 0.0  # W⁻ = 0 (the zero difference dropped)
    assert (affinity.weak_before, affinity.weak_after) == (True, False)
    assert (understanding.before, understanding.after) == (4.0, 4.25)
    # Overall 3, 3.5, 3.5, 4 → 4, 4, 4, 4.5: d = 1, .5, .5, .5; d̄ = .625, s_d = .25,
    # t = .625 / .125 = 5.0, df 3, p = 0.0154: improved significantly.
    assert report.overall is not None and report.overall.paired_t is not None
    assert report.overall.paired_t.statistic == pytest.approx(5.0)
    assert report.overall.paired_t.p_value == pytest.approx(0.0154, abs=5e-4)
    assert report.decision == loop.LoopDecision(False, [], True)


def test_the_another_round_rule() -> None:
    from seci.stats.comparisons import TestResult

    def change(name: str, weak_before: bool, weak_after: bool,
               test: TestResult | None = None) -> loop.ItemChange:
        return loop.ItemChange(name, 4, 3.0, 3.2, test, None, weak_before, weak_after)
    improved = change("overall", False, False, TestResult("paired_t", 0.6, 5.0, 0.01, 3))
    flat = change("overall", False, False, TestResult("paired_t", 0.1, 0.5, 0.6, 3))
    worse = change("overall", False, False, TestResult("paired_t", -0.6, -5.0, 0.01, 3))
    assert loop.another_round_due([change("亲和力", True, False)], improved) == \
        loop.LoopDecision(False, [], True)
    assert loop.another_round_due([change("亲和力", True, True)], improved) == \
        loop.LoopDecision(True, ["亲和力"], True)
    assert loop.another_round_due([change("亲和力", False, True)], flat) == \
        loop.LoopDecision(True, [], False)
    assert loop.another_round_due([], worse).another_round
    assert loop.another_round_due([], change("overall", False, False)).another_round


def test_no_decision_while_the_reassessment_is_open(db: Session, world: World) -> None:
    _, first = closed_round(db, world)
    report = loop.loop_report(db, actor=world["trainer"], round_id=first.id)
    assert report.second is None and report.decision is None
    loop.open_reassessment(db, actor=world["trainer"], round_id=first.id,
                           deadline=today() + timedelta(days=7))
    report = loop.loop_report(db, actor=world["trainer"], round_id=first.id)
    assert report.second is not None and report.decision is None


def test_kpis_against_a_comparison_team_by_hand(db: Session, world: World) -> None:
    _, first, second = reassessed(db, world)
    first.opened_at = utcnow() - timedelta(days=60)
    first.closed_at = utcnow() - timedelta(days=58)
    second.opened_at = utcnow()
    db.flush()
    before_day, after_day = today() - timedelta(days=70), today() - timedelta(days=20)
    add_calls(db, team="测试组", agent_id="T001", day=before_day, n=100, resolved=60)
    add_calls(db, team="测试组", agent_id="T001", day=after_day, n=100, resolved=80)
    add_calls(db, team="对照组", agent_id="C001", day=before_day, n=100, resolved=60)
    add_calls(db, team="对照组", agent_id="C001", day=after_day, n=100, resolved=65)
    report = loop.loop_report(db, actor=world["trainer"], round_id=first.id,
                              comparison_team="对照组")
    fcr = report.kpis[0]
    assert (fcr.measure, fcr.comparison) == ("fcr", "did")
    assert (fcr.team_before, fcr.team_after, fcr.comparison_before, fcr.comparison_after) == (
        0.6, 0.8, 0.6, 0.65)
    # DiD = (.8 − .6) − (.65 − .6) = .15; SE = √(.24·2 + .16 + .2275)/10 = 0.09314;
    # z = 1.6105, p = 0.107.
    assert fcr.test is not None
    assert fcr.test.effect == pytest.approx(0.15)
    assert fcr.test.statistic == pytest.approx(1.6105, abs=1e-4)
    assert report.kpis[1].test is None  # no satisfaction scores
    alone = loop.loop_report(db, actor=world["trainer"], round_id=first.id)
    assert alone.kpis[0].comparison == "before_after"


def test_a_team_lead_of_another_team_sees_no_loop(db: Session, world: World) -> None:
    from seci.core.errors import NotFound
    team = make_team(db, world)
    found = open_small_round(db, world, team)
    world["supervisor"].team = "别的组"
    with pytest.raises(NotFound):
        loop.loop_report(db, actor=world["supervisor"], round_id=found.id)
