"""Certification per queue (技能鉴定, source 001): the requirements a manager sets for a
queue, the evaluation of an agent against them (per requirement: met or not, and why),
granting a certification when the rules are met (one agent or a whole team in one step),
a manager's grant with a reason (the queue gate's override), revocation, the certifications
expiring within 30 days for the team lead, and re-certification when the knowledge behind
a requirement's exam changes materially.

Requirements, each optional:
- exams: the agent's best formal attempt (graded, not practice) scores at least the mark;
  once a certification is flagged for re-certification only attempts finished after the
  flag count;
- competency items: the item's combined score (self, supervisor and peers weighted as the
  round says) in the latest closed assessment round of the agent's team, matched by the
  item's name (teams may use copies of a model), is at least the minimum;
- a growth stage: the roster's current stage is that stage or a later one;
- KPIs over the last ``KPI_DAYS`` days: first-contact resolution (share 0–1, at least
  ``MIN_CALLS`` calls) and mean satisfaction (1–5, at least ``MIN_RATED`` rated calls).
A certification is valid until the end of ``expires_on`` = grant day + the queue's
validity in months (clamped to the month's last day).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import Queue, User
from seci.accounts.service import system_actor
from seci.audit.service import record
from seci.calls.kpis import Period, first_contact_resolution, satisfaction_mean, slice_counts
from seci.core.clock import today, utcnow
from seci.core.db import insert_if_absent
from seci.core.errors import FieldErrors
from seci.people import access
from seci.people.cert_models import Certification, CertRequirement, GrantBasis
from seci.people.errors import (
    AgentNotFound,
    CertificationNotFound,
    ReasonRequired,
    RequirementNotFound,
)
from seci.people.exam_models import (
    AttemptStatus,
    Exam,
    ExamAttempt,
    ExamAttemptItem,
    ExamQuestionArticle,
)
from seci.people.models import (
    AssessmentRound,
    CompetencyDimension,
    CompetencyItem,
    CompetencyModel,
    RoundStatus,
)
from seci.people.queue_gate import valid_certification
from seci.people.results import compute_team_result
from seci.roster.models import RosterAgent, Stage

KPI_DAYS = 90
MIN_CALLS = 20
MIN_RATED = 10
EXPIRING_DAYS = 30
MAX_VALIDITY_MONTHS = 60
STAGE_ORDER: tuple[str, ...] = (Stage.NEW, Stage.GROWING, Stage.MATURE)
SUPERSEDED = "superseded"  # revoke_reason of a certification replaced by a newer grant


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the last day of a shorter month
    (2026-01-31 + 1 → 2026-02-28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def stage_rank(stage: str | None) -> int:
    """Position of a growth stage in 新员工 → 成长期 → 成熟期 (unknown: -1)."""
    return STAGE_ORDER.index(stage) if stage in STAGE_ORDER else -1


# --- requirements -------------------------------------------------------------------------

@dataclass(frozen=True)
class RequirementData:
    exam_rules: list[tuple[int, float]] = field(default_factory=list)  # exam id, min %
    item_rules: list[tuple[int, float]] = field(default_factory=list)  # item id, min 1–5
    min_stage: str | None = None
    min_fcr: float | None = None  # share 0–1
    min_satisfaction: float | None = None  # 1–5
    validity_months: int = 12


def _requirement_problems(session: Session, data: RequirementData) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []
    exam_ids = {exam_id for exam_id, _ in data.exam_rules}
    known_exams = set(session.scalars(select(Exam.id).where(Exam.id.in_(exam_ids))))
    for exam_id, mark in data.exam_rules:
        if exam_id not in known_exams:
            problems.append({"field": "exam_rules", "code": "invalid_choice", "value": exam_id})
        elif not 0 < mark <= 100:
            problems.append({"field": "exam_rules", "code": "out_of_range", "min": 1,
                             "max": 100, "value": mark})
    item_ids = {item_id for item_id, _ in data.item_rules}
    known_items = set(session.scalars(
        select(CompetencyItem.id).where(CompetencyItem.id.in_(item_ids))))
    for item_id, score in data.item_rules:
        if item_id not in known_items:
            problems.append({"field": "item_rules", "code": "invalid_choice", "value": item_id})
        elif not 1 <= score <= 5:
            problems.append({"field": "item_rules", "code": "out_of_range", "min": 1, "max": 5,
                             "value": score})
    if data.min_stage is not None and data.min_stage not in STAGE_ORDER:
        problems.append({"field": "min_stage", "code": "invalid_choice",
                         "value": data.min_stage})
    if data.min_fcr is not None and not 0 <= data.min_fcr <= 1:
        problems.append({"field": "min_fcr", "code": "out_of_range", "min": 0, "max": 1,
                         "value": data.min_fcr})
    if data.min_satisfaction is not None and not 1 <= data.min_satisfaction <= 5:
        problems.append({"field": "min_satisfaction", "code": "out_of_range", "min": 1,
                         "max": 5, "value": data.min_satisfaction})
    if not 1 <= data.validity_months <= MAX_VALIDITY_MONTHS:
        problems.append({"field": "validity_months", "code": "out_of_range", "min": 1,
                         "max": MAX_VALIDITY_MONTHS, "value": data.validity_months})
    return problems


def queue_of(session: Session, queue_id: int) -> Queue:
    """The queue (404 when there is none)."""
    found = session.get(Queue, queue_id)
    if found is None:
        raise RequirementNotFound(queue=queue_id)
    return found


def username_of(session: Session, user_id: int) -> str:
    user = session.get(User, user_id)
    return user.username if user else str(user_id)


def display_name_of(session: Session, user_id: int) -> str:
    user = session.get(User, user_id)
    return user.display_name if user else str(user_id)


def _snapshot(requirement: CertRequirement) -> dict[str, Any]:
    return {"exam_rules": requirement.exam_rules, "item_rules": requirement.item_rules,
            "min_stage": requirement.min_stage, "min_fcr": requirement.min_fcr,
            "min_satisfaction": requirement.min_satisfaction,
            "validity_months": requirement.validity_months}


def requirement_for(session: Session, *, queue_id: int) -> CertRequirement | None:
    """The queue's requirements (None: the queue is open)."""
    return session.scalar(select(CertRequirement).where(CertRequirement.queue_id == queue_id))


def list_requirements(session: Session, *, actor: User
                      ) -> list[tuple[Queue, CertRequirement | None]]:
    """Every queue in order with its requirements."""
    access.require_cert_reader(actor)
    by_queue = {r.queue_id: r for r in session.scalars(select(CertRequirement))}
    queues = session.scalars(select(Queue).where(Queue.archived.is_(False))
                             .order_by(Queue.position, Queue.id))
    return [(q, by_queue.get(q.id)) for q in queues]


def set_requirement(session: Session, *, actor: User, queue_id: int, data: RequirementData
                    ) -> CertRequirement:
    """Set a queue's certification requirements (managers; audited). From then on agents
    join the queue only with a valid certification."""
    access.require_cert_manager(actor)
    queue = queue_of(session, queue_id)
    problems = _requirement_problems(session, data)
    if problems:
        raise FieldErrors(problems)
    found = requirement_for(session, queue_id=queue_id)
    before = _snapshot(found) if found else None
    if found is None:  # a form sent twice at once makes one requirement
        insert_if_absent(session, CertRequirement, {"queue_id": queue_id}, ["queue_id"])
        found = requirement_for(session, queue_id=queue_id)
        assert found is not None
    found.exam_rules = [{"exam_id": e, "min_percent": float(m)} for e, m in data.exam_rules]
    found.item_rules = [{"item_id": i, "min_score": float(s)} for i, s in data.item_rules]
    found.min_stage = data.min_stage
    found.min_fcr = data.min_fcr
    found.min_satisfaction = data.min_satisfaction
    found.validity_months = data.validity_months
    found.updated_by_id = actor.id
    session.flush()
    record(session, actor=actor, action="cert.requirement_set", entity_type="queue",
           entity_id=queue.id, summary=queue.name, before=before, after=_snapshot(found))
    return found


def clear_requirement(session: Session, *, actor: User, queue_id: int) -> None:
    """Remove a queue's requirements: the queue is open again (managers; audited)."""
    access.require_cert_manager(actor)
    queue = queue_of(session, queue_id)
    found = requirement_for(session, queue_id=queue_id)
    if found is None:
        raise RequirementNotFound(queue=queue.name)
    before = _snapshot(found)
    session.delete(found)
    session.flush()
    record(session, actor=actor, action="cert.requirement_clear", entity_type="queue",
           entity_id=queue.id, summary=queue.name, before=before)


# --- evaluation ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Check:
    """One requirement: ``kind`` exam | item | stage | fcr | satisfaction; ``target`` the
    exam's title, the item's name or ""; ``actual`` None when there is no data."""

    kind: str
    target: str
    required: float | str
    actual: float | str | None
    met: bool
    target_id: int | None = None


@dataclass
class Evaluation:
    user: User
    agent: RosterAgent | None
    queue: Queue
    checks: list[Check]
    held: Certification | None

    @property
    def met(self) -> bool:
        return all(check.met for check in self.checks)

    @property
    def certified(self) -> bool:
        """Holds a valid certification that is not waiting for re-certification."""
        return self.held is not None and self.held.recert_due_at is None


def kpi_figures(session: Session, *, on: date | None = None
                ) -> dict[str, tuple[float | None, float | None]]:
    """Work number → (FCR, mean satisfaction) over the ``KPI_DAYS`` days before ``on``;
    None where the agent took fewer than ``MIN_CALLS`` calls (``MIN_RATED`` rated)."""
    end = (on or today()) - timedelta(days=1)
    period = Period(start=end - timedelta(days=KPI_DAYS - 1), end=end)
    figures: dict[str, tuple[float | None, float | None]] = {}
    for row in slice_counts(session, actor=system_actor(), by=["agent"], period=period):
        fcr = first_contact_resolution(row.counts).value if row.counts.n >= MIN_CALLS else None
        sat = (satisfaction_mean(row.counts).value if row.counts.rated >= MIN_RATED
               else None)
        figures[str(row.keys["agent"])] = (fcr, sat)
    return figures


class Evidence:
    """What evaluations read, loaded once per request: the latest closed round's scores
    per team, the KPIs, item names and exam titles."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._rounds: dict[str, dict[int, tuple[dict[str, float], float | None]]] = {}
        self._kpis: dict[str, tuple[float | None, float | None]] | None = None

    def competency(self, agent: RosterAgent) -> tuple[dict[str, float], float | None] | None:
        """Item name → combined score, and the overall score, of the agent in the latest
        closed round of their team (None: not rated)."""
        if agent.team not in self._rounds:
            latest = self.session.scalar(
                select(AssessmentRound)
                .where(AssessmentRound.team == agent.team,
                       AssessmentRound.status == RoundStatus.CLOSED)
                .order_by(AssessmentRound.closed_at.desc(), AssessmentRound.id.desc())
                .limit(1))
            people: dict[int, tuple[dict[str, float], float | None]] = {}
            if latest is not None:
                for person in compute_team_result(self.session, latest).people:
                    people[person.agent.id] = (
                        {i.name: i.score.combined for i in person.items
                         if i.score.combined is not None}, person.overall.combined)
            self._rounds[agent.team] = people
        return self._rounds[agent.team].get(agent.id)

    def kpis(self, agent: RosterAgent) -> tuple[float | None, float | None]:
        if self._kpis is None:
            self._kpis = kpi_figures(self.session)
        return self._kpis.get(agent.agent_id, (None, None))


def _best_mark(session: Session, user_id: int, exam_id: int, since: datetime | None
               ) -> float | None:
    query = select(ExamAttempt.score_percent).where(
        ExamAttempt.user_id == user_id, ExamAttempt.exam_id == exam_id,
        ExamAttempt.practice.is_(False), ExamAttempt.status == AttemptStatus.GRADED,
        ExamAttempt.score_percent.is_not(None))
    if since is not None:
        query = query.where(ExamAttempt.finished_at >= since)
    marks = [float(m) for m in session.scalars(query) if m is not None]
    return max(marks) if marks else None


def _threshold_check(kind: str, required: float, actual: float | None) -> Check:
    return Check(kind, "", required, actual, actual is not None and actual >= required)


def evaluate_against(session: Session, *, user: User, agent: RosterAgent | None,
                     queue: Queue, requirement: CertRequirement,
                     evidence: Evidence | None = None) -> Evaluation:
    """Each requirement of the queue, met or not with the agent's figure (no permission
    check: callers checked)."""
    evidence = evidence or Evidence(session)
    held = valid_certification(session, user_id=user.id, queue_id=queue.id)
    since = held.recert_due_at if held is not None else None
    checks: list[Check] = []
    for rule in requirement.exam_rules:
        exam = session.get(Exam, int(rule["exam_id"]))
        mark = _best_mark(session, user.id, int(rule["exam_id"]), since)
        required = float(rule["min_percent"])
        checks.append(Check("exam", exam.title if exam else str(rule["exam_id"]), required,
                            mark, mark is not None and mark >= required,
                            int(rule["exam_id"])))
    scores = evidence.competency(agent) if agent is not None else None
    for rule in requirement.item_rules:
        item = session.get(CompetencyItem, int(rule["item_id"]))
        name = item.name if item else str(rule["item_id"])
        score = scores[0].get(name) if scores else None
        required = float(rule["min_score"])
        checks.append(Check("item", name, required, score,
                            score is not None and score >= required, int(rule["item_id"])))
    if requirement.min_stage is not None:
        stage = agent.stage if agent is not None else None
        checks.append(Check("stage", requirement.min_stage, requirement.min_stage, stage,
                            stage_rank(stage) >= stage_rank(requirement.min_stage)))
    fcr, sat = evidence.kpis(agent) if agent is not None else (None, None)
    if requirement.min_fcr is not None:
        checks.append(_threshold_check("fcr", requirement.min_fcr, fcr))
    if requirement.min_satisfaction is not None:
        checks.append(_threshold_check("satisfaction", requirement.min_satisfaction, sat))
    return Evaluation(user, agent, queue, checks, held)


def _roster_entry(session: Session, user_id: int) -> RosterAgent | None:
    return session.scalar(select(RosterAgent).where(RosterAgent.user_id == user_id))


def _team_of(user: User, agent: RosterAgent | None) -> str | None:
    return agent.team if agent is not None else user.team


def _subject(session: Session, actor: User, user_id: int) -> tuple[User, RosterAgent | None]:
    """The agent (login) and their roster entry, for someone who works with their team;
    404 for everyone else."""
    user = session.get(User, user_id)
    if user is None:
        raise AgentNotFound()
    agent = _roster_entry(session, user_id)
    if not access.may_certify_team(actor, _team_of(user, agent)):
        raise AgentNotFound()
    return user, agent


def _requirement(session: Session, queue_id: int) -> tuple[Queue, CertRequirement]:
    queue = queue_of(session, queue_id)
    requirement = requirement_for(session, queue_id=queue_id)
    if requirement is None:
        raise RequirementNotFound(queue=queue.name)
    return queue, requirement


def evaluate(session: Session, *, actor: User, user_id: int, queue_id: int) -> Evaluation:
    """An agent against a queue's requirements: per requirement, met or not and why."""
    access.require_cert_reader(actor)
    user, agent = _subject(session, actor, user_id)
    queue, requirement = _requirement(session, queue_id)
    return evaluate_against(session, user=user, agent=agent, queue=queue,
                            requirement=requirement)


def _team_agents(session: Session, team: str) -> list[tuple[User, RosterAgent]]:
    rows = session.execute(
        select(User, RosterAgent).join(RosterAgent, RosterAgent.user_id == User.id)
        .where(RosterAgent.team == team, RosterAgent.left_on.is_(None))
        .order_by(RosterAgent.agent_id))
    return [(user, agent) for user, agent in rows]


def evaluate_team(session: Session, *, actor: User, team: str, queue_id: int
                  ) -> list[Evaluation]:
    """Every current agent of a team (with a login) against a queue's requirements."""
    access.require_cert_reader(actor)
    access.require_certify_team(actor, team)
    queue, requirement = _requirement(session, queue_id)
    evidence = Evidence(session)
    return [evaluate_against(session, user=user, agent=agent, queue=queue,
                             requirement=requirement, evidence=evidence)
            for user, agent in _team_agents(session, team)]


# --- granting and revoking ----------------------------------------------------------------

def _grant(session: Session, *, actor: User, user: User, queue: Queue, validity_months: int,
           basis: str, reason: str) -> Certification:
    now = utcnow()
    for old in session.scalars(select(Certification).where(
            Certification.user_id == user.id, Certification.queue_id == queue.id,
            Certification.revoked_at.is_(None))):
        old.revoked_at, old.revoked_by_id, old.revoke_reason = now, actor.id, SUPERSEDED
    granted = Certification(user_id=user.id, queue_id=queue.id, granted_at=now,
                            expires_on=add_months(today(), validity_months), basis=basis,
                            reason=reason, granted_by_id=actor.id)
    session.add(granted)
    session.flush()
    record(session, actor=actor, action="cert.grant", entity_type="certification",
           entity_id=granted.id, summary=f"{user.display_name} · {queue.name}",
           after={"user_id": user.id, "queue": queue.code, "basis": basis, "reason": reason,
                  "expires_on": granted.expires_on.isoformat()})
    return granted


@dataclass
class TeamGrant:
    granted: list[Certification]
    already: list[Evaluation]  # hold a valid certification not waiting for re-certification
    not_met: list[Evaluation]


def grant_when_met(session: Session, *, actor: User, team: str, queue_id: int) -> TeamGrant:
    """Grant the queue's certification to every agent of the team who meets all its
    requirements and does not hold it yet (or must re-certify), in one step."""
    access.require_cert_reader(actor)
    access.require_certify_team(actor, team)
    queue, requirement = _requirement(session, queue_id)
    evidence = Evidence(session)
    report = TeamGrant([], [], [])
    for user, agent in _team_agents(session, team):
        found = evaluate_against(session, user=user, agent=agent, queue=queue,
                                 requirement=requirement, evidence=evidence)
        if found.certified:
            report.already.append(found)
        elif not found.met:
            report.not_met.append(found)
        else:
            report.granted.append(_grant(
                session, actor=actor, user=user, queue=queue,
                validity_months=requirement.validity_months, basis=GrantBasis.RULES,
                reason=""))
    return report


def grant_if_met(session: Session, *, actor: User, user_id: int, queue_id: int
                 ) -> Certification | None:
    """Grant one agent the queue's certification if they meet every requirement (None when
    they do not)."""
    access.require_cert_reader(actor)
    user, agent = _subject(session, actor, user_id)
    queue, requirement = _requirement(session, queue_id)
    found = evaluate_against(session, user=user, agent=agent, queue=queue,
                             requirement=requirement)
    if not found.met:
        return None
    return _grant(session, actor=actor, user=user, queue=queue,
                  validity_months=requirement.validity_months, basis=GrantBasis.RULES,
                  reason="")


def grant_by_manager(session: Session, *, actor: User, user_id: int, queue_id: int,
                     reason: str) -> Certification:
    """A manager certifies an agent whatever the rules say, with a reason (audited): the
    queue gate's only override."""
    access.require_cert_manager(actor)
    reason = reason.strip()
    if not reason:
        raise ReasonRequired()
    user, _agent = _subject(session, actor, user_id)
    queue = queue_of(session, queue_id)
    requirement = requirement_for(session, queue_id=queue_id)
    months = requirement.validity_months if requirement is not None else 12
    return _grant(session, actor=actor, user=user, queue=queue, validity_months=months,
                  basis=GrantBasis.MANAGER, reason=reason)


def revoke(session: Session, *, actor: User, certification_id: int, reason: str
           ) -> Certification:
    """Revoke a certification (managers, with a reason; audited). The agent keeps the
    queues they are in; they cannot be added to the queue again until re-certified."""
    access.require_cert_manager(actor)
    reason = reason.strip()
    if not reason:
        raise ReasonRequired()
    found = session.get(Certification, certification_id)
    if found is None or found.revoked_at is not None:
        raise CertificationNotFound()
    found.revoked_at, found.revoked_by_id, found.revoke_reason = utcnow(), actor.id, reason
    session.flush()
    record(session, actor=actor, action="cert.revoke", entity_type="certification",
           entity_id=found.id, summary=display_name_of(session, found.user_id),
           after={"reason": reason})
    return found


# --- lists --------------------------------------------------------------------------------

@dataclass(frozen=True)
class HeldRow:
    certification: Certification
    user: User
    queue: Queue
    team: str | None
    agent: RosterAgent | None

    @property
    def days_left(self) -> int:
        return (self.certification.expires_on - today()).days


def _current_rows(session: Session, actor: User) -> list[HeldRow]:
    """Valid (not revoked, not expired) certifications of the agents the actor works with."""
    rows = session.execute(
        select(Certification, User, Queue, RosterAgent)
        .join(User, User.id == Certification.user_id)
        .join(Queue, Queue.id == Certification.queue_id)
        .outerjoin(RosterAgent, RosterAgent.user_id == User.id)
        .where(Certification.revoked_at.is_(None), Certification.expires_on >= today())
        .order_by(Certification.expires_on, User.username, Queue.position))
    held = []
    for cert, user, queue, agent in rows:
        team = _team_of(user, agent)
        if access.may_certify_team(actor, team):
            held.append(HeldRow(cert, user, queue, team, agent))
    return held


def list_certifications(session: Session, *, actor: User, team: str | None = None
                        ) -> list[HeldRow]:
    """Valid certifications, soonest expiry first (optionally of one team)."""
    access.require_cert_reader(actor)
    rows = _current_rows(session, actor)
    return [r for r in rows if team is None or r.team == team]


def expiring_certifications(session: Session, *, actor: User,
                            within_days: int = EXPIRING_DAYS) -> list[HeldRow]:
    """Valid certifications that expire within the window, for the team lead."""
    access.require_cert_reader(actor)
    limit = today() + timedelta(days=within_days)
    return [r for r in _current_rows(session, actor) if r.certification.expires_on <= limit]


def count_expiring_certifications_for(session: Session, actor: User) -> int:
    """How many certifications of the actor's agents expire within 30 days (0 for anyone
    who does not follow certifications), for the home page."""
    if not access.may_read_certification(actor):
        return 0
    return len(expiring_certifications(session, actor=actor))


def recertification_due(session: Session, *, actor: User) -> list[HeldRow]:
    """Valid certifications flagged for re-certification."""
    access.require_cert_reader(actor)
    return [r for r in _current_rows(session, actor)
            if r.certification.recert_due_at is not None]


def own_certifications(session: Session, *, actor: User) -> list[tuple[Certification, Queue]]:
    """The actor's own certifications, newest first (我的证书), revoked and expired too."""
    if actor.id is None or not actor.is_active:
        return []
    rows = session.execute(
        select(Certification, Queue).join(Queue, Queue.id == Certification.queue_id)
        .where(Certification.user_id == actor.id)
        .order_by(Certification.granted_at.desc(), Certification.id.desc()))
    return [(cert, queue) for cert, queue in rows]


# --- re-certification ---------------------------------------------------------------------

def exams_depending_on(session: Session, article_ids: Sequence[int]) -> dict[int, int]:
    """Exam id → one of the articles its questions (a fixed paper, or drawn in an attempt)
    depend on, for the exams that depend on any of the articles."""
    if not article_ids:
        return {}
    article_of: dict[int, int] = {}  # question → article
    for question_id, article_id in session.execute(
            select(ExamQuestionArticle.question_id, ExamQuestionArticle.article_id)
            .where(ExamQuestionArticle.article_id.in_(article_ids))
            .order_by(ExamQuestionArticle.article_id)):
        article_of.setdefault(question_id, article_id)
    if not article_of:
        return {}
    found: dict[int, int] = {}
    for exam_id, question_id in session.execute(
            select(ExamAttempt.exam_id, ExamAttemptItem.question_id)
            .join(ExamAttemptItem, ExamAttemptItem.attempt_id == ExamAttempt.id)
            .where(ExamAttemptItem.question_id.in_(article_of)).distinct()):
        found.setdefault(exam_id, article_of[question_id])
    for exam_id, paper in session.execute(select(Exam.id, Exam.paper_ids)):
        for question_id in paper or []:
            if question_id in article_of:
                found.setdefault(exam_id, article_of[question_id])
    return found


def flag_recertification(session: Session, *, article_ids: Sequence[int]) -> int:
    """After a material change (a new live version pushed to agents) of these articles:
    flag "re-certification due" on the valid certifications of every queue whose required
    exams use questions depending on them. Returns how many were flagged (audited as the
    system). Called explicitly by the knowledge publish and import paths."""
    exams = exams_depending_on(session, article_ids)
    if not exams:
        return 0
    article_of_queue: dict[int, int] = {}
    for requirement in session.scalars(select(CertRequirement)):
        for rule in requirement.exam_rules:
            if int(rule["exam_id"]) in exams:
                article_of_queue.setdefault(requirement.queue_id, exams[int(rule["exam_id"])])
    if not article_of_queue:
        return 0
    now = utcnow()
    flagged = list(session.scalars(select(Certification).where(
        Certification.queue_id.in_(article_of_queue), Certification.revoked_at.is_(None),
        Certification.expires_on >= today(), Certification.recert_due_at.is_(None))))
    for cert in flagged:
        cert.recert_due_at, cert.recert_article_id = now, article_of_queue[cert.queue_id]
    if flagged:
        session.flush()
        record(session, actor=None, action="cert.recert_due", entity_type="article",
               entity_id=min(article_of_queue.values()), summary=str(len(flagged)),
               after={"certifications": [c.id for c in flagged], "exams": sorted(exams)})
    return len(flagged)


# --- choices for the forms ----------------------------------------------------------------

def exam_choices(session: Session, *, actor: User) -> dict[int, str]:
    """Exam id → title of every exam not withdrawn (the requirement form's choices and the
    requirements' display)."""
    access.require_cert_reader(actor)
    return {int(i): str(t) for i, t in session.execute(
        select(Exam.id, Exam.title).where(Exam.archived.is_(False)).order_by(Exam.id))}


def item_choices(session: Session, *, actor: User) -> dict[int, str]:
    """Competency item id → "model · item" of every model not archived."""
    access.require_cert_reader(actor)
    rows = session.execute(
        select(CompetencyItem.id, CompetencyItem.name, CompetencyModel.name)
        .join(CompetencyDimension, CompetencyDimension.id == CompetencyItem.dimension_id)
        .join(CompetencyModel, CompetencyModel.id == CompetencyDimension.model_id)
        .where(CompetencyModel.archived.is_(False))
        .order_by(CompetencyModel.id, CompetencyDimension.position, CompetencyItem.position))
    return {int(i): f"{model} · {name}" for i, name, model in rows}


def team_choices(session: Session, *, actor: User) -> list[str]:
    """Roster teams (current agents) the actor works with."""
    access.require_cert_reader(actor)
    teams = session.scalars(select(RosterAgent.team).where(RosterAgent.left_on.is_(None))
                            .distinct().order_by(RosterAgent.team))
    return [t for t in teams if access.may_certify_team(actor, t)]


def agent_choices(session: Session, *, actor: User) -> list[User]:
    """Active logins holding the agent role, for a manager's grant."""
    access.require_cert_manager(actor)
    users = session.scalars(select(User).where(User.is_active.is_(True))
                            .order_by(User.username))
    return [u for u in users if "agent" in u.roles]
