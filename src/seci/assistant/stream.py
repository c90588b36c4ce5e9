"""Server-sent events for one conversation: every message after the client's last one,
then new ones as they are stored.

A reconnecting browser sends ``Last-Event-ID`` (the seq of the last message it got), so
it receives exactly what it missed: nothing lost, nothing twice. A stream ends after a
while (``duration``) and the browser's EventSource reconnects by itself, which keeps
server resources bounded and passes through proxies that cut idle connections.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from anyio import to_thread
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from seci.assistant.bus import MessageBus
from seci.assistant.conversations import messages_after
from seci.assistant.models import Conversation, Message, Status

# The browser waits this long before reconnecting after a stream ends.
RETRY_MS = 1000
# Without a notice (e.g. Redis briefly away) a stream still looks every few seconds.
POLL_SECONDS = 5.0
# A comment line now and then keeps proxies from closing a quiet stream.
KEEPALIVE_SECONDS = 15.0


@dataclass(frozen=True)
class Batch:
    events: list[tuple[int, dict[str, Any]]]  # (seq, message as JSON)
    closed: bool


def read_batch(factory: sessionmaker[Session], *, conversation_id: int, after_seq: int,
               customer_view: bool, as_json: Callable[[Message], dict[str, Any]]) -> Batch:
    """Messages after ``after_seq`` and whether the conversation has ended (one short
    session, so a stream holds no database connection while it waits)."""
    with factory() as session:
        # The status first: on PostgreSQL (READ COMMITTED) every statement sees what was
        # committed before it, so a close committed between the two reads would otherwise
        # end the stream without its last message. Read second, the messages include
        # everything committed before the status that was seen.
        status = session.scalar(select(Conversation.status)
                                .where(Conversation.id == conversation_id))
        messages = messages_after(session, conversation_id=conversation_id,
                                  after_seq=after_seq, customer_view=customer_view)
        return Batch([(m.seq, as_json(m)) for m in messages], status == Status.CLOSED)


def sse_event(seq: int, payload: dict[str, Any]) -> str:
    data = json.dumps(payload, ensure_ascii=False, default=str)
    return f"id: {seq}\nevent: message\ndata: {data}\n\n"


async def conversation_events(factory: sessionmaker[Session], bus: MessageBus, *,
                              conversation_id: int, after_seq: int, customer_view: bool,
                              as_json: Callable[[Message], dict[str, Any]],
                              duration: float) -> AsyncIterator[str]:
    """The event stream. Subscribes before reading, so a message stored in between is
    both read and announced (duplicates are dropped by seq), never missed."""
    yield f"retry: {RETRY_MS}\n\n"
    last = after_seq
    deadline = time.monotonic() + duration
    quiet_since = time.monotonic()
    async with bus.subscribe(conversation_id) as subscription:
        while True:
            batch = await to_thread.run_sync(functools.partial(
                read_batch, factory, conversation_id=conversation_id, after_seq=last,
                customer_view=customer_view, as_json=as_json))
            for seq, payload in batch.events:
                if seq > last:
                    yield sse_event(seq, payload)
                    last = seq
                    quiet_since = time.monotonic()
            remaining = deadline - time.monotonic()
            if batch.closed:
                yield "event: end\ndata: closed\n\n"
                return
            if remaining <= 0:
                return
            if time.monotonic() - quiet_since >= KEEPALIVE_SECONDS:
                yield ": keep-alive\n\n"
                quiet_since = time.monotonic()
            await subscription.wait(min(remaining, POLL_SECONDS))
