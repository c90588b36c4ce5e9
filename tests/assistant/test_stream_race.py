"""A stream reads a conversation's state and its messages in two statements; a close
committed in between must never end the stream without the closing message (PostgreSQL
runs each statement on what was committed before it)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from seci.assistant import stream
from seci.assistant.conversations import start_conversation
from seci.assistant.handoff import end_chat
from seci.assistant.models import Conversation, Message


def _close_in_another_transaction(engine: Engine, conversation_id: int) -> int:
    with Session(engine, expire_on_commit=False) as other:
        conversation = other.get(Conversation, conversation_id)
        assert conversation is not None
        closing = end_chat(other, conversation=conversation)
        other.commit()
        return closing.seq


def test_a_close_between_the_two_reads_is_not_lost(committed_engine: Engine,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    with Session(committed_engine, expire_on_commit=False) as db:
        conversation_id = start_conversation(db).conversation.id
        db.commit()
    real_messages_after = stream.messages_after
    closed: list[int] = []

    def messages_then_close(session: Session, **kwargs: Any) -> list[Message]:
        messages = real_messages_after(session, **kwargs)
        if not closed:  # the conversation is closed right after this read
            closed.append(_close_in_another_transaction(committed_engine, conversation_id))
        return messages

    monkeypatch.setattr(stream, "messages_after", messages_then_close)
    factory = sessionmaker(bind=committed_engine, expire_on_commit=False)
    batch = stream.read_batch(factory, conversation_id=conversation_id, after_seq=0,
                              customer_view=True, as_json=lambda m: {"seq": m.seq})
    assert closed
    seqs = [seq for seq, _ in batch.events]
    # Either the stream goes on (and reads the closing message next time), or it ends
    # with the closing message delivered.
    assert not batch.closed or closed[0] in seqs
    again = stream.read_batch(factory, conversation_id=conversation_id,
                              after_seq=max(seqs), customer_view=True,
                              as_json=lambda m: {"seq": m.seq})
    assert again.closed
    assert [seq for seq, _ in again.events] == ([] if batch.closed else [closed[0]])
