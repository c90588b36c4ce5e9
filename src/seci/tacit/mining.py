"""Step 1, mining (挖掘): anyone submits a contribution; a supervisor or trainer may
record one on an agent's behalf. Also the lists the board and pages read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import Queue, User
from seci.accounts.roles import Perm
from seci.audit.service import record
from seci.core.errors import FieldErrors
from seci.tacit.models import (
    Contribution,
    ContributionEvent,
    EventKind,
    Kind,
    Source,
    Status,
)
from seci.tacit.workflow import require_perm

TITLE_MAX = 200
METHOD_NAME_MAX = 120
CONTENT_MAX = 20_000


@dataclass
class ContributionInput:
    title: str
    content: str
    kind: str
    source: str = Source.SELF
    method_name: str | None = None
    queue_ids: list[int] = field(default_factory=list)


def _problems(session: Session, data: ContributionInput) -> list[dict[str, object]]:
    problems: list[dict[str, object]] = []
    if not data.title.strip():
        problems.append({"field": "title", "code": "required"})
    elif len(data.title.strip()) > TITLE_MAX:
        problems.append({"field": "title", "code": "too_long", "max": TITLE_MAX})
    if not data.content.strip():
        problems.append({"field": "content", "code": "required"})
    elif len(data.content) > CONTENT_MAX:
        problems.append({"field": "content", "code": "too_long", "max": CONTENT_MAX})
    if data.kind not in set(Kind):
        problems.append({"field": "kind", "code": "invalid_choice", "value": data.kind})
    if data.source not in set(Source):
        problems.append({"field": "source", "code": "invalid_choice", "value": data.source})
    if data.method_name and len(data.method_name.strip()) > METHOD_NAME_MAX:
        problems.append({"field": "method_name", "code": "too_long", "max": METHOD_NAME_MAX})
    known = set(session.scalars(select(Queue.id)))
    for queue_id in data.queue_ids:
        if queue_id not in known:
            problems.append({"field": "queue_ids", "code": "unknown_queue", "value": queue_id})
    return problems


def submit_contribution(session: Session, *, data: ContributionInput, actor: User,
                        author: User | None = None) -> Contribution:
    """Record a contribution; ``author`` other than the actor needs the record-for right."""
    require_perm(actor, Perm.TACIT_CONTRIBUTE)
    author = author or actor
    if author.id != actor.id:
        require_perm(actor, Perm.TACIT_RECORD_FOR)
    if problems := _problems(session, data):
        raise FieldErrors(problems)
    contribution = Contribution(
        title=" ".join(data.title.split()),
        content=data.content.strip(),
        kind=data.kind,
        source=data.source,
        method_name=(data.method_name or "").strip() or None,
        queue_ids=sorted(set(data.queue_ids)),
        author_id=author.id,
        recorded_by_id=actor.id,
        team=author.team,
        status=Status.SUBMITTED,
    )
    session.add(contribution)
    session.flush()
    session.add(ContributionEvent(contribution_id=contribution.id, actor_id=actor.id,
                                  kind=EventKind.TRANSITION, to_status=Status.SUBMITTED,
                                  at=contribution.created_at))
    record(session, actor=actor, action="contribution.submitted", entity_type="contribution",
           entity_id=contribution.id, summary=contribution.title,
           after={"author_id": author.id, "kind": data.kind, "source": data.source,
                  "method_name": contribution.method_name})
    return contribution


def list_contributions(session: Session, *, statuses: Sequence[str] | None = None,
                       author_id: int | None = None, limit: int = 500) -> list[Contribution]:
    """Newest first; the whole centre sees the pipeline."""
    stmt = select(Contribution).order_by(Contribution.id.desc()).limit(limit)
    if statuses:
        stmt = stmt.where(Contribution.status.in_(list(statuses)))
    if author_id is not None:
        stmt = stmt.where(Contribution.author_id == author_id)
    return list(session.scalars(stmt))


def history(session: Session, *, contribution_id: int) -> list[ContributionEvent]:
    return list(session.scalars(
        select(ContributionEvent).where(ContributionEvent.contribution_id == contribution_id)
        .order_by(ContributionEvent.at, ContributionEvent.id)))
