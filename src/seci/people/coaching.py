"""Coaching (传帮带, 一对一结对子, source 000): a strong agent coaches a weaker one of the
same team towards a goal over a period; pairs with the same coach-team name form a coach
team. The mentee's competency items (the baseline round against the team's latest closed
round since), exam results and first-contact resolution are tracked against the goal. When
a pair ends with its goal reached, the coach is credited through the tacit pipeline's points
ledger (reason ``coaching_pair_succeeded``) and, if a manager of incentives ends it, may get
an honour on the honour wall.

``goal_reached``: every target set is met — the mentee's combined score of the target item
in the latest closed round after the baseline ≥ the target score, and their FCR over the
pair's period ≥ the target FCR (with at least ``MIN_KPI_CALLS`` calls); None while a target
has no figure yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.audit.service import record
from seci.calls.kpis import Period
from seci.core.clock import today, utcnow
from seci.core.errors import FieldErrors
from seci.people import access
from seci.people.errors import HonourNotAllowed, PairEnded
from seci.people.exam_models import AttemptStatus, Exam, ExamAttempt
from seci.people.loop import MIN_KPI_CALLS, period_counts
from seci.people.models import AssessmentRound, CompetencyItem, RoundStatus
from seci.people.results import PersonResult, compute_team_result
from seci.people.training_models import CoachingPair, PairStatus
from seci.roster.models import RosterAgent
from seci.tacit.honours import HonourInput, award_honour
from seci.tacit.incentives import award_points

POINTS_REASON = "coaching_pair_succeeded"
POINTS_SOURCE = "coaching_pair"
MAX_GOAL = 1000


@dataclass(frozen=True)
class PairInput:
    coach: str  # work numbers
    mentee: str
    starts_on: date | None
    ends_on: date | None
    goal: str = ""
    coach_team: str = ""
    round_id: int | None = None
    target_item_id: int | None = None
    target_score: float | None = None
    target_fcr: float | None = None  # share 0–1


def _agent(session: Session, number: str) -> RosterAgent | None:
    return session.scalar(select(RosterAgent).where(RosterAgent.agent_id == number.strip()))


def create_pair(session: Session, *, actor: User, data: PairInput) -> CoachingPair:
    """Pair a coach with a mentee of the same team, with a goal and a period."""
    coach, mentee = _agent(session, data.coach), _agent(session, data.mentee)
    errors: list[dict[str, object]] = []
    if coach is None:
        errors.append({"field": "coach", "code": "invalid_choice", "value": data.coach})
    if mentee is None:
        errors.append({"field": "mentee", "code": "invalid_choice", "value": data.mentee})
    if coach is not None and mentee is not None:
        access.require_team(actor, coach.team)
        if coach.id == mentee.id:
            errors.append({"field": "mentee", "code": "coaching_same_agent"})
        elif coach.team != mentee.team:
            errors.append({"field": "mentee", "code": "coaching_other_team",
                           "value": data.mentee})
    else:
        access.require_assessor(actor)
    if data.starts_on is None:
        errors.append({"field": "starts_on", "code": "required"})
    if data.ends_on is None:
        errors.append({"field": "ends_on", "code": "required"})
    elif data.starts_on is not None and data.ends_on <= data.starts_on:
        errors.append({"field": "ends_on", "code": "coaching_period",
                       "value": data.ends_on.isoformat()})
    if len(data.goal) > MAX_GOAL:
        errors.append({"field": "goal", "code": "too_long", "max": MAX_GOAL})
    if data.target_score is not None and not 1 <= data.target_score <= 5:
        errors.append({"field": "target_score", "code": "out_of_range", "min": 1, "max": 5,
                       "value": data.target_score})
    if data.target_fcr is not None and not 0 <= data.target_fcr <= 1:
        errors.append({"field": "target_fcr", "code": "out_of_range", "min": 0, "max": 1,
                       "value": data.target_fcr})
    found_round = session.get(AssessmentRound, data.round_id) if data.round_id else None
    if data.round_id is not None and (found_round is None or (
            coach is not None and found_round.team != coach.team)):
        errors.append({"field": "round_id", "code": "invalid_choice", "value": data.round_id})
    if data.target_item_id is not None and session.get(
            CompetencyItem, data.target_item_id) is None:
        errors.append({"field": "target_item_id", "code": "invalid_choice",
                       "value": data.target_item_id})
    if errors:
        raise FieldErrors(errors)
    assert coach is not None
    assert mentee is not None
    assert data.starts_on is not None
    assert data.ends_on is not None
    pair = CoachingPair(team=coach.team, coach_team=data.coach_team.strip()[:80],
                        coach_agent_id=coach.id, mentee_agent_id=mentee.id,
                        goal=data.goal.strip(), round_id=data.round_id,
                        target_item_id=data.target_item_id, target_score=data.target_score,
                        target_fcr=data.target_fcr, starts_on=data.starts_on,
                        ends_on=data.ends_on, status=PairStatus.ACTIVE, created_by_id=actor.id)
    session.add(pair)
    session.flush()
    record(session, actor=actor, action="coaching.pair_create", entity_type="coaching_pair",
           entity_id=pair.id, summary=f"{coach.agent_id} → {mentee.agent_id}")
    return pair


def list_pairs(session: Session, *, actor: User, team: str | None = None
               ) -> list[tuple[CoachingPair, RosterAgent, RosterAgent]]:
    """(pair, coach, mentee) of the teams the actor may run, active first."""
    access.require_assessor(actor)
    pairs = session.scalars(select(CoachingPair).order_by(
        CoachingPair.status, CoachingPair.coach_team, CoachingPair.id))
    chosen = [p for p in pairs if access.may_assess_team(actor, p.team)
              and (team is None or p.team == team)]
    agents = {a.id: a for a in session.scalars(select(RosterAgent).where(RosterAgent.id.in_(
        {p.coach_agent_id for p in chosen} | {p.mentee_agent_id for p in chosen})))}
    return [(p, agents[p.coach_agent_id], agents[p.mentee_agent_id]) for p in chosen]


@dataclass(frozen=True)
class ExamResult:
    title: str
    score_percent: float | None
    passed: bool | None
    finished_on: date | None


@dataclass(frozen=True)
class PairTracking:
    pair: CoachingPair
    coach: RosterAgent
    mentee: RosterAgent
    item_name: str | None
    baseline_score: float | None  # target item, in the pair's baseline round
    latest_score: float | None  # target item, in the team's latest closed round since
    latest_round: AssessmentRound | None
    fcr_before: float | None  # the mentee's FCR in the same number of days before the start
    fcr_during: float | None
    calls_during: int
    exams: list[ExamResult]
    reached: bool | None


def _item_score(person: PersonResult | None, item_id: int | None) -> float | None:
    if person is None or item_id is None:
        return None
    return next((i.score.combined for i in person.items if i.item_id == item_id), None)


def _person(session: Session, found: AssessmentRound | None, agent: RosterAgent
            ) -> PersonResult | None:
    if found is None:
        return None
    return next((p for p in compute_team_result(session, found).people
                 if p.agent.id == agent.id), None)


def goal_reached(pair: CoachingPair, latest_score: float | None, fcr: float | None,
                 calls: int) -> bool | None:
    """Every target set is met (see the module's docstring); None while one lacks data
    or no target is set."""
    checks: list[bool | None] = []
    if pair.target_item_id is not None and pair.target_score is not None:
        checks.append(None if latest_score is None else latest_score >= pair.target_score)
    if pair.target_fcr is not None:
        checks.append(None if fcr is None or calls < MIN_KPI_CALLS else fcr >= pair.target_fcr)
    if not checks or any(c is None for c in checks):
        return None
    return all(checks)


def _fcr(session: Session, agent: RosterAgent, period: Period) -> tuple[float | None, int]:
    counts = period_counts(session, period, {"agent": agent.agent_id})
    return (counts.fcr / counts.n if counts.n else None), counts.n


def track_pair(session: Session, *, actor: User, pair_id: int) -> PairTracking:
    """The mentee's figures against the pair's goal."""
    pair = access.visible_pair(session, actor, pair_id)
    coach = session.get(RosterAgent, pair.coach_agent_id)
    mentee = session.get(RosterAgent, pair.mentee_agent_id)
    assert coach is not None
    assert mentee is not None
    baseline = session.get(AssessmentRound, pair.round_id) if pair.round_id else None
    latest_query = select(AssessmentRound).where(
        AssessmentRound.team == pair.team, AssessmentRound.status == RoundStatus.CLOSED)
    if baseline is not None:
        latest_query = latest_query.where(AssessmentRound.id != baseline.id,
                                          AssessmentRound.opened_at > baseline.opened_at)
    latest = session.scalar(latest_query.order_by(AssessmentRound.closed_at.desc()).limit(1))
    baseline_score = _item_score(_person(session, baseline, mentee), pair.target_item_id)
    latest_score = _item_score(_person(session, latest, mentee), pair.target_item_id)
    item = session.get(CompetencyItem, pair.target_item_id) if pair.target_item_id else None
    end = min(pair.ends_on, today())
    length = pair.ends_on - pair.starts_on
    fcr_before, _ = _fcr(session, mentee, Period(start=pair.starts_on - length,
                                                 end=pair.starts_on - timedelta(days=1)))
    fcr_during, calls = _fcr(session, mentee, Period(start=pair.starts_on, end=end)) \
        if end >= pair.starts_on else (None, 0)
    exams = []
    if mentee.user_id is not None:
        for attempt, exam in session.execute(select(ExamAttempt, Exam).join(
                Exam, Exam.id == ExamAttempt.exam_id).where(
                ExamAttempt.user_id == mentee.user_id,
                ExamAttempt.status == AttemptStatus.GRADED,
                ExamAttempt.practice.is_(False))
                .order_by(ExamAttempt.finished_at)):
            exams.append(ExamResult(exam.title, attempt.score_percent, attempt.passed,
                                    attempt.finished_at.date() if attempt.finished_at else None))
    return PairTracking(pair, coach, mentee, item.name if item else None, baseline_score,
                        latest_score, latest, fcr_before, fcr_during, calls, exams,
                        goal_reached(pair, latest_score, fcr_during, calls))


@dataclass(frozen=True)
class PairEnd:
    succeeded: bool
    outcome: str
    honour_title: str = ""  # non-empty: also an honour for the coach (incentive managers)


def end_pair(session: Session, *, actor: User, pair_id: int, data: PairEnd) -> CoachingPair:
    """End a pair. Succeeded: the coach's login is credited the points of
    ``coaching_pair_succeeded`` (once), and an honour when a title is given."""
    pair = access.visible_pair(session, actor, pair_id)
    if pair.status != PairStatus.ACTIVE:
        raise PairEnded()
    if not data.outcome.strip():
        raise FieldErrors([{"field": "outcome", "code": "required"}])
    honour = data.succeeded and bool(data.honour_title.strip())
    if honour and not actor.can(Perm.TACIT_MANAGE):
        raise HonourNotAllowed()
    coach = session.get(RosterAgent, pair.coach_agent_id)
    assert coach is not None
    pair.status = PairStatus.SUCCEEDED if data.succeeded else PairStatus.ENDED
    pair.outcome, pair.ended_by_id, pair.ended_at = data.outcome.strip(), actor.id, utcnow()
    if data.succeeded and coach.user_id is not None:
        entry = award_points(session, user_id=coach.user_id, reason_code=POINTS_REASON,
                             source_type=POINTS_SOURCE, source_id=pair.id, actor=actor)
        pair.points = entry.points if entry else None
    if honour and coach.user_id is not None:
        awarded = award_honour(session, data=HonourInput(
            kind="title", title=data.honour_title.strip(), citation=data.outcome.strip(),
            user_id=coach.user_id, period=today().strftime("%Y-%m")), actor=actor)
        pair.honour_id = awarded.id
    session.flush()
    record(session, actor=actor, action="coaching.pair_end", entity_type="coaching_pair",
           entity_id=pair.id, summary=pair.status)
    return pair
