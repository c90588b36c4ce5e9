"""Demo certification (技能鉴定) and growth stages: requirements for the specialist seats
the demo agents sit in (the formal exam, a growth stage), each demo agent certified for
their current queues — by the rules where their exam result meets them, otherwise by the
manager with a reason (certified before SECI) — one certification expiring soon, and stage
rules under which at least one roster agent is ready to move up."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.core.clock import today
from seci.people import certification, stages
from seci.people.certification import RequirementData
from seci.people.exam_models import Exam
from seci.people.stages import StageRuleData
from seci.roster.models import Stage

GATED = {"话费专席": None, "数据专席": None, "投诉专席": Stage.GROWING, "VIP": Stage.GROWING}
DEMO_AGENTS = ("agent", "agent2", "agent3")
PRIOR_REASON = "SECI 启用前已通过线下技能鉴定（纸质试卷存档）"


def load_certification_demo(session: Session, users: dict[str, User],
                            formal: Exam | None) -> None:
    manager = users["manager"]
    queues = {q.code: q for q, _r in certification.list_requirements(session, actor=manager)}
    for code, stage in GATED.items():
        if code in queues:
            certification.set_requirement(
                session, actor=manager, queue_id=queues[code].id, data=RequirementData(
                    exam_rules=[(formal.id, 60)] if formal is not None else [],
                    min_stage=stage, validity_months=12))
    soon = None
    for name in DEMO_AGENTS:
        user = users[name]
        for queue_id in sorted(user.queue_ids):
            if certification.requirement_for(session, queue_id=queue_id) is None:
                continue
            held = certification.grant_if_met(session, actor=manager, user_id=user.id,
                                              queue_id=queue_id)
            if held is None:
                held = certification.grant_by_manager(
                    session, actor=manager, user_id=user.id, queue_id=queue_id,
                    reason=PRIOR_REASON)
            soon = soon or held
    if soon is not None:
        soon.expires_on = today() + timedelta(days=12)  # shows up for the team lead
    stages.set_stage_rule(session, actor=manager, stage=Stage.GROWING, data=StageRuleData(
        min_tenure_months=3, min_fcr=0.6))
    stages.set_stage_rule(session, actor=manager, stage=Stage.MATURE, data=StageRuleData(
        min_tenure_months=12, min_certifications=1, min_fcr=0.7, min_satisfaction=4.0))
    session.flush()
