"""Queues as the customer meets them: open or closed, who is at their desk, the place in
line; opening hours as managers set them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from seci.accounts.models import Queue, User, UserQueue
from seci.accounts.roles import Perm
from seci.assistant.access import require_configurer
from seci.assistant.errors import StaleHours
from seci.assistant.models import AgentPresence, Conversation, QueueHours, Status
from seci.audit.service import record
from seci.core.clock import utcnow
from seci.core.config import get_settings
from seci.core.db import insert_if_absent
from seci.core.errors import FieldErrors

# An agent who touched their inbox this recently counts as present.
PRESENCE_WINDOW = timedelta(minutes=2)
# Presence is written at most this often per agent (the inbox is polled).
PRESENCE_WRITE_EVERY = timedelta(seconds=30)
MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True)
class Opening:
    weekday: int  # 0 = Monday
    opens_minute: int
    closes_minute: int


@dataclass(frozen=True)
class QueueState:
    queue: Queue
    open_now: bool
    next_open: tuple[int, int] | None  # (weekday, minute) when closed
    agents_present: int
    waiting: int

    @property
    def callback_offered(self) -> bool:
        """Nobody can take the chat soon: out of hours or no agent at their desk."""
        return not self.open_now or self.agents_present == 0


def local_now() -> datetime:
    return datetime.now(get_settings().tz)


def openings(session: Session, queue_id: int) -> list[Opening]:
    rows = session.scalars(select(QueueHours).where(QueueHours.queue_id == queue_id)
                           .order_by(QueueHours.weekday, QueueHours.opens_minute))
    return [Opening(r.weekday, r.opens_minute, r.closes_minute) for r in rows]


def is_open(hours: Sequence[Opening], at: datetime) -> bool:
    """No hours set: open around the clock."""
    if not hours:
        return True
    minute = at.hour * 60 + at.minute
    return any(h.weekday == at.weekday() and h.opens_minute <= minute < h.closes_minute
               for h in hours)


def next_opening(hours: Sequence[Opening], at: datetime) -> tuple[int, int] | None:
    """(weekday, minute) of the next opening after ``at`` within a week, or None."""
    if not hours:
        return None
    minute = at.hour * 60 + at.minute
    for offset in range(8):
        day = (at.weekday() + offset) % 7
        starts = sorted(h.opens_minute for h in hours if h.weekday == day
                        and (offset > 0 or h.opens_minute > minute))
        if starts:
            return day, starts[0]
    return None


def set_hours(session: Session, *, queue: Queue, hours: Sequence[Opening]) -> None:
    """Replace a queue's opening hours (an empty list: open around the clock)."""
    problems = [
        {"field": f"hours.{i}", "code": "invalid_choice",
         "value": f"{h.weekday} {h.opens_minute}-{h.closes_minute}"}
        for i, h in enumerate(hours)
        if not (0 <= h.weekday <= 6 and 0 <= h.opens_minute < h.closes_minute <= MINUTES_PER_DAY)
    ]
    if problems:
        raise FieldErrors(problems)
    session.execute(delete(QueueHours).where(QueueHours.queue_id == queue.id))
    session.add_all(QueueHours(queue_id=queue.id, weekday=h.weekday,
                               opens_minute=h.opens_minute, closes_minute=h.closes_minute)
                    for h in hours)
    session.flush()


def hours_fingerprint(hours: Sequence[Opening]) -> str:
    """The hours as one comparable text ("0:480-1200;1:480-1200"; empty: around the clock),
    for forms that must not overwrite a change made after they were opened."""
    return ";".join(f"{h.weekday}:{h.opens_minute}-{h.closes_minute}"
                    for h in sorted(hours, key=lambda h: (h.weekday, h.opens_minute)))


def update_hours(session: Session, *, actor: User, queue: Queue, hours: Sequence[Opening],
                 expected: str | None = None) -> None:
    """Replace a queue's hours, audited. With ``expected`` (the fingerprint the form was
    opened with) hours saved by someone else in the meantime raise StaleHours."""
    require_configurer(actor)
    before = hours_fingerprint(openings(session, queue.id))
    if expected is not None and expected != before:
        raise StaleHours(queue=queue.code)
    set_hours(session, queue=queue, hours=hours)
    record(session, actor=actor, action="assistant_hours_updated", entity_type="queue",
           entity_id=queue.id, summary=queue.code, before={"hours": before},
           after={"hours": hours_fingerprint(hours)})


def mark_present(session: Session, user: User) -> None:
    """The agent is working their inbox (written at most every 30 seconds)."""
    now = utcnow()
    presence = session.get(AgentPresence, user.id)
    if presence is None:
        # The inbox page and its live updates may both be the first to say so.
        insert_if_absent(session, AgentPresence, {"user_id": user.id, "last_seen_at": now},
                         ["user_id"])
        return
    if now - presence.last_seen_at >= PRESENCE_WRITE_EVERY:
        presence.last_seen_at = now
    else:
        return
    session.flush()


def agents_present(session: Session, queue_id: int) -> int:
    """Agents of the queue who worked their inbox in the last two minutes."""
    user_ids = session.scalars(
        select(AgentPresence.user_id)
        .join(UserQueue, UserQueue.user_id == AgentPresence.user_id)
        .where(UserQueue.queue_id == queue_id,
               AgentPresence.last_seen_at >= utcnow() - PRESENCE_WINDOW)
    ).all()
    if not user_ids:
        return 0
    users = session.scalars(select(User).where(User.id.in_(user_ids),
                                               User.is_active.is_(True))).all()
    return sum(1 for user in users if user.can(Perm.ASSISTANT_HANDLE))


def waiting_count(session: Session, queue_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(Conversation).where(
        Conversation.queue_id == queue_id, Conversation.status == Status.WAITING)) or 0)


def position_in_line(session: Session, conversation: Conversation) -> int | None:
    """1 for the next to be served; None when not waiting."""
    if conversation.status != Status.WAITING or conversation.queue_id is None \
            or conversation.handed_off_at is None:
        return None
    ahead = session.scalar(select(func.count()).select_from(Conversation).where(
        Conversation.queue_id == conversation.queue_id,
        Conversation.status == Status.WAITING,
        (Conversation.handed_off_at < conversation.handed_off_at)
        | ((Conversation.handed_off_at == conversation.handed_off_at)
           & (Conversation.id < conversation.id)),
    ))
    return int(ahead or 0) + 1


def queue_state(session: Session, queue: Queue, at: datetime | None = None) -> QueueState:
    at = at or local_now()
    hours = openings(session, queue.id)
    open_now = is_open(hours, at)
    return QueueState(queue=queue, open_now=open_now,
                      next_open=None if open_now else next_opening(hours, at),
                      agents_present=agents_present(session, queue.id),
                      waiting=waiting_count(session, queue.id))
