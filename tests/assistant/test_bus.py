"""Notices reach open streams after the commit, in one process and through Redis."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy.orm import Session

from seci.assistant import bus as bus_module
from seci.assistant.bus import InProcessBus, RedisBus
from tests.assistant.conftest import Hotline, new_conversation, say


def _receive(bus: InProcessBus, conversation_id: int, publish: object) -> int | None:
    async def scenario() -> int | None:
        async with bus.subscribe(conversation_id) as subscription:
            await asyncio.to_thread(publish)  # type: ignore[arg-type]
            return await subscription.wait(5.0)

    return asyncio.run(scenario())


def test_the_in_process_bus_wakes_the_conversations_streams_only() -> None:
    bus = InProcessBus()
    assert _receive(bus, 7, lambda: bus.publish(7, 3)) == 3

    async def other() -> int | None:
        async with bus.subscribe(8) as subscription:
            bus.publish(7, 4)
            return await subscription.wait(0.2)

    assert asyncio.run(other()) is None
    assert bus.subscriber_count(7) == 0  # unsubscribed on leaving


def test_notices_go_out_on_commit_not_on_rollback(db: Session, hotline: Hotline,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    published: list[tuple[int, int]] = []

    class Recorder(InProcessBus):
        def publish(self, conversation_id: int, seq: int) -> None:
            published.append((conversation_id, seq))

    monkeypatch.setattr(bus_module, "get_bus", lambda: Recorder())
    conversation = new_conversation(db)  # commits the greeting
    assert published == [(conversation.id, 1)]
    published.clear()
    from seci.assistant.dialogue import send_customer_message

    send_customer_message(db, engine=hotline.engine, conversation=conversation,
                          text="出国了手机还能用不")
    assert published == []  # not committed yet
    db.rollback()
    db.commit()
    assert published == []
    say(db, hotline, conversation, "出国了手机还能用不")
    assert published == [(conversation.id, conversation.last_seq)]  # the latest seq, once


def test_redis_carries_notices_between_processes(redis_url: str) -> None:
    # Two buses are two server processes: one holds the browser's stream, the other
    # stored the agent's message.
    holder, writer = RedisBus(redis_url), RedisBus(redis_url)
    conversation_id = uuid.uuid4().int % 10**9
    try:
        assert _receive(holder, conversation_id, lambda: writer.publish(conversation_id, 9)) \
            == 9
    finally:
        holder.close()
        writer.close()


def test_a_bus_is_chosen_by_the_setting(redis_url: str) -> None:
    assert isinstance(bus_module.build_bus(""), InProcessBus)
    redis_bus = bus_module.build_bus(redis_url)
    assert isinstance(redis_bus, RedisBus)
    redis_bus.close()
