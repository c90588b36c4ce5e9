"""Handing a conversation to a person, and what the customer can do while waiting: leave a
call-back number; and after it ends: rate it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import Queue
from seci.assistant import replies
from seci.assistant.conversations import add_message, lock_conversation
from seci.assistant.errors import AlreadyRated, WrongConversationState
from seci.assistant.models import (
    CallbackRequest,
    Conversation,
    HandoffRule,
    Kind,
    Message,
    Role,
    Status,
)
from seci.assistant.queues import QueueState, position_in_line, queue_state
from seci.assistant.rules import Trigger, route
from seci.assistant.text import mask_phone, valid_mobile
from seci.core.clock import utcnow
from seci.core.errors import FieldErrors


@dataclass(frozen=True)
class WaitingInfo:
    """What the customer is told while waiting: where, how far back in line, whether the
    queue is open and whether a call-back is offered."""

    queue: Queue
    position: int | None
    state: QueueState


def fallback_queue(session: Session) -> Queue:
    """No rule names a usable queue: the first open queue (the general one, A, by order)."""
    queue = session.scalar(select(Queue).where(Queue.archived.is_(False))
                           .order_by(Queue.position, Queue.id).limit(1))
    if queue is None:
        raise WrongConversationState(status="no_queue")
    return queue


def hand_off(session: Session, conversation: Conversation, *, trigger: Trigger,
             rules: Sequence[HandoffRule]) -> Message:
    """Put the conversation in the routed queue's inbox and tell the customer where they
    stand. The reason and the rule that fired are kept on the conversation."""
    queue = route(session, rules, trigger=trigger, conversation=conversation) \
        or fallback_queue(session)
    conversation.status = Status.WAITING
    conversation.queue_id = queue.id
    conversation.handoff_reason = trigger.reason
    conversation.handoff_rule_id = trigger.rule_id
    conversation.handed_off_at = utcnow()
    session.flush()
    info = waiting_info(session, conversation)
    assert info is not None  # just put in a queue
    return add_message(
        session, conversation, role=Role.BOT, kind=Kind.HANDOFF,
        text=_handoff_text(conversation.locale, info),
        data={"queue": queue.code, "queue_name": queue.name, "reason": trigger.reason,
              "matched": trigger.matched[:40], "position": info.position,
              "open": info.state.open_now, "callback_offered": info.state.callback_offered},
    )


def waiting_info(session: Session, conversation: Conversation) -> WaitingInfo | None:
    if conversation.queue_id is None or conversation.status != Status.WAITING:
        return None
    queue = session.get(Queue, conversation.queue_id)
    if queue is None:
        return None
    return WaitingInfo(queue, position_in_line(session, conversation),
                       queue_state(session, queue))


def _handoff_text(locale: str, info: WaitingInfo) -> str:
    with replies.speaking(locale):
        name = replies.queue_for_customers(info.queue.code)
    if not info.state.open_now:
        opens = replies.opens_text(locale, *info.state.next_open) if info.state.next_open \
            else ""
        return replies.say(locale, replies.HANDOFF_CLOSED, queue=name, opens=opens)
    template = replies.HANDOFF_NO_AGENT if info.state.agents_present == 0 \
        else replies.HANDOFF_OPEN
    return replies.say(locale, template, queue=name, position=info.position or 1)


def still_waiting(session: Session, conversation: Conversation) -> Message:
    """The customer asks for a person again while already waiting (转人工 twice): tell
    them where they stand, as the first hand-off did."""
    info = waiting_info(session, conversation)
    if info is None:
        raise WrongConversationState(status=conversation.status)
    locale = conversation.locale
    position = info.position or 1
    if not info.state.open_now:
        text = _handoff_text(locale, info)
    else:
        with replies.speaking(locale):
            name = replies.queue_for_customers(info.queue.code)
        text = replies.say(locale, replies.STILL_WAITING_NEXT, queue=name) if position == 1 \
            else replies.say(locale, replies.STILL_WAITING, queue=name, ahead=position - 1)
    return add_message(
        session, conversation, role=Role.BOT, kind=Kind.HANDOFF, text=text,
        data={"queue": info.queue.code, "queue_name": info.queue.name, "repeat": True,
              "position": info.position, "open": info.state.open_now,
              "callback_offered": info.state.callback_offered},
    )


def request_callback(session: Session, *, conversation: Conversation, phone: str,
                     note: str = "") -> CallbackRequest:
    """The customer leaves a mobile number instead of waiting: the conversation leaves the
    live inbox and the request waits in the queue's call-back list."""
    number = valid_mobile(phone)
    lock_conversation(session, conversation)
    if conversation.status not in {Status.WAITING, Status.BOT}:
        raise WrongConversationState(status=conversation.status)
    if len(note) > 200:
        raise FieldErrors([{"field": "note", "code": "too_long", "max": 200}])
    callback = CallbackRequest(conversation_id=conversation.id,
                               queue_id=conversation.queue_id, phone=number,
                               note=note.strip(), status="open", created_at=utcnow())
    session.add(callback)
    conversation.status = Status.CLOSED
    conversation.closed_at = utcnow()
    conversation.category = "callback"
    add_message(session, conversation, role=Role.SYSTEM, kind=Kind.CALLBACK,
                text=replies.say(conversation.locale, replies.CALLBACK,
                                 phone=mask_phone(number)),
                data={"phone": mask_phone(number)})
    return callback


def rate(session: Session, *, conversation: Conversation, score: int) -> Conversation:
    """The customer's 1–5 satisfaction with a closed conversation (once)."""
    if not 1 <= score <= 5:
        raise FieldErrors([{"field": "score", "code": "invalid_choice", "value": score}])
    lock_conversation(session, conversation)
    if conversation.status != Status.CLOSED:
        raise WrongConversationState(status=conversation.status)
    if conversation.satisfaction is not None:
        raise AlreadyRated()
    conversation.satisfaction = score
    conversation.rated_at = utcnow()
    session.flush()
    return conversation


def close(session: Session, conversation: Conversation, *, closed_by_id: int | None
          ) -> Message:
    """End the conversation and ask for the 1–5 satisfaction rating."""
    conversation.status = Status.CLOSED
    conversation.closed_at = utcnow()
    conversation.closed_by_id = closed_by_id
    return add_message(session, conversation, role=Role.SYSTEM, kind=Kind.CLOSED,
                       text=replies.say(conversation.locale, replies.CLOSED),
                       data={"rating": [1, 2, 3, 4, 5]})


def end_chat(session: Session, *, conversation: Conversation) -> Message:
    """The customer ends a conversation the assistant was handling (or that waits)."""
    lock_conversation(session, conversation)
    if conversation.status not in {Status.BOT, Status.WAITING}:
        raise WrongConversationState(status=conversation.status)
    return close(session, conversation, closed_by_id=None)
