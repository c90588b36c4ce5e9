"""Read-only API of the audit trail: there is deliberately no route that changes it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.audit.service import AuditFilter, list_events
from seci.core.clock import UtcDateTime, stored_utc
from seci.core.http import SessionDep, require

router = APIRouter(prefix="/api/v1", tags=["audit"])


class AuditEventRead(BaseModel):
    id: int
    at: UtcDateTime
    actor: str
    action: str
    entity_type: str
    entity_id: str | None
    summary: str
    before: dict[str, object] | None
    after: dict[str, object] | None
    ip: str | None


class AuditPage(BaseModel):
    total: int
    items: list[AuditEventRead]


@router.get("/audit", response_model=AuditPage, responses={403: {}})
def audit_log(
    db: SessionDep,
    user: Annotated[User, Depends(require(Perm.AUDIT_VIEW))],
    action: str | None = None, actor: str | None = None, entity_type: str | None = None,
    entity_id: str | None = None, since: datetime | None = None, until: datetime | None = None,
    limit: int = Query(default=100, le=1000), offset: int = 0,
) -> AuditPage:
    """Every recorded action, newest first, filterable."""
    rows, total = list_events(
        db, actor=user,
        filters=AuditFilter(action=action, actor=actor, entity_type=entity_type,
                            entity_id=entity_id, since=stored_utc(since),
                            until=stored_utc(until)),
        limit=limit, offset=offset,
    )
    return AuditPage(total=total, items=[
        AuditEventRead(id=e.id, at=e.at, actor=e.actor_name, action=e.action,
                       entity_type=e.entity_type, entity_id=e.entity_id, summary=e.summary,
                       before=e.before, after=e.after, ip=e.ip)
        for e in rows
    ])
