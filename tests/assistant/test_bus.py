"""Notices reach open streams after the commit, in one process and through Redis."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy.orm import Session

from seci.assistant import bus as bus_module
from seci.assistant.bus import RESYNC, InProcessBus, Notice, RedisBus, StoredMessage
from tests.assistant.conftest import Hotline, new_conversation, say


def _receive(bus: InProcessBus, conversation_id: int, publish: object) -> list[Notice]:
    async def scenario() -> list[Notice]:
        async with bus.subscribe(conversation_id) as subscription:
            await asyncio.to_thread(publish)  # type: ignore[arg-type]
            return await subscription.wait(5.0)

    return asyncio.run(scenario())


def test_the_in_process_bus_wakes_the_conversations_streams_only() -> None:
    bus = InProcessBus()
    assert _receive(bus, 7, lambda: bus.publish(7, Notice(3))) == [Notice(3)]

    async def other() -> list[Notice]:
        async with bus.subscribe(8) as subscription:
            bus.publish(7, Notice(4))
            return await subscription.wait(0.2)

    assert asyncio.run(other()) == []
    assert bus.subscriber_count(7) == 0  # unsubscribed on leaving


def test_a_notice_survives_the_trip_through_redis_as_text() -> None:
    notice = Notice(5, (StoredMessage(4, False, {"seq": 4, "text": "话费查询 ✓"}),
                        StoredMessage(5, True, {"seq": 5, "text": "内部备注"})), closed=True)
    assert Notice.decode(notice.encode()) == notice
    assert Notice.decode("9") == Notice(9)  # a bare seq: read the database


def test_notices_go_out_on_commit_not_on_rollback(db: Session, hotline: Hotline,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    published: list[tuple[int, int]] = []
    notices: list[Notice] = []

    class Recorder(InProcessBus):
        def publish(self, conversation_id: int, notice: Notice) -> None:
            published.append((conversation_id, notice.seq))
            notices.append(notice)

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
    # The notice carries the commit's messages as the API shows them: the customer's
    # question and the assistant's reply, in order, none internal; the chat is open.
    carried = notices[-1]
    assert [m.seq for m in carried.messages] == list(range(2, conversation.last_seq + 1))
    assert carried.messages[0].payload["text"] == "出国了手机还能用不"
    assert carried.messages[0].payload["role"] == "customer"
    assert not any(m.internal for m in carried.messages)
    assert carried.closed is False


def test_redis_carries_notices_between_processes(redis_url: str) -> None:
    # Two buses are two server processes: one holds the browser's stream, the other
    # stored the agent's message.
    holder, writer = RedisBus(redis_url), RedisBus(redis_url)
    conversation_id = uuid.uuid4().int % 10**9
    try:
        notice = Notice(9, (StoredMessage(9, False, {"seq": 9, "text": "您好"}),))
        assert _receive(holder, conversation_id,
                        lambda: writer.publish(conversation_id, notice)) == [notice]
    finally:
        holder.close()
        writer.close()


def test_a_bus_is_chosen_by_the_setting(redis_url: str) -> None:
    assert isinstance(bus_module.build_bus(""), InProcessBus)
    redis_bus = bus_module.build_bus(redis_url)
    assert isinstance(redis_bus, RedisBus)
    redis_bus.close()


def test_after_a_redis_reconnect_every_stream_is_told_to_read(redis_url: str) -> None:
    # Whatever was published while the listener was away never reaches it: the streams
    # must read the database once, and look by themselves until the listener is back.
    import redis

    bus = RedisBus(redis_url)
    admin = redis.Redis.from_url(redis_url)

    async def scenario() -> list[Notice]:
        async with bus.subscribe(42) as subscription:
            assert bus.healthy
            listener = [c for c in admin.client_list()
                        if c.get("name") == bus.client_name and int(c.get("psub", 0))]
            assert len(listener) == 1
            admin.client_kill_filter(_id=listener[0]["id"])
            return await subscription.wait(10.0)

    try:
        assert asyncio.run(scenario()) == [RESYNC]
        assert bus.healthy  # reconnected
    finally:
        bus.close()
        admin.close()
