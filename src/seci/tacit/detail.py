"""Everything a contribution's page and its API read show, gathered in one place."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.core.clock import utcnow
from seci.knowledge.lookups import Lookups, load_lookups
from seci.tacit import evaluation as ev
from seci.tacit import incentives, mining
from seci.tacit.improvement import step_spans
from seci.tacit.models import (
    Contribution,
    ContributionEvent,
    Evaluation,
    EvaluationFigure,
    EvaluationStatus,
    Honour,
    PointEntry,
    Status,
    Step,
)
from seci.tacit.promotion import sync_promotions
from seci.tacit.workflow import get_contribution, is_own


@dataclass(frozen=True)
class Actions:
    """What the viewer may do with the contribution now."""

    screen: bool
    follow_up: bool
    promote: bool
    end_trial: bool
    enter_figures: bool
    close_evaluation: bool


@dataclass(frozen=True)
class ContributionDetail:
    contribution: Contribution
    history: list[ContributionEvent]
    points: list[PointEntry]
    honours: list[Honour]
    evaluation: Evaluation | None
    figures: list[EvaluationFigure]
    results: list[ev.MetricResult]
    days_per_step: dict[Step, float]
    actions: Actions
    look: Lookups


def _actions(user: User, contribution: Contribution, evaluation: Evaluation | None
             ) -> Actions:
    status = contribution.status
    own = is_own(user, contribution)
    evaluating = evaluation is not None and status == Status.EVALUATING \
        and evaluation.status == EvaluationStatus.OPEN and user.can(Perm.TACIT_EVALUATE) \
        and (user.id == evaluation.owner_id or user.can(Perm.TACIT_MANAGE))
    return Actions(
        screen=user.can(Perm.TACIT_SCREEN) and not own and status == Status.SUBMITTED,
        follow_up=user.can(Perm.TACIT_SCREEN) and status == Status.ROUTED,
        promote=user.can(Perm.TACIT_PROMOTE) and not own and status == Status.TRIAL,
        end_trial=user.can(Perm.TACIT_SCREEN) and not own and status == Status.TRIAL,
        enter_figures=evaluating,
        close_evaluation=evaluating and not own,
    )


def contribution_detail(session: Session, *, contribution_id: int, user: User
                        ) -> ContributionDetail:
    sync_promotions(session)
    contribution = get_contribution(session, contribution_id=contribution_id)
    events = mining.history(session, contribution_id=contribution.id)
    evaluation = session.scalar(select(Evaluation).where(
        Evaluation.contribution_id == contribution.id))
    found = ev.figures(session, evaluation_id=evaluation.id) if evaluation else []
    points = incentives.points_of(session, source_type="contribution",
                                  source_id=contribution.id)
    honours = list(session.scalars(select(Honour).where(
        Honour.contribution_id == contribution.id).order_by(Honour.awarded_at)))
    totals: dict[Step, float] = {}
    for step, days, _ongoing in step_spans(events, utcnow()):
        totals[step] = totals.get(step, 0.0) + days
    people = [contribution.author_id, contribution.recorded_by_id, contribution.screened_by_id,
              contribution.promoted_by_id, *(e.actor_id for e in events),
              *(p.user_id for p in points), *(h.user_id for h in honours)]
    if evaluation:
        people += [evaluation.owner_id, evaluation.closed_by_id]
    return ContributionDetail(
        contribution=contribution, history=events, points=points, honours=honours,
        evaluation=evaluation, figures=found, results=ev.analyse(found),
        days_per_step=totals, actions=_actions(user, contribution, evaluation),
        look=load_lookups(session, people))
