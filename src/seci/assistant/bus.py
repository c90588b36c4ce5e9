"""Telling open chat streams what a conversation's latest commit stored.

The database is the record: every message is stored (and committed) before anyone is told
about it. A notice carries the messages of one commit as the API shows them, so an open
stream sends them on without reading the database; it reads only to catch up (on
connecting, after a gap in the seqs, or when the bus may have missed notices). A lost
notice therefore delays a message until the next read, never loses it.

- ``InProcessBus`` (default): streams and writers in one server process.
- ``RedisBus`` (``SECI_REDIS_URL`` set): several server processes; a message written by one
  process reaches a browser whose stream is held by another, through Redis pub/sub.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import threading
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from seci.assistant.models import Conversation, Message, Status
from seci.assistant.schemas import message_json
from seci.core.config import get_settings

logger = logging.getLogger("seci.assistant")
CHANNEL_PREFIX = "seci:assistant:conversation:"
_PENDING = "seci_assistant_pending"
_NOTICES = "seci_assistant_notices"


@dataclass(frozen=True)
class StoredMessage:
    seq: int
    internal: bool  # agents' notes: never on a customer's stream
    payload: dict[str, Any]  # as the API shows it


@dataclass(frozen=True)
class Notice:
    """What one commit stored in a conversation: its messages in seq order, the highest
    seq, and whether the conversation is closed now."""

    seq: int
    messages: tuple[StoredMessage, ...] = ()
    closed: bool = False

    def encode(self) -> str:
        return json.dumps({"seq": self.seq, "closed": self.closed,
                           "messages": [[m.seq, m.internal, m.payload]
                                        for m in self.messages]},
                          ensure_ascii=False, default=str)

    @classmethod
    def decode(cls, data: str) -> Notice:
        """A notice from Redis; a bare number (a seq alone) is a notice without messages."""
        value = json.loads(data)
        if isinstance(value, int):
            return cls(value)
        return cls(int(value["seq"]),
                   tuple(StoredMessage(int(seq), bool(internal), dict(payload))
                         for seq, internal, payload in value.get("messages", [])),
                   bool(value.get("closed", False)))


# The bus may have missed notices (Redis reconnected): streams read the database.
RESYNC = Notice(-1)


class Subscription:
    """Notices for one conversation, delivered into one event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._queue: asyncio.Queue[Notice] = asyncio.Queue()

    def deliver(self, notice: Notice) -> None:
        """Thread-safe: called by whichever thread published or listened."""
        # RuntimeError: the stream's loop has shut down meanwhile.
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._queue.put_nowait, notice)

    async def wait(self, timeout: float) -> list[Notice]:
        """The notices that arrived, oldest first; empty when ``timeout`` passed without."""
        try:
            first = await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return []
        notices = [first]
        while not self._queue.empty():
            notices.append(self._queue.get_nowait())
        return notices


class MessageBus(Protocol):
    # False while notices may be missed (Redis away): streams then look by themselves.
    healthy: bool

    def publish(self, conversation_id: int, notice: Notice) -> None: ...

    def subscribe(self, conversation_id: int) -> Any: ...  # async context → Subscription

    def close(self) -> None: ...


class InProcessBus:
    """Subscribers of this process, by conversation."""

    def __init__(self) -> None:
        self._subscribers: dict[int, set[Subscription]] = defaultdict(set)
        self._lock = threading.Lock()
        self.healthy = True

    def publish(self, conversation_id: int, notice: Notice) -> None:
        self.deliver(conversation_id, notice)

    def deliver(self, conversation_id: int, notice: Notice) -> None:
        with self._lock:
            targets = list(self._subscribers.get(conversation_id, ()))
        for subscription in targets:
            subscription.deliver(notice)

    def deliver_to_all(self, notice: Notice) -> None:
        with self._lock:
            targets = [s for group in self._subscribers.values() for s in group]
        for subscription in targets:
            subscription.deliver(notice)

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
        # Named, so that an operator can tell SECI's connections in CLIENT LIST.
        self.client_name = f"seci-assistant-{os.getpid()}-{id(self):x}"
        self._client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5,
                                            client_name=self.client_name)
        self._listener: threading.Thread | None = None
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._start_lock = threading.Lock()
        self.healthy = False  # until the listener's subscription is confirmed

    def publish(self, conversation_id: int, notice: Notice) -> None:
        try:
            self._client.publish(f"{CHANNEL_PREFIX}{conversation_id}", notice.encode())
        except Exception as error:  # the other processes' streams catch up by reading
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
                self.healthy = True
                if self._ready.is_set():
                    # Reconnected: whatever was published meanwhile never came.
                    self.deliver_to_all(RESYNC)
                self._ready.set()
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message and message.get("type") == "pmessage":
                        self._dispatch(message)
                pubsub.close()
            except Exception as error:  # reconnect; streams poll meanwhile
                self.healthy = False
                logger.warning("Redis chat listener: %s; reconnecting", error)
                self._stop.wait(1.0)

    def _dispatch(self, message: dict[str, Any]) -> None:
        channel = message["channel"]
        channel = channel.decode() if isinstance(channel, bytes) else str(channel)
        data = message["data"]
        try:
            conversation_id = int(channel.removeprefix(CHANNEL_PREFIX))
            notice = Notice.decode(data.decode() if isinstance(data, bytes) else str(data))
        except (ValueError, KeyError, TypeError):
            logger.warning("unreadable chat notice on %s", channel)
            return
        self.deliver(conversation_id, notice)

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


def announce(session: Session, conversation: Conversation, message: Message) -> None:
    """Queue a notice of a stored message; it is published when (and only if) the session
    commits."""
    session.info.setdefault(_PENDING, []).append((conversation, message))


@event.listens_for(Session, "before_commit")
def _notices_before_commit(session: Session) -> None:
    # Built while the transaction is still open: the messages and the conversation's
    # status as they are being committed (after the commit they may be expired).
    pending: list[tuple[Conversation, Message]] = session.info.get(_PENDING, [])
    if not pending:
        return
    by_conversation: dict[int, tuple[Conversation, dict[int, Message]]] = {}
    for conversation, message in pending:
        entry = by_conversation.setdefault(conversation.id, (conversation, {}))
        entry[1][message.seq] = message
    session.info[_NOTICES] = {
        conversation_id: Notice(
            max(messages),
            tuple(StoredMessage(m.seq, m.internal, message_json(m))
                  for _, m in sorted(messages.items())),
            conversation.status == Status.CLOSED)
        for conversation_id, (conversation, messages) in by_conversation.items()}


@event.listens_for(Session, "after_commit")
def _publish_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released; the real commit is still to come
    session.info.pop(_PENDING, None)
    notices: dict[int, Notice] = session.info.pop(_NOTICES, {})
    if not notices:
        return
    bus = get_bus()
    for conversation_id, notice in notices.items():
        bus.publish(conversation_id, notice)


@event.listens_for(Session, "after_transaction_end")
def _forget_after_rollback(session: Session, transaction: SessionTransaction) -> None:
    # A rolled-back message was never stored: nobody hears of it. (After a commit the
    # queue is already empty.)
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_PENDING, None)
        session.info.pop(_NOTICES, None)
