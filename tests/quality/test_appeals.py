"""Appeals and who sees which scores: the call's agent appeals once within the window, a
QA manager other than the inspector decides; per-agent figures."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from seci.core.errors import FieldErrors, PermissionDenied
from seci.quality.appeals import APPEAL_WINDOW_DAYS, decide_appeal, file_appeal
from seci.quality.errors import (
    AlreadyAppealed,
    AppealDecided,
    AppealWindowClosed,
    NotYourCall,
    OwnScoreAppeal,
    ScoreNotFound,
)
from seci.quality.models import QaScore, ScoreStatus
from seci.quality.queries import (
    agent_qa_summary,
    get_visible_score,
    list_scores,
    my_scores,
    open_appeals,
)
from seci.quality.scoring import score_call
from tests.calls.helpers import call
from tests.factories import World
from tests.quality.helpers import import_calls, link_agent, marks, small_scorecard


@pytest.fixture
def scored(db: Session, world: World, tmp_path: Path) -> QaScore:
    """Call C1 of agent A1001 (the login "agent", team A组), scored 24/30 by the reviewer;
    C2 of A1002 (agent_data, team B组)."""
    import_calls(db, world, tmp_path, [call("C1", agent_id="A1001"),
                                       call("C2", agent_id="A1002", team="B组")])
    link_agent(db, "A1001", world["agent"], team="A组")
    link_agent(db, "A1002", world["agent_data"], team="B组", name="刘晓峰")
    card = small_scorecard(db, world)
    score, _ = score_call(db, actor=world["reviewer"], call_id="C1", scorecard_id=card.id,
                          marks=marks(card, [4, 8, 12]))
    score_call(db, actor=world["reviewer"], call_id="C2", scorecard_id=card.id,
               marks=marks(card, [5, 10, 15], failed=[2]))
    db.commit()
    return score


def test_the_calls_agent_appeals_once(db: Session, world: World, scored: QaScore) -> None:
    world["supervisor"].team = "A组"
    with pytest.raises(NotYourCall):  # a team lead sees the score but cannot appeal it
        file_appeal(db, actor=world["supervisor"], score_id=scored.id, reason="我替他申诉")
    with pytest.raises(FieldErrors):
        file_appeal(db, actor=world["agent"], score_id=scored.id, reason="  ")
    appeal = file_appeal(db, actor=world["agent"], score_id=scored.id,
                         reason="客户要求尽快，未复述是为节省时间")
    assert appeal.original_total == pytest.approx(80.0)
    assert scored.status == ScoreStatus.APPEALED
    with pytest.raises(AlreadyAppealed):
        file_appeal(db, actor=world["agent"], score_id=scored.id, reason="再申诉一次")


def test_a_colleagues_score_is_not_found(db: Session, world: World, scored: QaScore) -> None:
    with pytest.raises(ScoreNotFound):
        file_appeal(db, actor=world["agent_data"], score_id=scored.id, reason="不是我的")
    with pytest.raises(ScoreNotFound):
        get_visible_score(db, actor=world["agent_data"], score_id=scored.id)
    assert [v.call.call_id for v in my_scores(db, actor=world["agent"])] == ["C1"]
    assert [v.call.call_id for v in list_scores(db, actor=world["agent"])] == ["C1"]
    assert [v.call.call_id for v in list_scores(db, actor=world["agent_data"])] == ["C2"]


def test_team_leads_see_their_own_team_only(db: Session, world: World,
                                            scored: QaScore) -> None:
    lead = world["supervisor"]
    assert list_scores(db, actor=lead) == []  # no team on the account
    lead.team = "A组"
    db.commit()
    assert [v.call.call_id for v in list_scores(db, actor=lead)] == ["C1"]
    lead.team = "B组"
    db.commit()
    assert [v.call.call_id for v in list_scores(db, actor=lead)] == ["C2"]
    with pytest.raises(ScoreNotFound):
        get_visible_score(db, actor=lead, score_id=scored.id)
    assert {v.call.call_id for v in list_scores(db, actor=world["reviewer"])} == {"C1", "C2"}


def test_the_window_closes_after_the_days_allowed(db: Session, world: World,
                                                  scored: QaScore) -> None:
    scored.scored_at -= timedelta(days=APPEAL_WINDOW_DAYS, minutes=1)
    db.commit()
    with pytest.raises(AppealWindowClosed):
        file_appeal(db, actor=world["agent"], score_id=scored.id, reason="晚了")


def test_the_inspector_cannot_decide_and_only_qa_managers_may(
        db: Session, world: World, scored: QaScore) -> None:
    appeal = file_appeal(db, actor=world["agent"], score_id=scored.id, reason="理由")
    with pytest.raises(OwnScoreAppeal):
        decide_appeal(db, actor=world["reviewer"], appeal_id=appeal.id, decision="upheld",
                      note="维持")
    with pytest.raises(PermissionDenied):
        decide_appeal(db, actor=world["analyst"], appeal_id=appeal.id, decision="upheld",
                      note="维持")
    with pytest.raises(FieldErrors):
        decide_appeal(db, actor=world["manager"], appeal_id=appeal.id, decision="upheld")
    decided = decide_appeal(db, actor=world["manager"], appeal_id=appeal.id,
                            decision="upheld", note="录音显示确未复述，维持原判")
    assert decided.decided_by_id == world["manager"].id
    assert scored.status == ScoreStatus.UPHELD and scored.total == pytest.approx(80.0)
    with pytest.raises(AppealDecided):
        decide_appeal(db, actor=world["manager"], appeal_id=appeal.id, decision="upheld",
                      note="再次")


def test_revising_recomputes_and_keeps_the_original_total(
        db: Session, world: World, scored: QaScore) -> None:
    appeal = file_appeal(db, actor=world["agent"], score_id=scored.id, reason="已复述")
    assert [v.appeal.id for v in open_appeals(db, actor=world["manager"])] == [appeal.id]
    card = scored.scorecard_id
    from seci.quality.scorecards import get_scorecard

    sc = get_scorecard(db, scorecard_id=card)
    decide_appeal(db, actor=world["manager"], appeal_id=appeal.id, decision="revised",
                  note="录音 02:10 处已复述", marks=marks(sc, [4, 10, 12]))
    # 4 + 10 + 12 = 26 of 30 → 86.67 %
    assert scored.total == pytest.approx(86.6667, abs=1e-4)
    assert scored.status == ScoreStatus.REVISED and scored.passed
    assert appeal.original_total == pytest.approx(80.0) and appeal.decision == "revised"
    assert open_appeals(db, actor=world["manager"]) == []
    with pytest.raises(PermissionDenied):
        open_appeals(db, actor=world["agent"])


def test_agent_figures_mean_with_t_interval_and_pass_rate_with_wilson(
        db: Session, world: World, scored: QaScore, tmp_path: Path) -> None:
    import_calls(db, world, tmp_path, [call("C3", agent_id="A1001"),
                                       call("C4", agent_id="A1001")])
    card_id = scored.scorecard_id
    from seci.quality.scorecards import get_scorecard

    sc = get_scorecard(db, scorecard_id=card_id)
    score_call(db, actor=world["reviewer"], call_id="C3", scorecard_id=card_id,
               marks=marks(sc, [5, 10, 15]))  # 100
    score_call(db, actor=world["reviewer"], call_id="C4", scorecard_id=card_id,
               marks=marks(sc, [5, 10, 15], failed=[2]))  # 0, critical
    file_appeal(db, actor=world["agent"], score_id=scored.id, reason="理由")
    figures = agent_qa_summary(db, actor=world["manager"], agent_ids=["A1001", "A9999"])
    mine = figures["A1001"]
    # totals 80, 100, 0: mean 60; s² = ((80−60)² + 40² + 60²)/2 = 2800, s = 52.915;
    # t₂(0.975) = 4.3027 → half-width 4.3027 · 52.915/√3 = 131.45
    assert mine.n == 3 and mine.mean.value == pytest.approx(60.0)
    assert mine.mean.low == pytest.approx(60 - 131.45, abs=0.01)
    assert mine.mean.high == pytest.approx(60 + 131.45, abs=0.01)
    # 2 of 3 passed; Wilson 95 %: (0.2077, 0.9385)
    assert mine.pass_rate.value == pytest.approx(2 / 3)
    assert mine.pass_rate.low == pytest.approx(0.2077, abs=1e-4)
    assert mine.pass_rate.high == pytest.approx(0.9385, abs=1e-4)
    assert (mine.critical_failures, mine.open_appeals) == (1, 1)
    assert figures["A9999"].n == 0 and figures["A9999"].mean.value is None
    # an agent's figures for a colleague are empty (scores they cannot see)
    assert agent_qa_summary(db, actor=world["agent_data"], agent_ids=["A1001"])["A1001"].n == 0
