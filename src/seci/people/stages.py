"""Growth stages (新员工 → 成长期 → 成熟期, source 001): the rules of entering each stage that
managers edit (tenure in months, valid certifications held, FCR and satisfaction over the
last 90 days), the evaluation of every current roster agent (their stage, whether they meet
the next stage's rules — "ready to move up" — and why), the number and quality of agents
per stage and queue (数量和质量: head count, mean overall competency score of the latest
closed round, pooled FCR), and moving an agent up (audited).

Tenure in whole months: ``(y₂ − y₁)·12 + (m₂ − m₁) − [d₂ < d₁]``.
Pooled FCR of a group: Σ resolved first time / Σ calls of its agents over the period
(agents with fewer than ``MIN_CALLS`` calls still count in the pool).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seci.accounts.models import Queue, User, UserQueue
from seci.accounts.service import system_actor
from seci.audit.service import record
from seci.calls.kpis import Period, slice_counts
from seci.core.clock import today
from seci.core.errors import FieldErrors
from seci.people import access
from seci.people.cert_models import Certification, StageRule
from seci.people.certification import (
    KPI_DAYS,
    STAGE_ORDER,
    Check,
    Evidence,
    stage_rank,
)
from seci.people.errors import AgentNotFound, NotReadyToMoveUp, ReasonRequired, TopStage
from seci.roster.models import RosterAgent

MAX_TENURE_MONTHS = 240


def tenure_months(hired_on: date, on: date) -> int:
    """Whole months from the hire day to ``on`` (see the module's formula)."""
    months = (on.year - hired_on.year) * 12 + (on.month - hired_on.month)
    return max(0, months - (1 if on.day < hired_on.day else 0))


@dataclass(frozen=True)
class StageRuleData:
    min_tenure_months: int = 0
    min_certifications: int = 0
    min_fcr: float | None = None
    min_satisfaction: float | None = None


def stage_rules(session: Session) -> dict[str, StageRule | None]:
    """Each stage's entry rules (None: no rule set; 新员工 has none to enter)."""
    found = {r.stage: r for r in session.scalars(select(StageRule))}
    return {stage: found.get(stage) for stage in STAGE_ORDER}


def list_stage_rules(session: Session, *, actor: User) -> dict[str, StageRule | None]:
    access.require_cert_reader(actor)
    return stage_rules(session)


def set_stage_rule(session: Session, *, actor: User, stage: str, data: StageRuleData
                   ) -> StageRule:
    """Set the rules of entering a stage (managers; audited)."""
    access.require_cert_manager(actor)
    problems: list[dict[str, Any]] = []
    if stage not in STAGE_ORDER:
        problems.append({"field": "stage", "code": "invalid_choice", "value": stage})
    if not 0 <= data.min_tenure_months <= MAX_TENURE_MONTHS:
        problems.append({"field": "min_tenure_months", "code": "out_of_range", "min": 0,
                         "max": MAX_TENURE_MONTHS, "value": data.min_tenure_months})
    if not 0 <= data.min_certifications <= 20:
        problems.append({"field": "min_certifications", "code": "out_of_range", "min": 0,
                         "max": 20, "value": data.min_certifications})
    if data.min_fcr is not None and not 0 <= data.min_fcr <= 1:
        problems.append({"field": "min_fcr", "code": "out_of_range", "min": 0, "max": 1,
                         "value": data.min_fcr})
    if data.min_satisfaction is not None and not 1 <= data.min_satisfaction <= 5:
        problems.append({"field": "min_satisfaction", "code": "out_of_range", "min": 1,
                         "max": 5, "value": data.min_satisfaction})
    if problems:
        raise FieldErrors(problems)
    rule = session.get(StageRule, stage)
    before = _rule_snapshot(rule) if rule else None
    if rule is None:
        rule = StageRule(stage=stage)
        session.add(rule)
    rule.min_tenure_months = data.min_tenure_months
    rule.min_certifications = data.min_certifications
    rule.min_fcr = data.min_fcr
    rule.min_satisfaction = data.min_satisfaction
    rule.updated_by_id = actor.id
    session.flush()
    record(session, actor=actor, action="stage.rule_set", entity_type="stage_rule",
           before=before, after=_rule_snapshot(rule) | {"stage": stage})
    return rule


def _rule_snapshot(rule: StageRule) -> dict[str, object]:
    return {"min_tenure_months": rule.min_tenure_months,
            "min_certifications": rule.min_certifications, "min_fcr": rule.min_fcr,
            "min_satisfaction": rule.min_satisfaction}


# --- evaluation ---------------------------------------------------------------------------

@dataclass
class StageEvaluation:
    agent: RosterAgent
    tenure_months: int
    certifications: int
    next_stage: str | None
    checks: list[Check] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        """Meets every rule of the next stage (False in the last stage or without rules)."""
        return self.next_stage is not None and bool(self.checks) and all(
            c.met for c in self.checks)


def _next_stage(stage: str) -> str | None:
    rank = stage_rank(stage)
    return STAGE_ORDER[rank + 1] if 0 <= rank < len(STAGE_ORDER) - 1 else None


def _valid_counts(session: Session, user_ids: list[int], on: date) -> dict[int, int]:
    if not user_ids:
        return {}
    return {int(user_id): int(n) for user_id, n in session.execute(
        select(Certification.user_id, func.count(func.distinct(Certification.queue_id)))
        .where(Certification.user_id.in_(user_ids), Certification.revoked_at.is_(None),
               Certification.expires_on >= on)
        .group_by(Certification.user_id))}


def evaluate_agent_stage(agent: RosterAgent, rule: StageRule | None, *, on: date,
                         certifications: int, evidence: Evidence) -> StageEvaluation:
    """The agent against the entry rules of their next stage."""
    tenure = tenure_months(agent.hired_on, on)
    following = _next_stage(agent.stage)
    found = StageEvaluation(agent, tenure, certifications, following)
    if following is None or rule is None:
        return found
    found.checks.append(Check("tenure", "", rule.min_tenure_months, tenure,
                              tenure >= rule.min_tenure_months))
    if rule.min_certifications:
        found.checks.append(Check("certifications", "", rule.min_certifications,
                                  certifications, certifications >= rule.min_certifications))
    fcr, sat = evidence.kpis(agent)
    if rule.min_fcr is not None:
        found.checks.append(Check("fcr", "", rule.min_fcr, fcr,
                                  fcr is not None and fcr >= rule.min_fcr))
    if rule.min_satisfaction is not None:
        found.checks.append(Check("satisfaction", "", rule.min_satisfaction, sat,
                                  sat is not None and sat >= rule.min_satisfaction))
    return found


def _visible_agents(session: Session, actor: User, team: str | None) -> list[RosterAgent]:
    query = select(RosterAgent).where(RosterAgent.left_on.is_(None))
    if team:
        query = query.where(RosterAgent.team == team)
    agents = session.scalars(query.order_by(RosterAgent.team, RosterAgent.agent_id))
    return [a for a in agents if access.may_certify_team(actor, a.team)]


def evaluate_stages(session: Session, *, actor: User, team: str | None = None,
                    on: date | None = None) -> list[StageEvaluation]:
    """Every current roster agent the actor works with: stage, tenure and readiness for the
    next stage with the reasons."""
    access.require_cert_reader(actor)
    on = on or today()
    agents = _visible_agents(session, actor, team)
    rules = stage_rules(session)
    counts = _valid_counts(session, [a.user_id for a in agents if a.user_id], on)
    evidence = Evidence(session)
    return [evaluate_agent_stage(
        a, rules.get(_next_stage(a.stage) or ""), on=on,
        certifications=counts.get(a.user_id, 0) if a.user_id else 0, evidence=evidence)
        for a in agents]


@dataclass
class StageQuality:
    """数量和质量 of one stage in one queue (queue None: every agent of the stage)."""

    stage: str
    queue: str | None
    count: int = 0
    competency_sum: float = 0.0
    competency_n: int = 0
    calls: int = 0
    resolved: int = 0

    @property
    def mean_competency(self) -> float | None:
        return self.competency_sum / self.competency_n if self.competency_n else None

    @property
    def fcr(self) -> float | None:
        return self.resolved / self.calls if self.calls else None


def stage_quality(session: Session, *, actor: User, on: date | None = None
                  ) -> list[StageQuality]:
    """Head count, mean overall competency score and pooled FCR per stage, overall and per
    queue (an agent counts in every queue of their login)."""
    access.require_cert_reader(actor)
    on = on or today()
    agents = _visible_agents(session, actor, None)
    end = on - timedelta(days=1)
    period = Period(start=end - timedelta(days=KPI_DAYS - 1), end=end)
    calls = {str(r.keys["agent"]): (r.counts.n, r.counts.fcr) for r in slice_counts(
        session, actor=system_actor(), by=["agent"], period=period)}
    queue_names = {q.id: q.name for q in session.scalars(select(Queue))}
    queues_of: dict[int, list[str]] = {}
    user_ids = [a.user_id for a in agents if a.user_id]
    if user_ids:
        for user_id, queue_id in session.execute(select(UserQueue.user_id, UserQueue.queue_id)
                                                 .where(UserQueue.user_id.in_(user_ids))):
            queues_of.setdefault(user_id, []).append(queue_names[queue_id])
    evidence = Evidence(session)
    groups: dict[tuple[str, str | None], StageQuality] = {}
    for agent in agents:
        keys: list[str | None] = [None, *sorted(queues_of.get(agent.user_id or 0, []))]
        scores = evidence.competency(agent)
        n, resolved = calls.get(agent.agent_id, (0, 0))
        for queue in keys:
            group = groups.setdefault((agent.stage, queue), StageQuality(agent.stage, queue))
            group.count += 1
            if scores is not None and scores[1] is not None:
                group.competency_sum += scores[1]
                group.competency_n += 1
            group.calls += n
            group.resolved += resolved
    return sorted(groups.values(), key=lambda g: (stage_rank(g.stage), g.queue or ""))


def move_up(session: Session, *, actor: User, roster_agent_id: int, reason: str = ""
            ) -> RosterAgent:
    """Move an agent to the next growth stage (team leads for their team, trainers and
    managers; audited). Someone not ready moves up only by a manager, with a reason."""
    access.require_cert_reader(actor)
    agent = session.get(RosterAgent, roster_agent_id)
    if agent is None or not access.may_certify_team(actor, agent.team):
        raise AgentNotFound()
    following = _next_stage(agent.stage)
    if following is None:
        raise TopStage()
    on = today()
    counts = _valid_counts(session, [agent.user_id] if agent.user_id else [], on)
    found = evaluate_agent_stage(agent, stage_rules(session).get(following), on=on,
                                 certifications=counts.get(agent.user_id or 0, 0),
                                 evidence=Evidence(session))
    reason = reason.strip()
    if not found.ready:
        if not access.may_manage_certification(actor):
            raise NotReadyToMoveUp()
        if not reason:
            raise ReasonRequired()
    before = agent.stage
    agent.stage = following
    session.flush()
    record(session, actor=actor, action="stage.move_up", entity_type="roster_agent",
           entity_id=agent.id, summary=f"{agent.name} ({agent.agent_id})",
           before={"stage": before}, after={"stage": following, "reason": reason,
                                            "ready": found.ready})
    return agent
