"""The queue gate (技能鉴定): which queues ask for a certification and whether a login
holds a valid one. Kept to models only, so that ``accounts.service`` (which changes a
user's queues) can call it without importing the rest of the people domain."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import Queue
from seci.core.clock import today
from seci.people.cert_models import Certification, CertRequirement
from seci.people.errors import NotCertified


def gated_queue_ids(session: Session, queue_ids: Iterable[int]) -> set[int]:
    """Those of the queues that have certification requirements (the others are open)."""
    wanted = set(queue_ids)
    if not wanted:
        return set()
    return set(session.scalars(select(CertRequirement.queue_id).where(
        CertRequirement.queue_id.in_(wanted))))


def valid_certification(session: Session, *, user_id: int, queue_id: int,
                        on: date | None = None) -> Certification | None:
    """The user's latest valid certification for the queue: not revoked, not expired."""
    return session.scalar(
        select(Certification)
        .where(Certification.user_id == user_id, Certification.queue_id == queue_id,
               Certification.revoked_at.is_(None), Certification.expires_on >= (on or today()))
        .order_by(Certification.expires_on.desc(), Certification.id.desc()).limit(1))


def require_certified(session: Session, *, user_id: int | None, username: str,
                      queue_ids: Iterable[int]) -> None:
    """Refuse (409) the first gated queue the user holds no valid certification for.
    ``user_id`` None is a user being created: they hold none yet."""
    for queue_id in sorted(gated_queue_ids(session, queue_ids)):
        if user_id is None or valid_certification(
                session, user_id=user_id, queue_id=queue_id) is None:
            queue = session.get(Queue, queue_id)
            raise NotCertified(user=username, queue=queue.name if queue else queue_id,
                               queue_id=queue_id)
