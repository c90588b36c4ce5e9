"""Training plans from a closed round's results, in one step: a common plan (共性计划) for
the items weak team-wide, assigned to every rated agent, and a personal plan (个性计划) for
each agent with items weak for them beyond the common ones. Each weak item becomes a lesson
(the item's description and what a 5 looks like, readable on a phone); trainers then edit
the plans: lessons, knowledge articles, live sessions and exams.

Rules (``PlanRules``, defaults threshold 3.5 and margin 0.3 on the 1–5 scale):

- ``weak_team_wide``: an item's team mean < threshold, or < the team's overall mean − margin.
- ``weak_for_person``: a person's combined item score < threshold, or < the team's mean of
  that item − margin; items already in the common plan are left out of personal plans.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.audit.service import record
from seci.core.clock import today
from seci.core.errors import FieldErrors
from seci.knowledge.models import Article
from seci.people import access
from seci.people.competency import ItemSpec
from seci.people.errors import PlanItemNotFound, PlansExist, RoundNotClosed
from seci.people.exam_models import Exam
from seci.people.models import RoundStatus
from seci.people.results import PersonResult, TeamFigure, TeamResult, compute_team_result
from seci.people.training_models import (
    ItemSource,
    PlanItemKind,
    PlanKind,
    PlanStatus,
    TrainingAssignment,
    TrainingPlan,
    TrainingPlanItem,
)
from seci.roster.models import RosterAgent

DEFAULT_THRESHOLD = 3.5
DEFAULT_MARGIN = 0.3
DEFAULT_DAYS = 30
MAX_TITLE = 200
MAX_BODY = 5000


@dataclass(frozen=True)
class PlanRules:
    threshold: float = DEFAULT_THRESHOLD
    margin: float = DEFAULT_MARGIN


def weak_team_wide(figure: TeamFigure, overall: float | None, rules: PlanRules) -> bool:
    """Team mean of the item < threshold, or < overall team mean − margin."""
    if figure.mean is None:
        return False
    return figure.mean < rules.threshold or (
        overall is not None and figure.mean < overall - rules.margin)


def weak_for_person(score: float | None, team_mean: float | None, rules: PlanRules) -> bool:
    """The person's combined item score < threshold, or < the team's item mean − margin."""
    if score is None:
        return False
    return score < rules.threshold or (team_mean is not None and score < team_mean - rules.margin)


def common_weak_items(result: TeamResult, rules: PlanRules) -> list[ItemSpec]:
    """The model's items weak team-wide, in the model's order."""
    items = result.spec.items()
    return [item for item, figure in zip(items, result.items, strict=True)
            if weak_team_wide(figure, result.overall.mean, rules)]


def personal_weak_items(result: TeamResult, person: PersonResult, rules: PlanRules,
                        common: set[int]) -> list[ItemSpec]:
    """The person's weak items that the common plan does not already cover."""
    items = result.spec.items()
    return [item for item, own, figure in zip(items, person.items, result.items, strict=True)
            if (item.id or 0) not in common
            and weak_for_person(own.score.combined, figure.mean, rules)]


def lesson_text(item: ItemSpec) -> str:
    """A lesson from the model itself: the item's description, then what a 5 looks like for
    each of its questions (the anchored descriptions trainers wrote)."""
    lines = [item.description.strip()] if item.description.strip() else []
    lines += [f"{q.text} — {q.anchor_5}" for q in item.questions]
    return "\n".join(lines)


def _lesson(plan: TrainingPlan, item: ItemSpec, position: int) -> TrainingPlanItem:
    return TrainingPlanItem(plan_id=plan.id, position=position, kind=PlanItemKind.LESSON,
                            title=item.name, body=lesson_text(item),
                            competency_item_id=item.id, source=ItemSource.WEAK_ITEM)


@dataclass(frozen=True)
class GeneratedPlans:
    common: TrainingPlan | None
    personal: list[TrainingPlan]


def generate_plans(session: Session, *, actor: User, round_id: int,
                   rules: PlanRules = PlanRules(), due_on: date | None = None
                   ) -> GeneratedPlans:
    """Make the common and personal plans of a closed round, with their lessons and
    assignments (due in ``DEFAULT_DAYS`` days unless a date is given)."""
    found = access.visible_round(session, actor, round_id)
    if found.status != RoundStatus.CLOSED:
        raise RoundNotClosed()
    if session.scalar(select(func.count()).select_from(TrainingPlan).where(
            TrainingPlan.round_id == found.id, TrainingPlan.kind != PlanKind.MONTHLY)):
        raise PlansExist()
    _check_rules(rules, due_on)
    due = due_on or today() + timedelta(days=DEFAULT_DAYS)
    result = compute_team_result(session, found)
    rated = result.rated_people
    weak = common_weak_items(result, rules)
    common_plan = None
    if weak and rated:
        common_plan = _new_plan(session, actor, found.team, PlanKind.COMMON, found.title,
                                found.id, None, due)
        session.add_all(_lesson(common_plan, item, i) for i, item in enumerate(weak))
        for person in rated:
            session.add(TrainingAssignment(plan_id=common_plan.id, roster_agent_id=person.agent.id,
                                           due_on=due, assigned_by_id=actor.id))
    covered = {item.id or 0 for item in weak}
    personal = []
    for person in rated:
        own = personal_weak_items(result, person, rules, covered)
        if not own:
            continue
        plan = _new_plan(session, actor, found.team, PlanKind.PERSONAL, person.agent.name,
                         found.id, person.agent.id, due)
        session.add_all(_lesson(plan, item, i) for i, item in enumerate(own))
        session.add(TrainingAssignment(plan_id=plan.id, roster_agent_id=person.agent.id,
                                       due_on=due, assigned_by_id=actor.id))
        personal.append(plan)
    session.flush()
    record(session, actor=actor, action="training.plans_generate", entity_type="competency_round",
           entity_id=found.id, summary=f"common {len(weak)} items, personal {len(personal)}")
    return GeneratedPlans(common_plan, personal)


def _check_rules(rules: PlanRules, due_on: date | None) -> None:
    errors: list[dict[str, object]] = []
    if not 1 <= rules.threshold <= 5:
        errors.append({"field": "threshold", "code": "out_of_range", "min": 1, "max": 5,
                       "value": rules.threshold})
    if not 0 <= rules.margin <= 4:
        errors.append({"field": "margin", "code": "out_of_range", "min": 0, "max": 4,
                       "value": rules.margin})
    if due_on is not None and due_on < today():
        errors.append({"field": "due_on", "code": "competency_deadline_past",
                       "value": due_on.isoformat()})
    if errors:
        raise FieldErrors(errors)


def _new_plan(session: Session, actor: User, team: str, kind: str, title: str,
              round_id: int | None, agent_id: int | None, due: date | None,
              month: date | None = None) -> TrainingPlan:
    plan = TrainingPlan(kind=kind, team=team, title=title[:120], round_id=round_id,
                        roster_agent_id=agent_id, due_on=due, month=month,
                        status=PlanStatus.ACTIVE, created_by_id=actor.id)
    session.add(plan)
    session.flush()
    return plan


def create_monthly_plan(session: Session, *, actor: User, team: str, month: date, title: str,
                        due_on: date | None = None) -> TrainingPlan:
    """An empty monthly on-job training plan (月度在岗培训) for a team, assigned to its
    current agents; the trainer fills it from the month's proposals (people/monthly.py)."""
    access.require_team(actor, team)
    if not title.strip():
        raise FieldErrors([{"field": "title", "code": "required"}])
    first = month.replace(day=1)
    due = due_on or (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    plan = _new_plan(session, actor, team, PlanKind.MONTHLY, title.strip(), None, None, due,
                     first)
    agents = session.scalars(select(RosterAgent).where(RosterAgent.team == team,
                                                       RosterAgent.left_on.is_(None)))
    session.add_all(TrainingAssignment(plan_id=plan.id, roster_agent_id=a.id, due_on=due,
                                       assigned_by_id=actor.id) for a in agents)
    session.flush()
    record(session, actor=actor, action="training.plan_create", entity_type="training_plan",
           entity_id=plan.id, summary=plan.title)
    return plan


# --- editing ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ItemInput:
    kind: str
    title: str
    body: str = ""
    article_id: int | None = None
    exam_id: int | None = None
    session_at: datetime | None = None
    place: str = ""
    competency_item_id: int | None = None
    source: str = ItemSource.MANUAL
    source_ref: str = ""


def item_problems(session: Session, data: ItemInput) -> list[dict[str, object]]:
    """What is wrong with a plan item: kind, title, and what its kind needs."""
    errors: list[dict[str, object]] = []
    if data.kind not in set(PlanItemKind):
        return [{"field": "kind", "code": "invalid_choice", "value": data.kind}]
    if not data.title.strip():
        errors.append({"field": "title", "code": "required"})
    elif len(data.title) > MAX_TITLE:
        errors.append({"field": "title", "code": "too_long", "max": MAX_TITLE})
    if len(data.body) > MAX_BODY:
        errors.append({"field": "body", "code": "too_long", "max": MAX_BODY})
    if data.kind == PlanItemKind.LESSON and not data.body.strip():
        errors.append({"field": "body", "code": "required"})
    if data.kind == PlanItemKind.ARTICLE and (
            data.article_id is None or session.get(Article, data.article_id) is None):
        errors.append({"field": "article_id", "code": "invalid_choice", "value": data.article_id})
    if data.kind == PlanItemKind.SESSION and data.session_at is None:
        errors.append({"field": "session_at", "code": "required"})
    if data.kind == PlanItemKind.EXAM and (
            data.exam_id is None or session.get(Exam, data.exam_id) is None):
        errors.append({"field": "exam_id", "code": "invalid_choice", "value": data.exam_id})
    if data.source not in set(ItemSource):
        errors.append({"field": "source", "code": "invalid_choice", "value": data.source})
    return errors


def add_item(session: Session, *, actor: User, plan_id: int, data: ItemInput
             ) -> TrainingPlanItem:
    """Add a lesson, article, live session or exam at the end of a plan."""
    plan = access.visible_plan(session, actor, plan_id)
    errors = item_problems(session, data)
    if errors:
        raise FieldErrors(errors)
    last = session.scalar(select(func.max(TrainingPlanItem.position)).where(
        TrainingPlanItem.plan_id == plan.id))
    item = TrainingPlanItem(
        plan_id=plan.id, position=(last if last is not None else -1) + 1, kind=data.kind,
        title=data.title.strip(), body=data.body.strip(),
        article_id=data.article_id if data.kind == PlanItemKind.ARTICLE else None,
        exam_id=data.exam_id if data.kind == PlanItemKind.EXAM else None,
        session_at=data.session_at if data.kind == PlanItemKind.SESSION else None,
        place=data.place.strip()[:120], competency_item_id=data.competency_item_id,
        source=data.source, source_ref=data.source_ref[:200])
    session.add(item)
    session.flush()
    record(session, actor=actor, action="training.item_add", entity_type="training_plan",
           entity_id=plan.id, summary=item.title)
    return item


def remove_item(session: Session, *, actor: User, plan_id: int, item_id: int) -> None:
    """Take an item out of a plan (its completions go with it)."""
    plan = access.visible_plan(session, actor, plan_id)
    item = session.get(TrainingPlanItem, item_id)
    if item is None or item.plan_id != plan.id:
        raise PlanItemNotFound()
    session.delete(item)
    session.flush()
    record(session, actor=actor, action="training.item_remove", entity_type="training_plan",
           entity_id=plan.id, summary=item.title)


@dataclass(frozen=True)
class PlanUpdate:
    title: str
    description: str = ""
    due_on: date | None = None
    status: str = PlanStatus.ACTIVE


def update_plan(session: Session, *, actor: User, plan_id: int, data: PlanUpdate
                ) -> TrainingPlan:
    """Change a plan's title, description, due date (moving open assignments' due dates
    with it) or close it."""
    plan = access.visible_plan(session, actor, plan_id)
    errors: list[dict[str, object]] = []
    if not data.title.strip():
        errors.append({"field": "title", "code": "required"})
    elif len(data.title) > 120:
        errors.append({"field": "title", "code": "too_long", "max": 120})
    if data.status not in set(PlanStatus):
        errors.append({"field": "status", "code": "invalid_choice", "value": data.status})
    if errors:
        raise FieldErrors(errors)
    plan.title, plan.description, plan.status = (data.title.strip(), data.description.strip(),
                                                 data.status)
    if data.due_on is not None and data.due_on != plan.due_on:
        plan.due_on = data.due_on
        for assignment in session.scalars(select(TrainingAssignment).where(
                TrainingAssignment.plan_id == plan.id)):
            assignment.due_on = data.due_on
    session.flush()
    record(session, actor=actor, action="training.plan_update", entity_type="training_plan",
           entity_id=plan.id, summary=plan.title)
    return plan


def assign(session: Session, *, actor: User, plan_id: int, agent_ids: list[str],
           due_on: date | None = None) -> list[TrainingAssignment]:
    """Assign a plan to more agents of its team (work numbers); already assigned ones keep
    their assignment."""
    plan = access.visible_plan(session, actor, plan_id)
    agents = {a.agent_id: a for a in session.scalars(select(RosterAgent).where(
        RosterAgent.agent_id.in_(agent_ids)))}
    errors: list[dict[str, object]] = [
        {"field": "agent_ids", "code": "training_not_in_team", "value": number}
        for number in agent_ids if number not in agents or agents[number].team != plan.team
        or agents[number].left_on is not None]
    if not agent_ids:
        errors.append({"field": "agent_ids", "code": "required"})
    due = due_on or plan.due_on or today() + timedelta(days=DEFAULT_DAYS)
    if due < today():
        errors.append({"field": "due_on", "code": "competency_deadline_past",
                       "value": due.isoformat()})
    if errors:
        raise FieldErrors(errors)
    existing = set(session.scalars(select(TrainingAssignment.roster_agent_id).where(
        TrainingAssignment.plan_id == plan.id)))
    added = [TrainingAssignment(plan_id=plan.id, roster_agent_id=agents[n].id, due_on=due,
                                assigned_by_id=actor.id)
             for n in dict.fromkeys(agent_ids) if agents[n].id not in existing]
    session.add_all(added)
    session.flush()
    record(session, actor=actor, action="training.assign", entity_type="training_plan",
           entity_id=plan.id, summary=",".join(agent_ids)[:200])
    return added


def list_plans(session: Session, *, actor: User, round_id: int | None = None,
               team: str | None = None) -> list[TrainingPlan]:
    """Plans of the teams the actor may run (of one round or team), newest first."""
    access.require_assessor(actor)
    query = select(TrainingPlan).order_by(TrainingPlan.created_at.desc(), TrainingPlan.id.desc())
    if round_id is not None:
        query = query.where(TrainingPlan.round_id == round_id)
    if team is not None:
        query = query.where(TrainingPlan.team == team)
    return [p for p in session.scalars(query) if access.may_assess_team(actor, p.team)]


def plan_items(session: Session, plan_id: int) -> list[TrainingPlanItem]:
    return list(session.scalars(select(TrainingPlanItem).where(
        TrainingPlanItem.plan_id == plan_id).order_by(TrainingPlanItem.position,
                                                      TrainingPlanItem.id)))
