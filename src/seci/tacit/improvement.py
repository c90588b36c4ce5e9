"""Step 6, continuous improvement (持续优化): problems anyone raises about how a step is
run, and where contributions spend their time and get stuck."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.audit.service import record
from seci.core.clock import utcnow
from seci.core.errors import FieldErrors
from seci.tacit.errors import ProcessIssueNotFound
from seci.tacit.models import (
    CLOSED,
    STEP_OF_STATUS,
    Contribution,
    ContributionEvent,
    EventKind,
    IssueStatus,
    ProcessIssue,
    Status,
    Step,
)
from seci.tacit.workflow import require_perm

DEFAULT_STUCK_DAYS = 14
DAY = timedelta(days=1)


def raise_issue(session: Session, *, step: str, description: str, actor: User
                ) -> ProcessIssue:
    """Anyone on the pipeline may say what is wrong with how a step is run."""
    require_perm(actor, Perm.TACIT_CONTRIBUTE)
    problems: list[dict[str, object]] = []
    if step not in set(Step):
        problems.append({"field": "step", "code": "invalid_choice", "value": step})
    if not description.strip():
        problems.append({"field": "description", "code": "required"})
    if problems:
        raise FieldErrors(problems)
    issue = ProcessIssue(step=step, description=description.strip(), raised_by_id=actor.id)
    session.add(issue)
    session.flush()
    record(session, actor=actor, action="process_issue.raise", entity_type="process_issue",
           entity_id=issue.id, summary=description.strip()[:200], after={"step": step})
    return issue


def resolve_issue(session: Session, *, issue_id: int, resolution: str, actor: User
                  ) -> ProcessIssue:
    """A pipeline manager says what was changed."""
    require_perm(actor, Perm.TACIT_MANAGE)
    issue = session.get(ProcessIssue, issue_id)
    if issue is None:
        raise ProcessIssueNotFound(issue=issue_id)
    if not resolution.strip():
        raise FieldErrors([{"field": "resolution", "code": "required"}])
    issue.status = IssueStatus.RESOLVED
    issue.resolution = resolution.strip()
    issue.resolved_by_id, issue.resolved_at = actor.id, utcnow()
    session.flush()
    record(session, actor=actor, action="process_issue.resolve", entity_type="process_issue",
           entity_id=issue.id, summary=issue.resolution[:200])
    return issue


def list_issues(session: Session, *, open_only: bool = False) -> list[ProcessIssue]:
    stmt = select(ProcessIssue).order_by(ProcessIssue.status, ProcessIssue.id.desc())
    if open_only:
        stmt = stmt.where(ProcessIssue.status == IssueStatus.OPEN)
    return list(session.scalars(stmt))


def step_spans(events: list[ContributionEvent], now: datetime
               ) -> list[tuple[Step, float, bool]]:
    """(step, days, still there) for each stay in a step, from a contribution's ordered
    transitions. A closed status is an end, not a stay."""
    transitions = [e for e in events if e.kind == EventKind.TRANSITION and e.to_status]
    spans: list[tuple[Step, float, bool]] = []
    for current, following in zip(transitions, [*transitions[1:], None], strict=True):
        status = Status(str(current.to_status))
        if status in CLOSED:
            continue
        end = following.at if following else now
        spans.append((STEP_OF_STATUS[status], (end - current.at) / DAY, following is None))
    return spans


@dataclass(frozen=True)
class StepTiming:
    step: Step
    finished: int  # stays that ended (the contribution moved on)
    median_days: float | None
    p90_days: float | None
    waiting: int  # contributions in this step now
    stuck: int  # of which longer than the threshold


@dataclass(frozen=True)
class StuckItem:
    contribution: Contribution
    step: Step
    days: float


@dataclass(frozen=True)
class PipelineTimings:
    steps: list[StepTiming]
    stuck: list[StuckItem]
    days_by_contribution: dict[int, dict[Step, float]]  # time spent per step so far


def timings(session: Session, *, stuck_after_days: int = DEFAULT_STUCK_DAYS,
            now: datetime | None = None) -> PipelineTimings:
    """Median and 90th percentile of days per step, and what waits longer than the
    threshold (oldest first)."""
    now = now or utcnow()
    events_by: dict[int, list[ContributionEvent]] = defaultdict(list)
    for event in session.scalars(select(ContributionEvent).order_by(
            ContributionEvent.contribution_id, ContributionEvent.at, ContributionEvent.id)):
        events_by[event.contribution_id].append(event)
    contributions = {c.id: c for c in session.scalars(select(Contribution))}
    finished: dict[Step, list[float]] = defaultdict(list)
    waiting: dict[Step, list[float]] = defaultdict(list)
    per_contribution: dict[int, dict[Step, float]] = {}
    stuck: list[StuckItem] = []
    for contribution_id, events in events_by.items():
        totals: dict[Step, float] = defaultdict(float)
        for step, days, ongoing in step_spans(events, now):
            totals[step] += days
            (waiting if ongoing else finished)[step].append(days)
            if ongoing and days > stuck_after_days and contribution_id in contributions:
                stuck.append(StuckItem(contributions[contribution_id], step, days))
        per_contribution[contribution_id] = dict(totals)
    steps = []
    for step in (Step.MINING, Step.SCREENING, Step.PROMOTION, Step.EVALUATION):
        done = finished.get(step, [])
        steps.append(StepTiming(
            step, len(done),
            float(np.median(done)) if done else None,
            float(np.percentile(done, 90)) if done else None,
            len(waiting.get(step, [])),
            sum(1 for d in waiting.get(step, []) if d > stuck_after_days)))
    stuck.sort(key=lambda item: item.days, reverse=True)
    return PipelineTimings(steps, stuck, per_contribution)
