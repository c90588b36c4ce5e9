"""Coaching pairs tracked against their goal and credited to the coach; the monthly
on-job training proposals from SECI's evidence."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.core.clock import today, utcnow
from seci.core.errors import FieldErrors
from seci.knowledge.models import ArticleFeedback, FeedbackStatus
from seci.mining.models import MiningRun
from seci.people import coaching, monthly, plans
from seci.people.errors import HonourNotAllowed, PairEnded
from seci.people.models import CompetencyItem
from seci.people.training_models import CoachingPair, PairStatus
from seci.retrieval.models import SearchLog
from seci.tacit.models import Honour, PointEntry
from tests.factories import World, make_article
from tests.people.calls import add_calls
from tests.people.training import reassessed


def _item_id(db: Session, name: str) -> int:
    found = db.scalar(select(CompetencyItem.id).where(CompetencyItem.name == name)
                      .order_by(CompetencyItem.id.desc()))
    assert found is not None
    return found


def _pair(db: Session, world: World, first_round_id: int, **overrides: object) -> CoachingPair:
    values: dict[str, object] = {
        "coach": "T002", "mentee": "T001", "starts_on": today() - timedelta(days=30),
        "ends_on": today() + timedelta(days=30), "goal": "亲和力达到 3.5",
        "coach_team": "亲和力小组",
        "round_id": first_round_id, "target_item_id": _item_id(db, "亲和力"),
        "target_score": 3.5, "target_fcr": 0.7}
    values.update(overrides)
    return coaching.create_pair(db, actor=world["trainer"],
                                data=coaching.PairInput(**values))  # type: ignore[arg-type]


def test_a_pair_is_tracked_against_its_goal(db: Session, world: World) -> None:
    _, first, second = reassessed(db, world)
    pair = _pair(db, world, first.id)
    # T001's calls: 10 of 20 before the pair started, 16 of 20 during it.
    add_calls(db, team="测试组", agent_id="T001", day=today() - timedelta(days=40), n=20,
              resolved=10)
    add_calls(db, team="测试组", agent_id="T001", day=today() - timedelta(days=5), n=20,
              resolved=16)
    tracking = coaching.track_pair(db, actor=world["trainer"], pair_id=pair.id)
    assert (tracking.coach.agent_id, tracking.mentee.agent_id) == ("T002", "T001")
    assert tracking.item_name == "亲和力"
    assert (tracking.baseline_score, tracking.latest_score) == (2.0, 4.0)
    assert tracking.latest_round == second
    assert (tracking.fcr_before, tracking.fcr_during, tracking.calls_during) == (0.5, 0.8, 20)
    assert tracking.reached is True


def test_goal_reached_rule() -> None:
    pair = CoachingPair(target_item_id=1, target_score=3.5, target_fcr=0.7)
    assert coaching.goal_reached(pair, 3.6, 0.75, 30) is True
    assert coaching.goal_reached(pair, 3.4, 0.75, 30) is False
    assert coaching.goal_reached(pair, 3.6, 0.65, 30) is False
    assert coaching.goal_reached(pair, None, 0.75, 30) is None
    assert coaching.goal_reached(pair, 3.6, 0.75, 5) is None  # too few calls
    assert coaching.goal_reached(CoachingPair(), None, None, 0) is None


def test_success_credits_the_coach_once(db: Session, world: World) -> None:
    _, first, _ = reassessed(db, world)
    pair = _pair(db, world, first.id)
    ended = coaching.end_pair(db, actor=world["trainer"], pair_id=pair.id,
                              data=coaching.PairEnd(True, "亲和力从 2 分提到 4 分"))
    assert ended.status == PairStatus.SUCCEEDED
    assert ended.points == 20
    from seci.roster.models import RosterAgent
    coach = db.scalar(select(RosterAgent).where(RosterAgent.agent_id == "T002"))
    assert coach is not None
    coach_user = coach.user_id
    entries = list(db.scalars(select(PointEntry).where(PointEntry.user_id == coach_user)))
    assert [(e.reason_code, e.source_type, e.source_id) for e in entries] == [
        ("coaching_pair_succeeded", "coaching_pair", pair.id)]
    with pytest.raises(PairEnded):
        coaching.end_pair(db, actor=world["trainer"], pair_id=pair.id,
                          data=coaching.PairEnd(True, "再来一次"))


def test_an_honour_needs_an_incentive_manager(db: Session, world: World) -> None:
    _, first, _ = reassessed(db, world)
    pair = _pair(db, world, first.id)
    with pytest.raises(HonourNotAllowed):
        coaching.end_pair(db, actor=world["trainer"], pair_id=pair.id,
                          data=coaching.PairEnd(True, "带教有方", honour_title="金牌师傅"))
    ended = coaching.end_pair(db, actor=world["manager"], pair_id=pair.id,
                              data=coaching.PairEnd(True, "带教有方", honour_title="金牌师傅"))
    honour = db.get(Honour, ended.honour_id)
    assert honour is not None and honour.title == "金牌师傅"


def test_a_failed_pair_earns_nothing(db: Session, world: World) -> None:
    _, first, _ = reassessed(db, world)
    pair = _pair(db, world, first.id)
    ended = coaching.end_pair(db, actor=world["trainer"], pair_id=pair.id,
                              data=coaching.PairEnd(False, "未达到目标"))
    assert (ended.status, ended.points) == (PairStatus.ENDED, None)


def test_pair_input_is_checked(db: Session, world: World) -> None:
    _, first, _ = reassessed(db, world)
    with pytest.raises(FieldErrors) as bad:
        _pair(db, world, first.id, mentee="T002", ends_on=today() - timedelta(days=60),
              target_score=6.0)
    assert {e["code"] for e in bad.value.errors} == {
        "coaching_same_agent", "coaching_period", "out_of_range"}
    with pytest.raises(FieldErrors):
        _pair(db, world, first.id, coach="X404")
    assert [p.id for p, _, _ in coaching.list_pairs(db, actor=world["trainer"])] == []


def test_monthly_proposals_from_the_evidence(db: Session, world: World) -> None:
    month = today().replace(day=1)
    now = utcnow()
    for confident in (False, False, True):
        db.add(SearchLog(user_id=world["agent"].id, query="副卡怎么注销",
                         normalized="副卡怎么注销", at=now, confident=confident))
    db.add(SearchLog(user_id=world["agent"].id, query="老查询", normalized="老查询",
                     at=now - timedelta(days=62), confident=False))
    db.add(MiningRun(start=month, end=month, calls=500, created_at=now, findings={
        "knowledge_gaps": [
            {"topic": "携号转网", "is_gap": True, "calls": 120,
             "example_questions": ["转网要多久", "转出去号码还能用吗"]},
            {"topic": "话费查询", "is_gap": False, "calls": 300}]}))
    article = make_article(db, world, title="5G套餐资费")
    db.add(ArticleFeedback(article_id=article.id, reporter_id=world["agent"].id, kind="wrong",
                           comment="月费写错了", status=FeedbackStatus.ACCEPTED))
    db.flush()
    proposals = monthly.propose_monthly_content(db, actor=world["trainer"], month=month)
    by_source = {p.source: p for p in proposals}
    assert [p.title for p in proposals if p.source == "search"] == ["副卡怎么注销"]
    assert by_source["search"].count == 2
    assert (by_source["gap"].title, by_source["gap"].detail) == (
        "携号转网", "转网要多久\n转出去号码还能用吗")
    assert (by_source["feedback"].article_id, by_source["feedback"].detail) == (
        article.id, "月费写错了")
    assert by_source["new_knowledge"].article_id == article.id
    assert monthly.propose_monthly_content(
        db, actor=world["trainer"], month=date(2020, 1, 1)) == []

    plan = plans.create_monthly_plan(db, actor=world["trainer"], team="一班", month=month,
                                     title="十二月在岗培训")
    added = monthly.add_proposals(db, actor=world["trainer"], plan_id=plan.id, month=month,
                                  keys=[by_source["search"].key,
                                        by_source["new_knowledge"].key])
    assert [(i.kind, i.source) for i in added] == [("lesson", "search"),
                                                  ("article", "new_knowledge")]
    again = monthly.add_proposals(db, actor=world["trainer"], plan_id=plan.id, month=month,
                                  keys=[by_source["search"].key])
    assert again == []
    with pytest.raises(FieldErrors):
        monthly.add_proposals(db, actor=world["trainer"], plan_id=plan.id, month=month,
                              keys=["search:没有这个"])
