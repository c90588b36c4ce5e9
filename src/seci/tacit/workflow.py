"""What every step shares: loading a contribution, checking who may act, moving it on
with its history and the audit trail."""

from __future__ import annotations

from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.audit.service import record
from seci.core.clock import utcnow
from seci.core.errors import PermissionDenied
from seci.tacit.errors import ContributionNotFound, OwnContribution, WrongStep
from seci.tacit.models import Contribution, ContributionEvent, EventKind, Status


def get_contribution(session: Session, *, contribution_id: int) -> Contribution:
    contribution = session.get(Contribution, contribution_id)
    if contribution is None:
        raise ContributionNotFound(contribution=contribution_id)
    return contribution


def require_perm(user: User, perm: Perm) -> None:
    if not user.can(perm):
        raise PermissionDenied()


def require_status(contribution: Contribution, action: str, *allowed: Status) -> None:
    if contribution.status not in allowed:
        raise WrongStep(contribution=contribution.id, step_status=contribution.status,
                        action=action)


def is_own(user: User, contribution: Contribution) -> bool:
    """The author, and whoever wrote it down for them, are parties to it."""
    return user.id in {contribution.author_id, contribution.recorded_by_id}


def require_not_own(user: User, contribution: Contribution) -> None:
    if is_own(user, contribution):
        raise OwnContribution()


def move(session: Session, *, contribution: Contribution, to: Status, actor: User | None,
         note: str = "") -> ContributionEvent:
    """Change the status, keep the step's history and write the audit event."""
    before = contribution.status
    now = utcnow()
    contribution.status = to
    contribution.status_since = now
    event = ContributionEvent(contribution_id=contribution.id, at=now,
                              actor_id=actor.id if actor else None,
                              kind=EventKind.TRANSITION, from_status=before, to_status=to,
                              note=note)
    session.add(event)
    session.flush()
    record(session, actor=actor, action=f"contribution.{to}", entity_type="contribution",
           entity_id=contribution.id, summary=contribution.title,
           before={"status": before}, after={"status": str(to), "note": note[:200]})
    return event


def add_event(session: Session, *, contribution: Contribution, actor: User, kind: EventKind,
              note: str, audit_action: str, details: dict[str, object] | None = None
              ) -> ContributionEvent:
    """A history entry that does not change the status (a follow-up, figures entered);
    ``details`` go to the audit trail only."""
    event = ContributionEvent(contribution_id=contribution.id, actor_id=actor.id, kind=kind,
                              note=note)
    session.add(event)
    session.flush()
    record(session, actor=actor, action=audit_action, entity_type="contribution",
           entity_id=contribution.id, summary=contribution.title,
           after={"note": note[:200], **(details or {})})
    return event
