"""Record and query the audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.audit.models import AuditEvent
from seci.core.errors import PermissionDenied


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    entity_type: str,
    entity_id: str | int | None = None,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip: str | None = None,
    actor_name: str | None = None,
) -> AuditEvent:
    """Append one event; it is flushed with the caller's unit of work."""
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        actor_name=actor_name if actor_name is not None else (actor.username if actor else ""),
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        summary=summary[:400],
        before=before,
        after=after,
        ip=ip,
    )
    session.add(event)
    return event


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    actor: str | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def latest_event(session: Session, *, action: str, entity_type: str,
                 entity_id: str | int) -> AuditEvent | None:
    """The newest event of one kind about one object (for the domain that recorded it)."""
    return session.scalars(
        select(AuditEvent).where(AuditEvent.action == action,
                                 AuditEvent.entity_type == entity_type,
                                 AuditEvent.entity_id == str(entity_id))
        .order_by(AuditEvent.id.desc()).limit(1)).first()


def require_audit_reader(actor: User) -> None:
    """The trail names who did what to whom: auditors only (reviewers, managers, admins)."""
    if not actor.can(Perm.AUDIT_VIEW):
        raise PermissionDenied()


def list_events(
    session: Session, *, actor: User, filters: AuditFilter, limit: int = 100, offset: int = 0
) -> tuple[Sequence[AuditEvent], int]:
    """Newest first, with the total count for paging."""
    require_audit_reader(actor)
    query = select(AuditEvent)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.actor:
        query = query.where(AuditEvent.actor_name == filters.actor)
    if filters.entity_type:
        query = query.where(AuditEvent.entity_type == filters.entity_type)
    if filters.entity_id:
        query = query.where(AuditEvent.entity_id == filters.entity_id)
    if filters.since:
        query = query.where(AuditEvent.at >= filters.since)
    if filters.until:
        query = query.where(AuditEvent.at < filters.until)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(AuditEvent.id.desc()).limit(limit).offset(offset)
    ).all()
    return rows, total


def distinct_actions(session: Session, *, actor: User) -> list[str]:
    require_audit_reader(actor)
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
