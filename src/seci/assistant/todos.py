"""What waits for an agent in the hand-off inbox, as counts for the home page.

Counting does not mark the agent present (only opening the inbox does): a glance at the
home page must not tell customers that somebody is there to take them."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.assistant.models import CallbackRequest, Conversation, Status
from seci.core.todo import Todo, waiting


def count_waiting_for(session: Session, *, actor: User) -> int:
    """Customers waiting in the actor's queues, plus the conversations the actor has
    accepted and not closed (0 for those who do not take hand-offs)."""
    if not actor.can(Perm.ASSISTANT_HANDLE):
        return 0
    queue_ids = sorted(actor.queue_ids) or [-1]
    return session.scalar(select(func.count(Conversation.id)).where(or_(
        (Conversation.status == Status.WAITING) & Conversation.queue_id.in_(queue_ids),
        (Conversation.status == Status.WITH_AGENT) & (Conversation.agent_id == actor.id),
    ))) or 0


def count_open_callbacks_for(session: Session, *, actor: User) -> int:
    """Call-backs of the actor's queues nobody has claimed yet, and those the actor
    claimed and has not done."""
    if not actor.can(Perm.ASSISTANT_HANDLE):
        return 0
    queue_ids = sorted(actor.queue_ids) or [-1]
    return session.scalar(select(func.count(CallbackRequest.id)).where(or_(
        (CallbackRequest.status == "open") & CallbackRequest.queue_id.in_(queue_ids),
        (CallbackRequest.status == "claimed") & (CallbackRequest.claimed_by_id == actor.id),
    ))) or 0


def todos_for(session: Session, actor: User) -> list[Todo]:
    """Hand-offs waiting (or in progress) and call-backs to make."""
    return waiting([
        Todo("assistant.handoffs", count_waiting_for(session, actor=actor), "/assistant/inbox"),
        Todo("assistant.callbacks", count_open_callbacks_for(session, actor=actor),
             "/assistant/callbacks"),
    ])
