"""Certification per queue: requirements, evaluation, granting, expiry, the queue gate in
the accounts service, a manager's override and re-certification after a material change."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts import service as accounts
from seci.accounts.roles import Role
from seci.audit.models import AuditEvent
from seci.core.clock import today
from seci.core.errors import FieldErrors
from seci.people import certification
from seci.people.cert_models import GrantBasis
from seci.people.certification import RequirementData, add_months
from seci.people.errors import NotCertified, ReasonRequired
from seci.people.exam_models import ExamAttemptItem, ExamQuestionArticle
from seci.people.models import CompetencyDimension, CompetencyItem
from seci.roster.models import Stage
from tests.factories import PASSWORD, World, make_article, revise
from tests.people.cert_helpers import certify, exam_with_bank, graded_attempt, require_exam
from tests.people.helpers import TEAM, make_team


def _add_queue(db: Session, world: World, name: str, code: str) -> None:
    user = world[name]
    accounts.update_user(db, user_id=user.id, actor=world["admin"], changes=accounts.UserChanges(
        queue_ids=set(user.queue_ids) | {world.queues[code].id}))


def test_add_months_clamps_to_the_end_of_a_shorter_month() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 12) == date(2027, 11, 15)
    assert add_months(date(2026, 12, 6), 3) == date(2027, 3, 6)


def test_a_queue_without_requirements_stays_open(db: Session, world: World) -> None:
    _add_queue(db, world, "agent", "B")
    assert world.queues["B"].id in world["agent"].queue_ids


def test_requirements_are_validated(db: Session, world: World) -> None:
    with pytest.raises(FieldErrors) as raised:
        certification.set_requirement(
            db, actor=world["manager"], queue_id=world.queues["B"].id, data=RequirementData(
                exam_rules=[(9999, 80)], min_stage="expert", min_fcr=1.5, validity_months=0))
    assert {e["field"] for e in raised.value.errors} == {
        "exam_rules", "min_stage", "min_fcr", "validity_months"}


def test_evaluation_says_per_requirement_met_or_not_and_why(db: Session, world: World) -> None:
    team = make_team(db, world)
    found = exam_with_bank(db, world)
    item_id = db.scalars(select(CompetencyItem.id).join(CompetencyDimension).where(
        CompetencyDimension.model_id == team.model.id)).first()
    assert item_id is not None
    certification.set_requirement(
        db, actor=world["manager"], queue_id=world.queues["B"].id, data=RequirementData(
            exam_rules=[(found.id, 80)], item_rules=[(item_id, 3.5)],
            min_stage=Stage.GROWING, min_fcr=0.7))
    agent = world["agent"]
    result = certification.evaluate(db, actor=world["trainer"], user_id=agent.id,
                                    queue_id=world.queues["B"].id)
    by_kind = {c.kind: c for c in result.checks}
    assert not result.met
    assert by_kind["exam"].actual is None and not by_kind["exam"].met
    assert by_kind["item"].actual is None  # no closed round yet
    assert by_kind["stage"].met and by_kind["stage"].actual == "mature"
    assert by_kind["fcr"].actual is None and not by_kind["fcr"].met
    graded_attempt(db, agent, found, 70)
    graded_attempt(db, agent, found, 90)
    result = certification.evaluate(db, actor=world["trainer"], user_id=agent.id,
                                    queue_id=world.queues["B"].id)
    exam_check = next(c for c in result.checks if c.kind == "exam")
    assert exam_check.met and exam_check.actual == 90  # the best formal attempt


def test_grant_when_met_certifies_the_team_in_one_step(db: Session, world: World) -> None:
    team = make_team(db, world)
    found = exam_with_bank(db, world)
    require_exam(db, world, "B", found, validity_months=6)
    graded_attempt(db, world["agent"], found, 85)
    graded_attempt(db, team.users["T002"], found, 60)
    report = certification.grant_when_met(db, actor=world["supervisor"], team=TEAM,
                                          queue_id=world.queues["B"].id)
    assert [c.user_id for c in report.granted] == [world["agent"].id]
    assert report.granted[0].basis == GrantBasis.RULES
    assert report.granted[0].expires_on == add_months(today(), 6)
    assert {e.user.id for e in report.not_met} == {team.users["T002"].id,
                                                   team.users["T003"].id}
    again = certification.grant_when_met(db, actor=world["trainer"], team=TEAM,
                                         queue_id=world.queues["B"].id)
    assert not again.granted and [e.user.id for e in again.already] == [world["agent"].id]


def test_the_gate_refuses_an_uncertified_agent_and_lets_a_certified_one_in(
        db: Session, world: World) -> None:
    make_team(db, world)
    found = exam_with_bank(db, world)
    require_exam(db, world, "B", found)
    with pytest.raises(NotCertified) as refused:
        _add_queue(db, world, "agent", "B")
    assert refused.value.status_code == 409
    assert refused.value.params["queue"] == world.queues["B"].name
    assert world.queues["B"].id not in world["agent"].queue_ids
    graded_attempt(db, world["agent"], found, 90)
    certification.grant_when_met(db, actor=world["trainer"], team=TEAM,
                                 queue_id=world.queues["B"].id)
    _add_queue(db, world, "agent", "B")
    assert world.queues["B"].id in world["agent"].queue_ids
    # Keeping a queue one already is in is never refused, nor are staff roles gated.
    require_exam(db, world, "A", found)
    accounts.update_user(db, user_id=world["agent"].id, actor=world["admin"],
                         changes=accounts.UserChanges(display_name="新名字"))
    _add_queue(db, world, "supervisor", "B")


def test_a_new_agent_cannot_be_created_in_a_gated_queue(db: Session, world: World) -> None:
    found = exam_with_bank(db, world)
    require_exam(db, world, "B", found)
    with pytest.raises(NotCertified):
        accounts.create_user(db, username="newbie", password=PASSWORD, roles=[Role.AGENT],
                             queue_ids=[world.queues["B"].id], actor=world["admin"])
    created = accounts.create_user(db, username="newbie", password=PASSWORD,
                                   roles=[Role.AGENT], queue_ids=[world.queues["A"].id],
                                   actor=world["admin"])
    assert created.queue_ids == {world.queues["A"].id}


def test_a_manager_overrides_by_granting_with_a_reason(db: Session, world: World) -> None:
    make_team(db, world)
    found = exam_with_bank(db, world)
    require_exam(db, world, "B", found)
    queue_id = world.queues["B"].id
    with pytest.raises(ReasonRequired):
        certification.grant_by_manager(db, actor=world["manager"], user_id=world["agent"].id,
                                       queue_id=queue_id, reason="  ")
    granted = certification.grant_by_manager(
        db, actor=world["manager"], user_id=world["agent"].id, queue_id=queue_id,
        reason="外呼专项支援，已线下考核")
    assert granted.basis == GrantBasis.MANAGER
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "cert.grant")).one()
    assert event.actor_id == world["manager"].id and "已线下考核" in str(event.after)
    _add_queue(db, world, "agent", "B")
    # Revoked: the agent keeps the queue but cannot be added to it again.
    certification.revoke(db, actor=world["manager"], certification_id=granted.id,
                         reason="复核未通过")
    accounts.update_user(db, user_id=world["agent"].id, actor=world["admin"],
                         changes=accounts.UserChanges(queue_ids={world.queues["A"].id}))
    with pytest.raises(NotCertified):
        _add_queue(db, world, "agent", "B")


def test_expired_certifications_fail_the_gate_and_expiring_ones_are_listed(
        db: Session, world: World) -> None:
    make_team(db, world)
    found = exam_with_bank(db, world)
    require_exam(db, world, "B", found)
    require_exam(db, world, "VIP", found)
    agent = world["agent"]
    certify(db, agent, world.queues["B"].id, today() - timedelta(days=1))
    soon = certify(db, agent, world.queues["VIP"].id, today() + timedelta(days=10))
    with pytest.raises(NotCertified):
        _add_queue(db, world, "agent", "B")
    _add_queue(db, world, "agent", "VIP")
    rows = certification.expiring_certifications(db, actor=world["supervisor"])
    assert [r.certification.id for r in rows] == [soon.id]
    assert rows[0].days_left == 10
    assert certification.count_expiring_certifications_for(db, world["supervisor"]) == 1
    assert certification.count_expiring_certifications_for(db, world["agent"]) == 0
    # A team lead of another team sees none of them.
    world["supervisor"].team = "别的组"
    assert certification.count_expiring_certifications_for(db, world["supervisor"]) == 0


def test_a_material_change_of_an_article_behind_an_exam_asks_for_re_certification(
        db: Session, world: World) -> None:
    make_team(db, world)
    found = exam_with_bank(db, world)
    require_exam(db, world, "B", found)
    attempt = graded_attempt(db, world["agent"], found, 90)
    certification.grant_when_met(db, actor=world["trainer"], team=TEAM,
                                 queue_id=world.queues["B"].id)
    article = make_article(db, world)
    question_id = db.scalars(select(ExamAttemptItem.question_id).where(
        ExamAttemptItem.attempt_id == attempt.id)).first()
    db.add(ExamQuestionArticle(question_id=question_id, article_id=article.id))
    db.flush()
    # Not pushed to agents: no re-certification.
    current = certification.valid_certification(db, user_id=world["agent"].id,
                                                queue_id=world.queues["B"].id)
    assert current is not None and current.recert_due_at is None
    revise(db, world, article, body="### 办理方式\n发送 KTMY 到 10086，资费调整为 30 元/天。")
    db.refresh(current)
    assert current.recert_due_at is not None and current.recert_article_id == article.id
    due = certification.recertification_due(db, actor=world["supervisor"])
    assert [r.certification.id for r in due] == [current.id]
    # The old attempt no longer counts; a new pass re-certifies.
    result = certification.evaluate(db, actor=world["trainer"], user_id=world["agent"].id,
                                    queue_id=world.queues["B"].id)
    assert not result.met and not result.certified
    graded_attempt(db, world["agent"], found, 95)
    report = certification.grant_when_met(db, actor=world["trainer"], team=TEAM,
                                          queue_id=world.queues["B"].id)
    assert [c.user_id for c in report.granted] == [world["agent"].id]
    assert certification.recertification_due(db, actor=world["supervisor"]) == []


def test_the_home_page_lists_expiring_and_re_certification(db: Session, world: World) -> None:
    from seci.people import todos
    make_team(db, world)
    cert = certify(db, world["agent"], world.queues["VIP"].id, today() + timedelta(days=7))
    lead = {t.kind: t for t in todos.todos_for(db, world["supervisor"])}
    assert lead["certification.expiring"].count == 1
    assert lead["certification.expiring"].due == cert.expires_on
    assert "certification.recertify_mine" not in {t.kind for t in todos.todos_for(
        db, world["agent"])}
    cert.recert_due_at = cert.granted_at
    db.flush()
    assert {t.kind for t in todos.todos_for(db, world["agent"])} >= {
        "certification.recertify_mine"}
    assert {t.kind: t.count for t in todos.todos_for(db, world["supervisor"])}[
        "certification.recertify"] == 1
