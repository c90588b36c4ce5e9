"""REST API of certification per queue (/api/v1/certifications) and growth stages
(/api/v1/stages): requirements, evaluation, granting (rules met for a team, or a manager
with a reason), revocation, expiring and re-certification lists; stage rules, readiness,
number and quality per stage and queue, moving an agent up."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from seci.core.http import CurrentUser, SessionDep
from seci.people import certification, stages
from seci.people.cert_models import Certification, CertRequirement
from seci.people.cert_schemas import (
    CertificationRead,
    CheckRead,
    EvaluationRead,
    ExamRule,
    ItemRule,
    ManagerGrantWrite,
    MoveUpWrite,
    RequirementRead,
    RequirementWrite,
    RevokeWrite,
    StageEvaluationRead,
    StageQualityRead,
    StageRuleRead,
    StageRuleWrite,
    TeamGrantRead,
    TeamGrantWrite,
)
from seci.people.certification import Check, Evaluation, HeldRow
from seci.roster.models import RosterAgent

router = APIRouter(prefix="/api/v1/certifications", tags=["certifications"])
stages_router = APIRouter(prefix="/api/v1/stages", tags=["stages"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not logged in (problem details)"},
    403: {"description": "Permission denied (problem details)"},
    404: {"description": "Not found, or an agent of a team you do not work with, or a queue "
                         "without requirements (problem details)"},
    409: {"description": "Not in a state that allows this: the last stage, not ready to move "
                         "up (problem details)"},
    422: {"description": "Invalid input (problem details with `errors`)"},
}


# --- builders ---------------------------------------------------------------------------

def check_read(check: Check) -> CheckRead:
    return CheckRead(kind=check.kind, target=check.target, target_id=check.target_id,
                     required=check.required, actual=check.actual, met=check.met)


def evaluation_read(found: Evaluation) -> EvaluationRead:
    return EvaluationRead(user_id=found.user.id, username=found.user.username,
                          agent_id=found.agent.agent_id if found.agent else None,
                          queue=found.queue.code, met=found.met, certified=found.certified,
                          checks=[check_read(c) for c in found.checks])


def certification_read(cert: Certification, username: str, team: str | None, queue: str
                       ) -> CertificationRead:
    return CertificationRead(
        id=cert.id, user_id=cert.user_id, username=username, team=team, queue=queue,
        granted_at=cert.granted_at, expires_on=cert.expires_on, basis=cert.basis,
        reason=cert.reason, revoked_at=cert.revoked_at, recert_due_at=cert.recert_due_at)


def held_read(row: HeldRow) -> CertificationRead:
    return certification_read(row.certification, row.user.username, row.team, row.queue.code)


def requirement_read(queue_id: int, code: str, found: CertRequirement | None
                     ) -> RequirementRead:
    if found is None:
        return RequirementRead(queue=code, queue_id=queue_id, gated=False)
    return RequirementRead(
        queue=code, queue_id=queue_id, gated=True,
        exam_rules=[ExamRule(exam_id=r["exam_id"], min_percent=r["min_percent"])
                    for r in found.exam_rules],
        item_rules=[ItemRule(item_id=r["item_id"], min_score=r["min_score"])
                    for r in found.item_rules],
        min_stage=found.min_stage, min_fcr=found.min_fcr,
        min_satisfaction=found.min_satisfaction, validity_months=found.validity_months)


# --- requirements -------------------------------------------------------------------------

@router.get("/requirements", response_model=list[RequirementRead], responses=ERRORS)
def list_requirements(db: SessionDep, user: CurrentUser) -> list[RequirementRead]:
    """Every queue with its requirements (gated: False for an open queue)."""
    return [requirement_read(q.id, q.code, r)
            for q, r in certification.list_requirements(db, actor=user)]


@router.put("/requirements/{queue_id}", response_model=RequirementRead, responses=ERRORS)
def set_requirement(queue_id: int, body: RequirementWrite, db: SessionDep,
                    user: CurrentUser) -> RequirementRead:
    """Set a queue's requirements (managers); from then on its agents need a certification."""
    found = certification.set_requirement(
        db, actor=user, queue_id=queue_id, data=certification.RequirementData(
            exam_rules=[(r.exam_id, r.min_percent) for r in body.exam_rules],
            item_rules=[(r.item_id, r.min_score) for r in body.item_rules],
            min_stage=body.min_stage, min_fcr=body.min_fcr,
            min_satisfaction=body.min_satisfaction, validity_months=body.validity_months))
    queue = certification.queue_of(db, queue_id)
    return requirement_read(queue.id, queue.code, found)


@router.delete("/requirements/{queue_id}", status_code=204, responses=ERRORS)
def clear_requirement(queue_id: int, db: SessionDep, user: CurrentUser) -> None:
    """Remove a queue's requirements: it is open again (managers)."""
    certification.clear_requirement(db, actor=user, queue_id=queue_id)


# --- evaluation and granting --------------------------------------------------------------

@router.get("/evaluation", response_model=list[EvaluationRead], responses=ERRORS)
def evaluate(db: SessionDep, user: CurrentUser, queue_id: int,
             team: str | None = Query(default=None, max_length=40),
             user_id: int | None = None) -> list[EvaluationRead]:
    """One agent (``user_id``) or every agent of a team against a queue's requirements:
    per requirement, met or not, with the agent's figure."""
    if user_id is not None:
        return [evaluation_read(certification.evaluate(db, actor=user, user_id=user_id,
                                                       queue_id=queue_id))]
    return [evaluation_read(e) for e in certification.evaluate_team(
        db, actor=user, team=team or user.team or "", queue_id=queue_id)]


@router.post("/grant-team", response_model=TeamGrantRead, responses=ERRORS)
def grant_team(body: TeamGrantWrite, db: SessionDep, user: CurrentUser) -> TeamGrantRead:
    """Grant the queue's certification to every agent of the team who meets its rules."""
    report = certification.grant_when_met(db, actor=user, team=body.team,
                                          queue_id=body.queue_id)
    queue = certification.queue_of(db, body.queue_id)
    granted = [certification_read(c, certification.username_of(db, c.user_id), body.team,
                                  queue.code) for c in report.granted]
    return TeamGrantRead(granted=granted,
                         already=[evaluation_read(e) for e in report.already],
                         not_met=[evaluation_read(e) for e in report.not_met])


@router.post("", status_code=201, response_model=CertificationRead, responses=ERRORS)
def grant_by_manager(body: ManagerGrantWrite, db: SessionDep, user: CurrentUser
                     ) -> CertificationRead:
    """A manager grants a certification whatever the rules say, with a reason (audited):
    the queue gate's override."""
    cert = certification.grant_by_manager(db, actor=user, user_id=body.user_id,
                                          queue_id=body.queue_id, reason=body.reason)
    queue = certification.queue_of(db, body.queue_id)
    return certification_read(cert, certification.username_of(db, cert.user_id), None,
                              queue.code)


@router.post("/{certification_id}/revoke", response_model=CertificationRead, responses=ERRORS)
def revoke(certification_id: int, body: RevokeWrite, db: SessionDep, user: CurrentUser
           ) -> CertificationRead:
    """Revoke a certification (managers, with a reason)."""
    cert = certification.revoke(db, actor=user, certification_id=certification_id,
                                reason=body.reason)
    queue = certification.queue_of(db, cert.queue_id)
    return certification_read(cert, certification.username_of(db, cert.user_id), None,
                              queue.code)


@router.get("", response_model=list[CertificationRead], responses=ERRORS)
def list_certifications(db: SessionDep, user: CurrentUser,
                        team: str | None = Query(default=None, max_length=40)
                        ) -> list[CertificationRead]:
    """Valid certifications of the agents you work with, soonest expiry first."""
    return [held_read(r) for r in certification.list_certifications(db, actor=user, team=team)]


@router.get("/expiring", response_model=list[CertificationRead], responses=ERRORS)
def expiring(db: SessionDep, user: CurrentUser,
             days: int = Query(default=certification.EXPIRING_DAYS, ge=1, le=365)
             ) -> list[CertificationRead]:
    """Valid certifications expiring within ``days`` (default 30), for the team lead."""
    return [held_read(r) for r in certification.expiring_certifications(
        db, actor=user, within_days=days)]


@router.get("/recertification", response_model=list[CertificationRead], responses=ERRORS)
def recertification(db: SessionDep, user: CurrentUser) -> list[CertificationRead]:
    """Certifications whose holders must re-certify after a material article change."""
    return [held_read(r) for r in certification.recertification_due(db, actor=user)]


@router.get("/mine", response_model=list[CertificationRead], responses=ERRORS)
def mine(db: SessionDep, user: CurrentUser) -> list[CertificationRead]:
    """Your own certifications (我的证书), revoked and expired ones too."""
    return [certification_read(c, user.username, user.team, q.code)
            for c, q in certification.own_certifications(db, actor=user)]


# --- growth stages ------------------------------------------------------------------------

@stages_router.get("/rules", response_model=list[StageRuleRead], responses=ERRORS)
def stage_rules(db: SessionDep, user: CurrentUser) -> list[StageRuleRead]:
    """The entry rules of each growth stage."""
    rows = []
    for stage, rule in stages.list_stage_rules(db, actor=user).items():
        if rule is None:
            rows.append(StageRuleRead(stage=stage, set=False))
        else:
            rows.append(StageRuleRead(
                stage=stage, set=True, min_tenure_months=rule.min_tenure_months,
                min_certifications=rule.min_certifications, min_fcr=rule.min_fcr,
                min_satisfaction=rule.min_satisfaction))
    return rows


@stages_router.put("/rules/{stage}", response_model=StageRuleRead, responses=ERRORS)
def set_stage_rule(stage: str, body: StageRuleWrite, db: SessionDep, user: CurrentUser
                   ) -> StageRuleRead:
    """Set the rules of entering a stage (managers)."""
    rule = stages.set_stage_rule(db, actor=user, stage=stage, data=stages.StageRuleData(
        **body.model_dump()))
    return StageRuleRead(stage=rule.stage, set=True, min_tenure_months=rule.min_tenure_months,
                         min_certifications=rule.min_certifications, min_fcr=rule.min_fcr,
                         min_satisfaction=rule.min_satisfaction)


def stage_evaluation_read(found: stages.StageEvaluation) -> StageEvaluationRead:
    agent: RosterAgent = found.agent
    return StageEvaluationRead(
        roster_agent_id=agent.id, agent_id=agent.agent_id, name=agent.name, team=agent.team,
        stage=agent.stage, tenure_months=found.tenure_months,
        certifications=found.certifications, next_stage=found.next_stage, ready=found.ready,
        checks=[check_read(c) for c in found.checks])


@stages_router.get("/agents", response_model=list[StageEvaluationRead], responses=ERRORS)
def stage_agents(db: SessionDep, user: CurrentUser,
                 team: str | None = Query(default=None, max_length=40),
                 ready: bool | None = None) -> list[StageEvaluationRead]:
    """Every current roster agent you work with: stage, tenure, and whether they meet the
    next stage's rules (ready to move up), with the reasons."""
    found = stages.evaluate_stages(db, actor=user, team=team)
    return [stage_evaluation_read(e) for e in found if ready is None or e.ready == ready]


@stages_router.get("/quality", response_model=list[StageQualityRead], responses=ERRORS)
def stage_quality(db: SessionDep, user: CurrentUser) -> list[StageQualityRead]:
    """Number and quality (数量和质量) of agents per stage, overall and per queue."""
    return [StageQualityRead(stage=g.stage, queue=g.queue, count=g.count,
                             mean_competency=g.mean_competency, competency_n=g.competency_n,
                             fcr=g.fcr, calls=g.calls)
            for g in stages.stage_quality(db, actor=user)]


@stages_router.post("/agents/{roster_agent_id}/move-up", response_model=StageEvaluationRead,
                    responses=ERRORS)
def move_up(roster_agent_id: int, body: MoveUpWrite, db: SessionDep, user: CurrentUser
            ) -> StageEvaluationRead:
    """Move an agent to the next stage (audited); someone not ready only by a manager with a
    reason."""
    agent = stages.move_up(db, actor=user, roster_agent_id=roster_agent_id, reason=body.reason)
    return next(stage_evaluation_read(e) for e in stages.evaluate_stages(
        db, actor=user, team=agent.team) if e.agent.id == agent.id)
