"""Working through training plans: an agent marks a lesson, article or session done (an exam
item is done when the agent passes the exam); a trainer records attendance; progress per
agent, plan and team; reminders, overdue first.

Progress of a plan = items done ÷ (items × assigned agents); an agent is overdue when their
assignment's due date has passed with items still open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.audit.service import record
from seci.core.clock import today
from seci.core.db import insert_if_absent
from seci.people import access
from seci.people.errors import AgentNotFound, ExamItemByAttempt, PlanItemNotFound
from seci.people.exam_models import AttemptStatus, ExamAttempt
from seci.people.plans import plan_items
from seci.people.training_models import (
    PlanItemKind,
    PlanStatus,
    TrainingAssignment,
    TrainingCompletion,
    TrainingPlan,
    TrainingPlanItem,
)
from seci.roster.models import RosterAgent


def share(done: int, total: int) -> float | None:
    """done ÷ total; None when there is nothing to do."""
    return done / total if total else None


@dataclass
class AgentProgress:
    agent: RosterAgent
    assignment: TrainingAssignment
    done_ids: set[int] = field(default_factory=set)
    total: int = 0

    @property
    def done(self) -> int:
        return len(self.done_ids)

    @property
    def share(self) -> float | None:
        return share(self.done, self.total)

    @property
    def overdue(self) -> bool:
        """Due date passed with items still open."""
        return self.assignment.due_on < today() and self.done < self.total


@dataclass
class PlanProgress:
    plan: TrainingPlan
    items: list[TrainingPlanItem]
    agents: list[AgentProgress]

    @property
    def done(self) -> int:
        return sum(a.done for a in self.agents)

    @property
    def total(self) -> int:
        return len(self.items) * len(self.agents)

    @property
    def share(self) -> float | None:
        """Items done ÷ (items × assigned agents)."""
        return share(self.done, self.total)

    @property
    def overdue(self) -> int:
        return sum(1 for a in self.agents if a.overdue)


def passed_exams(session: Session, user_id: int | None, exam_ids: set[int]) -> set[int]:
    """The exams among ``exam_ids`` this login has passed (a graded, formal attempt)."""
    if user_id is None or not exam_ids:
        return set()
    return set(session.scalars(select(ExamAttempt.exam_id).where(
        ExamAttempt.user_id == user_id, ExamAttempt.exam_id.in_(exam_ids),
        ExamAttempt.status == AttemptStatus.GRADED, ExamAttempt.passed.is_(True),
        ExamAttempt.practice.is_(False))))


def _done_ids(session: Session, agent: RosterAgent, items: list[TrainingPlanItem]
              ) -> set[int]:
    ids = {i.id for i in items}
    done = set(session.scalars(select(TrainingCompletion.item_id).where(
        TrainingCompletion.roster_agent_id == agent.id, TrainingCompletion.item_id.in_(ids))))
    exams = {i.exam_id for i in items if i.kind == PlanItemKind.EXAM and i.exam_id}
    passed = passed_exams(session, agent.user_id, exams)
    done |= {i.id for i in items if i.kind == PlanItemKind.EXAM and i.exam_id in passed}
    return done


def compute_plan_progress(session: Session, plan: TrainingPlan) -> PlanProgress:
    """A plan's progress, without a permission check (callers check); three queries
    whatever the number of agents."""
    items = plan_items(session, plan.id)
    rows = session.execute(select(TrainingAssignment, RosterAgent).join(
        RosterAgent, RosterAgent.id == TrainingAssignment.roster_agent_id).where(
        TrainingAssignment.plan_id == plan.id).order_by(RosterAgent.agent_id)).all()
    done: dict[int, set[int]] = {}
    for item_id, agent_id in session.execute(
            select(TrainingCompletion.item_id, TrainingCompletion.roster_agent_id).where(
                TrainingCompletion.item_id.in_([i.id for i in items]))):
        done.setdefault(agent_id, set()).add(item_id)
    exam_items = [i for i in items if i.kind == PlanItemKind.EXAM and i.exam_id]
    if exam_items:
        users = {agent.user_id: agent.id for _, agent in rows if agent.user_id is not None}
        for user_id, exam_id in session.execute(
                select(ExamAttempt.user_id, ExamAttempt.exam_id).where(
                    ExamAttempt.user_id.in_(users),
                    ExamAttempt.exam_id.in_({i.exam_id for i in exam_items}),
                    ExamAttempt.status == AttemptStatus.GRADED,
                    ExamAttempt.passed.is_(True), ExamAttempt.practice.is_(False))):
            done.setdefault(users[user_id], set()).update(
                i.id for i in exam_items if i.exam_id == exam_id)
    agents = [AgentProgress(agent, assignment, done.get(agent.id, set()), len(items))
              for assignment, agent in rows]
    return PlanProgress(plan, items, agents)


def plan_progress(session: Session, *, actor: User, plan_id: int) -> PlanProgress:
    return compute_plan_progress(session, access.visible_plan(session, actor, plan_id))


def team_progress(session: Session, *, actor: User, team: str | None = None
                  ) -> list[PlanProgress]:
    """Active plans of the teams the actor may run (or one team), with their progress."""
    access.require_assessor(actor)
    query = select(TrainingPlan).where(TrainingPlan.status == PlanStatus.ACTIVE).order_by(
        TrainingPlan.team, TrainingPlan.kind, TrainingPlan.id)
    if team is not None:
        query = query.where(TrainingPlan.team == team)
    return [compute_plan_progress(session, p) for p in session.scalars(query)
            if access.may_assess_team(actor, p.team)]


@dataclass(frozen=True)
class TeamSummary:
    team: str
    plans: int
    done: int
    total: int
    overdue_agents: int

    @property
    def share(self) -> float | None:
        return share(self.done, self.total)


def team_summaries(progress: list[PlanProgress]) -> list[TeamSummary]:
    """Per team: items done ÷ items to do over its active plans, and agents overdue."""
    teams: dict[str, list[PlanProgress]] = {}
    for p in progress:
        teams.setdefault(p.plan.team, []).append(p)
    return [TeamSummary(team, len(rows), sum(p.done for p in rows), sum(p.total for p in rows),
                        len({a.agent.id for p in rows for a in p.agents if a.overdue}))
            for team, rows in sorted(teams.items())]


@dataclass(frozen=True)
class Reminder:
    agent: RosterAgent
    plan: TrainingPlan
    open_items: int
    due_on: date
    overdue: bool

    @property
    def days_left(self) -> int:
        return (self.due_on - today()).days


def reminders(session: Session, *, actor: User, team: str | None = None) -> list[Reminder]:
    """Agents with items still open in active plans: overdue first (longest overdue
    first), then by due date."""
    rows = [Reminder(a.agent, p.plan, a.total - a.done, a.assignment.due_on, a.overdue)
            for p in team_progress(session, actor=actor, team=team) for a in p.agents
            if a.done < a.total]
    return sorted(rows, key=lambda r: (not r.overdue, r.due_on, r.agent.agent_id, r.plan.id))


# --- the agent's side ----------------------------------------------------------------------

@dataclass(frozen=True)
class OwnPlan:
    plan: TrainingPlan
    progress: AgentProgress
    items: list[TrainingPlanItem]


def my_plans(session: Session, *, actor: User) -> list[OwnPlan]:
    """The active plans assigned to the actor's roster entry, soonest due first."""
    entry = access.own_roster_entry(session, actor)
    if entry is None:
        return []
    rows = session.execute(select(TrainingAssignment, TrainingPlan).join(
        TrainingPlan, TrainingPlan.id == TrainingAssignment.plan_id).where(
        TrainingAssignment.roster_agent_id == entry.id,
        TrainingPlan.status == PlanStatus.ACTIVE).order_by(TrainingAssignment.due_on,
                                                           TrainingPlan.id)).all()
    result = []
    for assignment, plan in rows:
        items = plan_items(session, plan.id)
        result.append(OwnPlan(plan, AgentProgress(entry, assignment,
                                                  _done_ids(session, entry, items), len(items)),
                              items))
    return result


def own_item(session: Session, *, actor: User, item_id: int
             ) -> tuple[TrainingPlanItem, TrainingPlan, bool]:
    """A plan item assigned to the actor, with its plan and whether they have done it."""
    for own in my_plans(session, actor=actor):
        for item in own.items:
            if item.id == item_id:
                return item, own.plan, item.id in own.progress.done_ids
    raise PlanItemNotFound()


def _complete(session: Session, item: TrainingPlanItem, agent: RosterAgent, actor: User
              ) -> TrainingCompletion:
    mine = select(TrainingCompletion).where(
        TrainingCompletion.item_id == item.id, TrainingCompletion.roster_agent_id == agent.id)
    existing = session.scalar(mine)
    if existing is not None:
        return existing
    # A double click marks it done once, not a unique violation.
    insert_if_absent(session, TrainingCompletion, {
        "item_id": item.id, "roster_agent_id": agent.id, "recorded_by_id": actor.id},
        ["item_id", "roster_agent_id"])
    done = session.scalar(mine)
    assert done is not None
    return done


def mark_done(session: Session, *, actor: User, item_id: int) -> TrainingCompletion:
    """The agent marks an item of their own plan done (idempotent); exam items are done by
    passing the exam."""
    item, plan, _ = own_item(session, actor=actor, item_id=item_id)
    if item.kind == PlanItemKind.EXAM:
        raise ExamItemByAttempt()
    entry = access.own_roster_entry(session, actor)
    assert entry is not None  # own_item found it
    done = _complete(session, item, entry, actor)
    record(session, actor=actor, action="training.item_done", entity_type="training_plan",
           entity_id=plan.id, summary=item.title)
    return done


def record_completion(session: Session, *, actor: User, item_id: int, agent_id: str
                      ) -> TrainingCompletion:
    """A trainer or team lead records that an assigned agent did an item (e.g. attended a
    live session)."""
    item = session.get(TrainingPlanItem, item_id)
    if item is None:
        raise PlanItemNotFound()
    plan = access.visible_plan(session, actor, item.plan_id)
    if item.kind == PlanItemKind.EXAM:
        raise ExamItemByAttempt()
    agent = session.scalar(select(RosterAgent).join(
        TrainingAssignment, TrainingAssignment.roster_agent_id == RosterAgent.id).where(
        TrainingAssignment.plan_id == plan.id, RosterAgent.agent_id == agent_id))
    if agent is None:
        raise AgentNotFound()
    done = _complete(session, item, agent, actor)
    record(session, actor=actor, action="training.item_record", entity_type="training_plan",
           entity_id=plan.id, summary=f"{agent.agent_id}: {item.title}")
    return done
