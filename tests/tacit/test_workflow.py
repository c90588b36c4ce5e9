"""Each state change of the six steps, who may make it, and its trail."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.audit.models import AuditEvent
from seci.core.errors import FieldErrors, PermissionDenied
from seci.knowledge import articles as kb
from seci.knowledge.models import ArticleStatus
from seci.tacit import evaluation as ev
from seci.tacit import incentives, mining, promotion, screening
from seci.tacit.errors import (
    EvaluationNeedsData,
    NotEvaluationOwner,
    OwnContribution,
    WrongStep,
)
from seci.tacit.models import Status
from tests.factories import World, make_article
from tests.tacit.helpers import FIGURES, SCORES, in_trial, promoted, submit


def _audit_actions(db: Session, contribution_id: int) -> list[str]:
    return list(db.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == "contribution",
        AuditEvent.entity_id == str(contribution_id),
        AuditEvent.action != "points.award").order_by(AuditEvent.id)))


def _points(db: Session, contribution_id: int) -> dict[str, int]:
    return {e.reason_code: e.points for e in incentives.points_of(
        db, source_type="contribution", source_id=contribution_id)}


def test_submission_records_author_source_and_method_name(db: Session, world: World
                                                          ) -> None:
    contribution = submit(db, world)
    assert contribution.status == Status.SUBMITTED
    assert contribution.method_name == "雪豹小组工单拦截四步曲"
    assert contribution.author_id == contribution.recorded_by_id == world["agent"].id
    assert [e.to_status for e in mining.history(db, contribution_id=contribution.id)] == [
        "submitted"]
    assert _audit_actions(db, contribution.id) == ["contribution.submitted"]


def test_a_supervisor_records_on_behalf_of_an_agent_but_an_agent_cannot(
        db: Session, world: World) -> None:
    recorded = submit(db, world, author="agent", actor="supervisor")
    assert (recorded.author_id, recorded.recorded_by_id) == (world["agent"].id,
                                                             world["supervisor"].id)
    with pytest.raises(PermissionDenied):
        submit(db, world, author="agent_data", actor="agent")


def test_submission_checks_its_fields(db: Session, world: World) -> None:
    with pytest.raises(FieldErrors) as caught:
        mining.submit_contribution(db, actor=world["agent"], data=mining.ContributionInput(
            title=" ", content="", kind="poem", source="rumour"))
    assert {e["field"] for e in caught.value.errors} == {"title", "content", "kind", "source"}


def test_nobody_screens_a_contribution_they_wrote_or_recorded(db: Session, world: World
                                                              ) -> None:
    own = submit(db, world, author="reviewer")
    with pytest.raises(OwnContribution):
        screening.reject(db, contribution_id=own.id, actor=world["reviewer"],
                         screening=SCORES, reason="x")
    recorded = submit(db, world, author="agent", actor="manager")
    with pytest.raises(OwnContribution):
        screening.reject(db, contribution_id=recorded.id, actor=world["manager"],
                         screening=SCORES, reason="x")


@pytest.mark.parametrize("role", ["agent", "editor", "supervisor", "trainer", "analyst",
                                  "admin"])
def test_only_screeners_screen(db: Session, world: World, role: str) -> None:
    contribution = submit(db, world, author="agent_data")
    with pytest.raises(PermissionDenied):
        screening.start_trial(db, contribution_id=contribution.id, actor=world[role],
                              screening=SCORES, team="A组", starts=date(2026, 1, 1),
                              ends=date(2026, 1, 31))


def test_reject_needs_a_reason_and_pays_nothing(db: Session, world: World) -> None:
    contribution = submit(db, world)
    with pytest.raises(FieldErrors):
        screening.reject(db, contribution_id=contribution.id, actor=world["reviewer"],
                         screening=SCORES, reason=" ")
    screening.reject(db, contribution_id=contribution.id, actor=world["reviewer"],
                     screening=SCORES, reason="与现有知识重复")
    assert contribution.status == Status.REJECTED
    assert contribution.decision_reason == "与现有知识重复"
    assert contribution.score_usable == 5
    assert _points(db, contribution.id) == {}
    assert _audit_actions(db, contribution.id)[-1] == "contribution.rejected"
    with pytest.raises(WrongStep):
        screening.reject(db, contribution_id=contribution.id, actor=world["reviewer"],
                         screening=SCORES, reason="again")


def test_scores_are_one_to_five(db: Session, world: World) -> None:
    contribution = submit(db, world)
    bad = screening.Screening(category="gossip", timely=0, usable=6, accurate=3,
                              generality=3)
    with pytest.raises(FieldErrors) as caught:
        screening.reject(db, contribution_id=contribution.id, actor=world["reviewer"],
                         screening=bad, reason="x")
    assert {e["field"] for e in caught.value.errors} == {"category", "score_timely",
                                                         "score_usable"}


def test_merge_creates_a_revision_draft_of_the_article(db: Session, world: World) -> None:
    article = make_article(db, world)
    contribution = submit(db, world)
    screening.merge_into_article(db, contribution_id=contribution.id, actor=world["manager"],
                                 screening=SCORES, article_id=article.id)
    revised = kb.get_article(db, article_id=article.id)
    assert revised.status == ArticleStatus.DRAFT  # goes through review like any edit
    assert "雪豹小组工单拦截四步曲" in revised.body
    assert revised.live_version is not None
    assert "雪豹小组" not in revised.live_version.body  # agents still see the old version
    assert contribution.status == Status.MERGED
    assert contribution.merged_article_id == article.id
    assert _points(db, contribution.id) == {"contribution_submitted": 5,
                                            "contribution_adopted": 10}


def test_route_follow_up_and_answer(db: Session, world: World) -> None:
    contribution = submit(db, world)
    screening.route_to_department(db, contribution_id=contribution.id,
                                  actor=world["reviewer"],
                                  screening=screening.Screening("department", 4, 3, 4, 4),
                                  department="IT支撑部", due=date(2026, 12, 1))
    screening.follow_up(db, contribution_id=contribution.id, actor=world["reviewer"],
                        note="已电话催办")
    screening.record_answer(db, contribution_id=contribution.id, actor=world["reviewer"],
                            answer="系统将于12月版本支持")
    kinds = [(e.kind, e.to_status) for e in mining.history(db,
                                                           contribution_id=contribution.id)]
    assert kinds == [("transition", "submitted"), ("transition", "routed"),
                     ("follow_up", None), ("transition", "answered")]
    assert contribution.route_answer == "系统将于12月版本支持"
    assert _points(db, contribution.id) == {"contribution_submitted": 5}


def test_trial_then_promotion_to_a_best_practice_article(db: Session, world: World) -> None:
    contribution = promoted(db, world, publish=False)
    assert contribution.status == Status.PROMOTING
    article = kb.get_article(db, article_id=contribution.article_id or 0)
    assert article.status == ArticleStatus.IN_REVIEW  # the KB's four-eyes review applies
    assert article.title == "雪豹小组工单拦截四步曲"
    assert "最佳实践" in article.tags
    assert promotion.best_practice_module(db).id == article.module_id
    assert promotion.sync_promotions(db) == []  # not published yet
    with pytest.raises(PermissionDenied):  # the promoter cannot approve their own article
        kb.approve_article(db, article_id=article.id, actor=world["manager"])
    kb.approve_article(db, article_id=article.id, actor=world["reviewer"])
    assert promotion.sync_promotions(db) == [contribution]
    assert contribution.status == Status.EVALUATING
    assert _points(db, contribution.id) == {"contribution_submitted": 5,
                                            "contribution_adopted": 10,
                                            "contribution_promoted": 20}


def test_promotion_needs_the_right_and_a_trial(db: Session, world: World) -> None:
    contribution = submit(db, world)
    with pytest.raises(WrongStep):
        promotion.promote(db, contribution_id=contribution.id, actor=world["manager"],
                          evaluation_owner_id=world["analyst"].id,
                          evaluation_due=date(2026, 12, 31))
    trial = in_trial(db, world, author="agent_data")
    with pytest.raises(PermissionDenied):
        promotion.promote(db, contribution_id=trial.id, actor=world["reviewer"],
                          evaluation_owner_id=world["analyst"].id,
                          evaluation_due=date(2026, 12, 31))
    with pytest.raises(FieldErrors):  # the owner must be able to evaluate
        promotion.promote(db, contribution_id=trial.id, actor=world["manager"],
                          evaluation_owner_id=world["agent"].id,
                          evaluation_due=date(2026, 12, 31))


def test_an_evaluation_cannot_be_closed_without_data(db: Session, world: World) -> None:
    contribution = promoted(db, world)
    with pytest.raises(EvaluationNeedsData):
        ev.close_evaluation(db, contribution_id=contribution.id, actor=world["analyst"],
                            verdict="effective", conclusion="有效")


def test_only_the_owner_or_a_manager_enters_data_and_closes(db: Session, world: World
                                                            ) -> None:
    contribution = promoted(db, world)
    with pytest.raises(NotEvaluationOwner):
        ev.save_figures(db, contribution_id=contribution.id, actor=world["supervisor"],
                        rows=FIGURES)
    ev.save_figures(db, contribution_id=contribution.id, actor=world["analyst"], rows=FIGURES)
    with pytest.raises(NotEvaluationOwner):
        ev.close_evaluation(db, contribution_id=contribution.id, actor=world["supervisor"],
                            verdict="effective", conclusion="有效")
    with pytest.raises(PermissionDenied):
        ev.close_evaluation(db, contribution_id=contribution.id, actor=world["agent"],
                            verdict="effective", conclusion="有效")
    ev.close_evaluation(db, contribution_id=contribution.id, actor=world["analyst"],
                        verdict="effective", conclusion="一次解决率显著提升")
    assert contribution.status == Status.EVALUATED
    assert _points(db, contribution.id)["contribution_proven"] == 30
    assert _audit_actions(db, contribution.id) == [
        "contribution.submitted", "contribution.trial", "contribution.promoting",
        "contribution.evaluating", "evaluation.figures", "evaluation.close",
        "contribution.evaluated"]


def test_a_not_effective_verdict_pays_no_proven_points(db: Session, world: World) -> None:
    contribution = promoted(db, world)
    ev.save_figures(db, contribution_id=contribution.id, actor=world["analyst"], rows=FIGURES)
    ev.close_evaluation(db, contribution_id=contribution.id, actor=world["manager"],
                        verdict="not_effective", conclusion="提升来自季节因素")
    assert "contribution_proven" not in _points(db, contribution.id)
