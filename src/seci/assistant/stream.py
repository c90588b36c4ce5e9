"""Server-sent events for one conversation: every message after the client's last one,
then new ones as they are stored.

A reconnecting browser sends ``Last-Event-ID`` (the seq of the last message it got), so
it receives exactly what it missed: nothing lost, nothing twice. A stream ends after a
while (``duration``) and the browser's EventSource reconnects by itself, which keeps
server resources bounded and passes through proxies that cut idle connections.

The stream reads the database when it opens; after that, the bus's notices carry the new
messages themselves. It reads again only when a notice does not follow on from what it
sent (a gap: a notice was lost or overtaken), when the bus says it may have missed some,
and now and then as a safety net. Hundreds of open chats thus cost the database almost
nothing while they wait.
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
import weakref
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from anyio import CapacityLimiter, to_thread
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from seci.assistant.bus import MessageBus, Notice
from seci.assistant.conversations import messages_after
from seci.assistant.models import Conversation, Message, Status

# The browser waits this long before reconnecting after a stream ends.
RETRY_MS = 1000
# While the bus may miss notices (Redis away) a stream looks every few seconds by itself;
# while it is healthy, rarely (a notice the publisher failed to send).
POLL_SECONDS = 5.0
HEALTHY_POLL_SECONDS = 30.0
# A comment line now and then keeps proxies from closing a quiet stream.
KEEPALIVE_SECONDS = 15.0
# Streams of one process reading the database at once: catch-up reads come in bursts (a
# Redis reconnect wakes every stream) and must not crowd out the requests.
CONCURRENT_READS = 4

Event = tuple[int, dict[str, Any]]  # (seq, message as JSON)
T = TypeVar("T")


@dataclass(frozen=True)
class Batch:
    events: list[Event]
    closed: bool
    upto: int = 0  # the conversation's last seq when read (internal notes included)


def read_batch(factory: sessionmaker[Session], *, conversation_id: int, after_seq: int,
               customer_view: bool, as_json: Callable[[Message], dict[str, Any]]) -> Batch:
    """Messages after ``after_seq`` and whether the conversation has ended (one short
    session, so a stream holds no database connection while it waits)."""
    with factory() as session:
        # The state first: on PostgreSQL (READ COMMITTED) every statement sees what was
        # committed before it, so a close committed between the two reads would otherwise
        # end the stream without its last message. Read second, the messages include
        # everything committed before the state that was seen.
        state = session.execute(select(Conversation.status, Conversation.last_seq)
                                .where(Conversation.id == conversation_id)).first()
        messages = messages_after(session, conversation_id=conversation_id,
                                  after_seq=after_seq, customer_view=customer_view)
        status, upto = state if state is not None else (None, 0)
        return Batch([(m.seq, as_json(m)) for m in messages], status == Status.CLOSED,
                     int(upto or 0))


class Follower:
    """What a stream has sent so far, and what a notice adds to it."""

    def __init__(self, after_seq: int, customer_view: bool) -> None:
        self.last = after_seq
        self.customer_view = customer_view
        self.closed = False

    def take_batch(self, batch: Batch) -> list[Event]:
        events = [(seq, payload) for seq, payload in batch.events if seq > self.last]
        # Everything up to ``upto`` was committed before the messages were read, so the
        # read holds it all (customers' streams skip agents' notes, which are in the count).
        self.last = max([self.last, batch.upto, *(seq for seq, _ in events)])
        self.closed = batch.closed
        return events

    def take_notice(self, notice: Notice) -> list[Event] | None:
        """The notice's new messages; None when they do not follow on from what was sent
        (the stream must read the database)."""
        if notice.seq < 0:
            return None
        last, events = self.last, []
        for message in notice.messages:
            if message.seq <= last:
                continue
            if message.seq != last + 1:
                return None
            last = message.seq
            if not (message.internal and self.customer_view):
                events.append((message.seq, message.payload))
        if last < notice.seq:
            return None
        self.last = last
        self.closed = self.closed or notice.closed
        return events


def sse_event(seq: int, payload: dict[str, Any]) -> str:
    data = json.dumps(payload, ensure_ascii=False, default=str)
    return f"id: {seq}\nevent: message\ndata: {data}\n\n"


_LIMITERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CapacityLimiter] = \
    weakref.WeakKeyDictionary()


async def run_stream_read(read: Callable[[], T]) -> T:
    """Run a stream's database work in a thread, at most ``CONCURRENT_READS`` at once."""
    return await to_thread.run_sync(read, limiter=_read_limiter())


def _read_limiter() -> CapacityLimiter:
    """The process's limiter for stream reads (one per event loop: tests run several)."""
    loop = asyncio.get_running_loop()
    limiter = _LIMITERS.get(loop)
    if limiter is None:
        limiter = _LIMITERS[loop] = CapacityLimiter(CONCURRENT_READS)
    return limiter


async def conversation_events(factory: sessionmaker[Session], bus: MessageBus, *,
                              conversation_id: int, after_seq: int, customer_view: bool,
                              as_json: Callable[[Message], dict[str, Any]],
                              duration: float) -> AsyncIterator[str]:
    """The event stream. Subscribes before reading, so a message stored in between is
    both read and announced (duplicates are dropped by seq), never missed."""
    yield f"retry: {RETRY_MS}\n\n"
    follower = Follower(after_seq, customer_view)
    read = functools.partial(read_batch, factory, conversation_id=conversation_id,
                             customer_view=customer_view, as_json=as_json)
    now = time.monotonic()
    deadline, quiet_since, read_at = now + duration, now, -float("inf")
    must_read = True
    async with bus.subscribe(conversation_id) as subscription:
        while True:
            if must_read:
                batch = await run_stream_read(functools.partial(read, after_seq=follower.last))
                events, read_at, must_read = follower.take_batch(batch), time.monotonic(), False
                for seq, payload in events:
                    yield sse_event(seq, payload)
                    quiet_since = time.monotonic()
            if follower.closed:
                yield "event: end\ndata: closed\n\n"
                return
            now = time.monotonic()
            if now >= deadline:
                return
            if now - quiet_since >= KEEPALIVE_SECONDS:
                yield ": keep-alive\n\n"
                quiet_since = now
            poll = POLL_SECONDS if not bus.healthy else HEALTHY_POLL_SECONDS
            next_read = read_at + poll
            timeout = min(deadline, next_read, quiet_since + KEEPALIVE_SECONDS) - now
            notices = await subscription.wait(max(timeout, 0.0))
            if not notices:
                must_read = time.monotonic() >= next_read
                continue
            for notice in notices:
                taken = follower.take_notice(notice)
                if taken is None:
                    must_read = True
                    break
                for seq, payload in taken:
                    yield sse_event(seq, payload)
                    quiet_since = time.monotonic()
