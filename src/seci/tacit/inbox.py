"""What waits for a user in the pipeline ("my inbox")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.core.clock import today
from seci.core.todo import Todo, todo
from seci.tacit.models import (
    Contribution,
    Evaluation,
    EvaluationStatus,
    IssueStatus,
    ProcessIssue,
    Status,
)
from seci.tacit.promotion import sync_promotions
from seci.tacit.workflow import is_own


@dataclass(frozen=True)
class InboxItem:
    task: str  # screen, follow_up, promote, evaluate, resolve_issue
    title: str
    url: str
    due: date | None = None

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due < today()


def _contributions(session: Session, status: Status) -> list[Contribution]:
    return list(session.scalars(select(Contribution).where(Contribution.status == status)
                                .order_by(Contribution.status_since)))


def _url(contribution: Contribution) -> str:
    return f"/tacit/contributions/{contribution.id}"


def items_for(session: Session, user: User) -> list[InboxItem]:
    """Tasks for this user: screening others' contributions, chasing departments,
    promoting finished trials, evaluations they own, open process issues."""
    sync_promotions(session)
    items: list[InboxItem] = []
    if user.can(Perm.TACIT_SCREEN):
        items += [InboxItem("screen", c.title, _url(c))
                  for c in _contributions(session, Status.SUBMITTED) if not is_own(user, c)]
        items += [InboxItem("follow_up", c.title, _url(c), c.route_due)
                  for c in _contributions(session, Status.ROUTED)]
    if user.can(Perm.TACIT_PROMOTE):
        items += [InboxItem("promote", c.method_name or c.title, _url(c), c.trial_to)
                  for c in _contributions(session, Status.TRIAL) if not is_own(user, c)]
    for contribution, evaluation in session.execute(
            select(Contribution, Evaluation)
            .join(Evaluation, Evaluation.contribution_id == Contribution.id)
            .where(Evaluation.owner_id == user.id,
                   Evaluation.status == EvaluationStatus.OPEN,
                   Contribution.status == Status.EVALUATING)
            .order_by(Evaluation.due_date)):
        items.append(InboxItem("evaluate", contribution.method_name or contribution.title,
                               _url(contribution), evaluation.due_date))
    if user.can(Perm.TACIT_MANAGE):
        items += [InboxItem("resolve_issue", issue.description[:80], "/tacit#improvement")
                  for issue in session.scalars(select(ProcessIssue).where(
                      ProcessIssue.status == IssueStatus.OPEN))]
    return items


# The page where each task is done (a contribution's own page when there is one).
TASK_URLS = {"screen": "/tacit", "follow_up": "/tacit", "promote": "/tacit",
             "evaluate": "/tacit", "resolve_issue": "/tacit#improvement"}


def todos_for(session: Session, user: User) -> list[Todo]:
    """The inbox's tasks counted by kind, each with its nearest deadline."""
    items = items_for(session, user)
    by_task: dict[str, list[InboxItem]] = {}
    for item in items:
        by_task.setdefault(item.task, []).append(item)
    on = today()
    return [todo(f"tacit.{task}", found[0].url if len(found) == 1 else TASK_URLS[task],
                 [i.due for i in found], on=on) for task, found in by_task.items()]
