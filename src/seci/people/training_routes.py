"""REST API of training plans, coaching and the closed loop, under /api/v1/competency
(mounted by ``seci.people.routes``): plans made from a round, their items, assignments,
progress and reminders; the agent's own plans; monthly proposals; coaching pairs; the
re-assessment and the before/after report."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query

from seci.core.errors import FieldErrors
from seci.core.http import CurrentUser, SessionDep
from seci.people import coaching, loop, monthly, plans, progress
from seci.people.training_models import CoachingPair, TrainingPlan, TrainingPlanItem
from seci.people.training_schemas import (
    AgentProgressRead,
    AssignWrite,
    CompletionWrite,
    DecisionRead,
    ExamResultRead,
    ItemChangeRead,
    KpiChangeRead,
    LoopRead,
    MonthlyPlanCreate,
    OwnPlanRead,
    PairEndWrite,
    PairRead,
    PairTrackingRead,
    PairWrite,
    PlanDetail,
    PlanItemRead,
    PlanItemWrite,
    PlanRead,
    PlanRulesWrite,
    PlanWrite,
    ProposalRead,
    ProposalsWrite,
    ReassessWrite,
    ReminderRead,
    StatTestRead,
    TeamProgressRead,
)
from seci.roster.models import RosterAgent
from seci.stats.comparisons import TestResult

router = APIRouter()

ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "Not logged in (problem details)"},
    403: {"description": "Permission denied (problem details)"},
    404: {"description": "Not found or not visible to you, e.g. another team's plan "
                         "(problem details)"},
    409: {"description": "Not in a state that allows this: round still open, plans already "
                         "made, pair ended, exam items (problem details)"},
    422: {"description": "Invalid input (problem details with `errors`)"},
}


# --- builders ---------------------------------------------------------------------------

def item_read(item: TrainingPlanItem) -> PlanItemRead:
    return PlanItemRead(id=item.id, position=item.position, kind=item.kind, title=item.title,
                        body=item.body, article_id=item.article_id, exam_id=item.exam_id,
                        session_at=item.session_at, place=item.place, source=item.source,
                        competency_item_id=item.competency_item_id)


def plan_read(p: progress.PlanProgress) -> PlanRead:
    plan = p.plan
    agent = next((a.agent.agent_id for a in p.agents if a.agent.id == plan.roster_agent_id),
                 None)
    return PlanRead(id=plan.id, kind=plan.kind, team=plan.team, title=plan.title,
                    description=plan.description, round_id=plan.round_id, agent_id=agent,
                    month=plan.month, due_on=plan.due_on, status=plan.status, done=p.done,
                    total=p.total, share=p.share)


def plan_detail(p: progress.PlanProgress) -> PlanDetail:
    return PlanDetail(**plan_read(p).model_dump(), items=[item_read(i) for i in p.items],
                      agents=[AgentProgressRead(
                          agent_id=a.agent.agent_id, name=a.agent.name,
                          due_on=a.assignment.due_on, done=a.done, total=a.total,
                          overdue=a.overdue, done_item_ids=sorted(a.done_ids))
                          for a in p.agents])


def stat_test_read(t: TestResult | None) -> StatTestRead | None:
    if t is None:
        return None
    return StatTestRead(test=t.test, effect=t.effect, statistic=t.statistic, p_value=t.p_value,
                        df=t.df, ci=[t.interval.lower, t.interval.upper] if t.interval else None,
                        significant=t.significant)


def change_read(c: loop.ItemChange) -> ItemChangeRead:
    return ItemChangeRead(name=c.name, n=c.n, before=c.before, after=c.after,
                          paired_t=stat_test_read(c.paired_t), wilcoxon=stat_test_read(c.wilcoxon),
                          weak_before=c.weak_before, weak_after=c.weak_after)


def pair_read(pair: CoachingPair, coach: RosterAgent, mentee: RosterAgent) -> PairRead:
    return PairRead(id=pair.id, team=pair.team, coach=coach.agent_id, mentee=mentee.agent_id,
                    starts_on=pair.starts_on, ends_on=pair.ends_on, goal=pair.goal,
                    coach_team=pair.coach_team, round_id=pair.round_id,
                    target_item_id=pair.target_item_id, target_score=pair.target_score,
                    target_fcr=pair.target_fcr, status=pair.status, outcome=pair.outcome,
                    points=pair.points)


def _detail(db: SessionDep, user: CurrentUser, plan: TrainingPlan) -> PlanDetail:
    return plan_detail(progress.plan_progress(db, actor=user, plan_id=plan.id))


# --- plans ------------------------------------------------------------------------------

@router.post("/rounds/{round_id}/plans", status_code=201, response_model=list[PlanDetail],
             responses=ERRORS)
def generate_plans(round_id: int, body: PlanRulesWrite, db: SessionDep, user: CurrentUser
                   ) -> list[PlanDetail]:
    """The common plan and the personal plans of a closed round, in one step (409 when
    made already)."""
    made = plans.generate_plans(db, actor=user, round_id=round_id, rules=plans.PlanRules(
        body.threshold, body.margin), due_on=body.due_on)
    return [_detail(db, user, p) for p in ([made.common] if made.common else [])
            + made.personal]


@router.get("/plans", response_model=list[PlanRead], responses=ERRORS)
def list_plans(db: SessionDep, user: CurrentUser, round_id: int | None = None,
               team: str | None = None) -> list[PlanRead]:
    return [plan_read(progress.compute_plan_progress(db, p))
            for p in plans.list_plans(db, actor=user, round_id=round_id, team=team)]


@router.post("/plans", status_code=201, response_model=PlanDetail, responses=ERRORS)
def create_monthly_plan(body: MonthlyPlanCreate, db: SessionDep, user: CurrentUser
                        ) -> PlanDetail:
    """A monthly on-job training plan for a team, assigned to its current agents."""
    plan = plans.create_monthly_plan(db, actor=user, team=body.team, month=body.month,
                                     title=body.title, due_on=body.due_on)
    return _detail(db, user, plan)


@router.get("/plans/progress", response_model=list[TeamProgressRead], responses=ERRORS)
def team_progress(db: SessionDep, user: CurrentUser, team: str | None = None
                  ) -> list[TeamProgressRead]:
    """Per team: items done ÷ items to do over its active plans, agents overdue."""
    return [TeamProgressRead(team=s.team, plans=s.plans, done=s.done, total=s.total,
                             share=s.share, overdue_agents=s.overdue_agents)
            for s in progress.team_summaries(progress.team_progress(db, actor=user,
                                                                    team=team))]


@router.get("/plans/reminders", response_model=list[ReminderRead], responses=ERRORS)
def reminders(db: SessionDep, user: CurrentUser, team: str | None = None
              ) -> list[ReminderRead]:
    """Agents with open items in active plans, overdue first."""
    return [ReminderRead(agent_id=r.agent.agent_id, name=r.agent.name, plan_id=r.plan.id,
                         plan_title=r.plan.title, open_items=r.open_items, due_on=r.due_on,
                         overdue=r.overdue, days_left=r.days_left)
            for r in progress.reminders(db, actor=user, team=team)]


@router.get("/plans/{plan_id}", response_model=PlanDetail, responses=ERRORS)
def read_plan(plan_id: int, db: SessionDep, user: CurrentUser) -> PlanDetail:
    return plan_detail(progress.plan_progress(db, actor=user, plan_id=plan_id))


@router.put("/plans/{plan_id}", response_model=PlanDetail, responses=ERRORS)
def update_plan(plan_id: int, body: PlanWrite, db: SessionDep, user: CurrentUser
                ) -> PlanDetail:
    plan = plans.update_plan(db, actor=user, plan_id=plan_id, data=plans.PlanUpdate(
        **body.model_dump()))
    return _detail(db, user, plan)


@router.post("/plans/{plan_id}/items", status_code=201, response_model=PlanItemRead,
             responses=ERRORS)
def add_item(plan_id: int, body: PlanItemWrite, db: SessionDep, user: CurrentUser
             ) -> PlanItemRead:
    return item_read(plans.add_item(db, actor=user, plan_id=plan_id,
                                    data=plans.ItemInput(**body.model_dump())))


@router.delete("/plans/{plan_id}/items/{item_id}", status_code=204, responses=ERRORS)
def remove_item(plan_id: int, item_id: int, db: SessionDep, user: CurrentUser) -> None:
    plans.remove_item(db, actor=user, plan_id=plan_id, item_id=item_id)


@router.post("/plans/{plan_id}/assignments", response_model=PlanDetail, responses=ERRORS)
def assign(plan_id: int, body: AssignWrite, db: SessionDep, user: CurrentUser) -> PlanDetail:
    plans.assign(db, actor=user, plan_id=plan_id, agent_ids=body.agent_ids,
                 due_on=body.due_on)
    return plan_detail(progress.plan_progress(db, actor=user, plan_id=plan_id))


@router.post("/plan-items/{item_id}/completions", status_code=201, responses=ERRORS)
def record_completion(item_id: int, body: CompletionWrite, db: SessionDep, user: CurrentUser
                      ) -> dict[str, int]:
    """A trainer or team lead records that an assigned agent did an item (attendance)."""
    done = progress.record_completion(db, actor=user, item_id=item_id, agent_id=body.agent_id)
    return {"item_id": done.item_id}


@router.get("/monthly", response_model=list[ProposalRead], responses=ERRORS)
def monthly_proposals(db: SessionDep, user: CurrentUser,
                      month: str = Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")
                      ) -> list[ProposalRead]:
    """Lessons proposed for a month from searches without a good answer, knowledge gaps,
    corrections and new knowledge."""
    if not 1 <= int(month[5:]) <= 12:
        raise FieldErrors([{"field": "month", "code": "invalid_choice", "value": month}])
    first = date(int(month[:4]), int(month[5:]), 1)
    return [ProposalRead(key=p.key, source=p.source, kind=p.kind, title=p.title,
                         detail=p.detail, count=p.count, article_id=p.article_id)
            for p in monthly.propose_monthly_content(db, actor=user, month=first)]


@router.post("/plans/{plan_id}/proposals", response_model=list[PlanItemRead],
             responses=ERRORS)
def add_proposals(plan_id: int, body: ProposalsWrite, db: SessionDep, user: CurrentUser
                  ) -> list[PlanItemRead]:
    return [item_read(i) for i in monthly.add_proposals(
        db, actor=user, plan_id=plan_id, month=body.month, keys=body.keys)]


# --- the agent's own plans ----------------------------------------------------------------

@router.get("/me/plans", response_model=list[OwnPlanRead], responses=ERRORS)
def my_plans(db: SessionDep, user: CurrentUser) -> list[OwnPlanRead]:
    """Your active plans, soonest due first, with what you have done."""
    result = []
    for own in progress.my_plans(db, actor=user):
        plan = own.plan
        p = own.progress
        result.append(OwnPlanRead(
            plan=PlanRead(id=plan.id, kind=plan.kind, team=plan.team, title=plan.title,
                          description=plan.description, round_id=plan.round_id,
                          agent_id=p.agent.agent_id if plan.roster_agent_id else None,
                          month=plan.month, due_on=plan.due_on, status=plan.status,
                          done=p.done, total=p.total, share=p.share),
            items=[item_read(i) for i in own.items], done_item_ids=sorted(p.done_ids),
            due_on=p.assignment.due_on, overdue=p.overdue))
    return result


@router.post("/me/plan-items/{item_id}/done", status_code=201, responses=ERRORS)
def mark_done(item_id: int, db: SessionDep, user: CurrentUser) -> dict[str, int]:
    """Mark an item of your plan done (lessons, articles, sessions; exams by passing)."""
    done = progress.mark_done(db, actor=user, item_id=item_id)
    return {"item_id": done.item_id}


# --- coaching -------------------------------------------------------------------------------

@router.get("/coaching", response_model=list[PairRead], responses=ERRORS)
def list_pairs(db: SessionDep, user: CurrentUser, team: str | None = None) -> list[PairRead]:
    return [pair_read(*row) for row in coaching.list_pairs(db, actor=user, team=team)]


@router.post("/coaching", status_code=201, response_model=PairTrackingRead, responses=ERRORS)
def create_pair(body: PairWrite, db: SessionDep, user: CurrentUser) -> PairTrackingRead:
    pair = coaching.create_pair(db, actor=user, data=coaching.PairInput(**body.model_dump()))
    return _tracking(db, user, pair.id)


def _tracking(db: SessionDep, user: CurrentUser, pair_id: int) -> PairTrackingRead:
    t = coaching.track_pair(db, actor=user, pair_id=pair_id)
    return PairTrackingRead(
        **pair_read(t.pair, t.coach, t.mentee).model_dump(), item_name=t.item_name,
        baseline_score=t.baseline_score, latest_score=t.latest_score,
        latest_round_id=t.latest_round.id if t.latest_round else None,
        fcr_before=t.fcr_before, fcr_during=t.fcr_during, calls_during=t.calls_during,
        exams=[ExamResultRead(title=e.title, score_percent=e.score_percent, passed=e.passed,
                              finished_on=e.finished_on) for e in t.exams],
        reached=t.reached)


@router.get("/coaching/{pair_id}", response_model=PairTrackingRead, responses=ERRORS)
def read_pair(pair_id: int, db: SessionDep, user: CurrentUser) -> PairTrackingRead:
    """The mentee's competency item, exams and FCR against the pair's goal."""
    return _tracking(db, user, pair_id)


@router.post("/coaching/{pair_id}/end", response_model=PairTrackingRead, responses=ERRORS)
def end_pair(pair_id: int, body: PairEndWrite, db: SessionDep, user: CurrentUser
             ) -> PairTrackingRead:
    """End a pair; a success credits the coach's points (and an honour when titled)."""
    coaching.end_pair(db, actor=user, pair_id=pair_id, data=coaching.PairEnd(
        body.succeeded, body.outcome, body.honour_title))
    return _tracking(db, user, pair_id)


# --- the closed loop ----------------------------------------------------------------------

@router.post("/rounds/{round_id}/reassessment", status_code=201, response_model=LoopRead,
             responses=ERRORS)
def reassess(round_id: int, body: ReassessWrite, db: SessionDep, user: CurrentUser
             ) -> LoopRead:
    """Open the re-assessment of a closed round (same model, same team)."""
    loop.open_reassessment(db, actor=user, round_id=round_id, deadline=body.deadline,
                           title=body.title)
    return loop_report(round_id, db, user)


@router.get("/rounds/{round_id}/loop", response_model=LoopRead, responses=ERRORS)
def loop_report(round_id: int, db: SessionDep, user: CurrentUser,
                comparison_team: str | None = None) -> LoopRead:
    """Before/after per item (paired t, Wilcoxon), KPIs against a comparison team
    (difference in differences), and whether another round is due."""
    r = loop.loop_report(db, actor=user, round_id=round_id, comparison_team=comparison_team)
    return LoopRead(
        round_id=r.first.id, reassessment_round_id=r.second.id if r.second else None,
        items=[change_read(c) for c in r.changes],
        overall=change_read(r.overall) if r.overall else None,
        kpis=[KpiChangeRead(measure=k.measure, team_before=k.team_before,
                            team_after=k.team_after, comparison_before=k.comparison_before,
                            comparison_after=k.comparison_after, comparison=k.comparison,
                            test=stat_test_read(k.test)) for k in r.kpis],
        decision=DecisionRead(another_round=r.decision.another_round,
                              still_weak=r.decision.still_weak,
                              overall_improved=r.decision.overall_improved)
        if r.decision else None)
