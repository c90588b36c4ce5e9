"""Telling open chat streams that a conversation has new messages.

The database is the record: every message is stored (and committed) before anyone is told
about it, and a stream reads the messages themselves from the database. The bus only
wakes streams up, so a lost notification delays a message by one poll, never loses it.

- ``InProcessBus`` (default): streams and writers in one server process.
- ``RedisBus`` (``SECI_REDIS_URL`` set): several server processes; a message written by one
  process reaches a browser whose stream is held by another, through Redis pub/sub.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import lru_cache
from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from seci.core.config import get_settings

logger = logging.getLogger("seci.assistant")
CHANNEL_PREFIX = "seci:assistant:conversation:"
_PENDING = "seci_assistant_pending"


class Subscription:
    """New-message notices for one conversation, delivered into one event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._queue: asyncio.Queue[int] = asyncio.Queue()

    def deliver(self, seq: int) -> None:
        """Thread-safe: called by whichever thread published or listened."""
        # RuntimeError: the stream's loop has shut down meanwhile.
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._queue.put_nowait, seq)

    async def wait(self, timeout: float) -> int | None:
        """The highest seq announced, or None when ``timeout`` passed without news."""
        try:
            seq = await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return None
        while not self._queue.empty():
            seq = max(seq, self._queue.get_nowait())
        return seq


class MessageBus(Protocol):
    def publish(self, conversation_id: int, seq: int) -> None: ...

    def subscribe(self, conversation_id: int) -> Any: ...  # async context → Subscription

    def close(self) -> None: ...


class InProcessBus:
    """Subscribers of this process, by conversation."""

    def __init__(self) -> None:
        self._subscribers: dict[int, set[Subscription]] = defaultdict(set)
        self._lock = threading.Lock()

    def publish(self, conversation_id: int, seq: int) -> None:
        self.deliver(conversation_id, seq)

    def deliver(self, conversation_id: int, seq: int) -> None:
        with self._lock:
            targets = list(self._subscribers.get(conversation_id, ()))
        for subscription in targets:
            subscription.deliver(seq)

    @asynccontextmanager
    async def subscribe(self, conversation_id: int) -> AsyncIterator[Subscription]:
        subscription = Subscription(asyncio.get_running_loop())
        with self._registered(conversation_id, subscription):
            yield subscription

    @contextmanager
    def _registered(self, conversation_id: int, subscription: Subscription) -> Iterator[None]:
        with self._lock:
            self._subscribers[conversation_id].add(subscription)
        try:
            yield
        finally:
            with self._lock:
                remaining = self._subscribers.get(conversation_id)
                if remaining is not None:
                    remaining.discard(subscription)
                    if not remaining:
                        del self._subscribers[conversation_id]

    def subscriber_count(self, conversation_id: int) -> int:
        with self._lock:
            return len(self._subscribers.get(conversation_id, ()))

    def close(self) -> None:
        with self._lock:
            self._subscribers.clear()


class RedisBus(InProcessBus):
    """Publishes to Redis; one listener thread per process receives every conversation's
    notices (a pattern subscription) and hands them to this process's streams. One Redis
    connection per process, not per open chat."""

    def __init__(self, url: str) -> None:
        import redis

        super().__init__()
        self._client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._listener: threading.Thread | None = None
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._start_lock = threading.Lock()

    def publish(self, conversation_id: int, seq: int) -> None:
        try:
            self._client.publish(f"{CHANNEL_PREFIX}{conversation_id}", str(seq))
        except Exception as error:  # streams fall back to polling
            logger.warning("chat notice not published to Redis: %s", error)

    @asynccontextmanager
    async def subscribe(self, conversation_id: int) -> AsyncIterator[Subscription]:
        self.start()
        async with super().subscribe(conversation_id) as subscription:
            yield subscription

    def start(self, timeout: float = 5.0) -> None:
        """Start the listener (once) and wait until Redis confirmed the subscription."""
        with self._start_lock:
            if self._listener is None:
                self._stop.clear()
                self._listener = threading.Thread(target=self._listen, daemon=True,
                                                  name="seci-assistant-redis")
                self._listener.start()
        self._ready.wait(timeout)

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                pubsub = self._client.pubsub(  # type: ignore[no-untyped-call]
                    ignore_subscribe_messages=True)
                pubsub.psubscribe(f"{CHANNEL_PREFIX}*")
                pubsub.get_message(timeout=1.0)  # the subscription's confirmation
                self._ready.set()
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message and message.get("type") == "pmessage":
                        self._dispatch(message)
                pubsub.close()
            except Exception as error:  # reconnect; streams poll meanwhile
                logger.warning("Redis chat listener: %s; reconnecting", error)
                self._stop.wait(1.0)

    def _dispatch(self, message: dict[str, Any]) -> None:
        channel = message["channel"]
        channel = channel.decode() if isinstance(channel, bytes) else str(channel)
        data = message["data"]
        try:
            conversation_id = int(channel.removeprefix(CHANNEL_PREFIX))
            seq = int(data.decode() if isinstance(data, bytes) else data)
        except ValueError:
            return
        self.deliver(conversation_id, seq)

    def close(self) -> None:
        self._stop.set()
        if self._listener is not None:
            self._listener.join(timeout=3)
            self._listener = None
        self._client.close()
        super().close()


def build_bus(redis_url: str | None) -> MessageBus:
    return RedisBus(redis_url) if redis_url else InProcessBus()


@lru_cache(maxsize=1)
def get_bus() -> MessageBus:
    """The process's bus, chosen by ``SECI_REDIS_URL``."""
    return build_bus(get_settings().redis_url)


# --- notices go out after the commit ------------------------------------------------------


def announce(session: Session, conversation_id: int, seq: int) -> None:
    """Queue a notice; it is published when (and only if) the session commits."""
    session.info.setdefault(_PENDING, []).append((conversation_id, seq))


@event.listens_for(Session, "after_commit")
def _publish_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released; the real commit is still to come
    pending: list[tuple[int, int]] = session.info.pop(_PENDING, [])
    if not pending:
        return
    bus = get_bus()
    latest: dict[int, int] = {}
    for conversation_id, seq in pending:
        latest[conversation_id] = max(seq, latest.get(conversation_id, 0))
    for conversation_id, seq in latest.items():
        bus.publish(conversation_id, seq)


@event.listens_for(Session, "after_transaction_end")
def _forget_after_rollback(session: Session, transaction: SessionTransaction) -> None:
    # A rolled-back message was never stored: nobody hears of it. (After a commit the
    # queue is already empty.)
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_PENDING, None)
