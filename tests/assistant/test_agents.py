"""The agent's side: inbox, accept, chat, insert, transfer, close, rating, assist,
call-backs."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from seci.assistant import agents
from seci.assistant.conversations import messages_after
from seci.assistant.errors import (
    AlreadyRated,
    InternalArticle,
    NotInYourQueues,
    NotYourConversation,
    WrongConversationState,
)
from seci.assistant.handoff import rate, request_callback
from seci.assistant.models import Conversation, Kind, Status
from seci.core.errors import PermissionDenied
from tests.assistant.conftest import Hotline, create_agent, new_conversation, say


def _waiting(db: Session, hotline: Hotline, question: str = "我还剩多少钱") -> Conversation:
    conversation = new_conversation(db)
    say(db, hotline, conversation, question)
    say(db, hotline, conversation, "转人工")
    return conversation


def test_the_inbox_shows_what_the_agent_needs(db: Session, hotline: Hotline) -> None:
    billing = create_agent(db, "billing", ["话费专席"], hotline.world)
    conversation = _waiting(db, hotline)
    waiting, mine = agents.inbox(db, agent=billing)
    [item] = waiting
    assert item.conversation.id == conversation.id and mine == []
    assert item.position == 1 and item.wait_seconds >= 0
    assert item.conversation.handoff_reason == "explicit_request"
    assert item.last_customer_text == "转人工"
    assert item.candidates[0].code == "ZW-CX"
    view = agents.view_for_agent(db, agent=billing, conversation_id=conversation.id)
    assert [m.text for m in view.transcript if m.role == "customer"] == ["我还剩多少钱",
                                                                         "转人工"]
    # Another queue's agent does not see it.
    assert agents.inbox(db, agent=hotline.world["agent_data"])[0] == []
    with pytest.raises(NotInYourQueues):
        agents.view_for_agent(db, agent=hotline.world["agent_data"],
                              conversation_id=conversation.id)


def test_one_agent_wins_an_accept(db: Session, hotline: Hotline) -> None:
    first = create_agent(db, "first", ["话费专席"], hotline.world)
    second = create_agent(db, "second", ["话费专席"], hotline.world)
    conversation = _waiting(db, hotline)
    agents.accept(db, agent=first, conversation_id=conversation.id)
    db.commit()
    with pytest.raises(NotYourConversation):
        agents.accept(db, agent=second, conversation_id=conversation.id)
    with pytest.raises(NotYourConversation):
        agents.send_agent_message(db, agent=second, conversation_id=conversation.id,
                                  text="您好")
    assert conversation.status == Status.WITH_AGENT and conversation.agent_id == first.id


def test_a_conversation_from_accept_to_rating(db: Session, hotline: Hotline) -> None:
    billing = create_agent(db, "billing", ["话费专席"], hotline.world)
    conversation = _waiting(db, hotline)
    agents.accept(db, agent=billing, conversation_id=conversation.id)
    agents.send_agent_message(db, agent=billing, conversation_id=conversation.id,
                              text="您好，我帮您查一下")
    inserted = agents.insert_article(db, agent=billing, conversation_id=conversation.id,
                                     article_id=hotline.articles["ZW-CX"].id)
    assert inserted.kind == Kind.ARTICLE and "YE" in inserted.text
    say(db, hotline, conversation, "好的谢谢")  # goes to the agent: no bot reply
    with pytest.raises(WrongConversationState):
        rate(db, conversation=conversation, score=5)
    agents.close_with_outcome(db, agent=billing, conversation_id=conversation.id,
                              resolved=True, category="话费查询", first_contact_resolved=True)
    db.commit()
    assert conversation.status == Status.CLOSED
    assert (conversation.resolved, conversation.category,
            conversation.first_contact_resolved) == (True, "话费查询", True)
    rate(db, conversation=conversation, score=4)
    assert conversation.satisfaction == 4
    with pytest.raises(AlreadyRated):
        rate(db, conversation=conversation, score=1)
    kinds = [m.kind for m in messages_after(db, conversation_id=conversation.id)]
    assert kinds[-5:] == ["accepted", "text", "article", "text", "closed"]


def test_internal_articles_cannot_be_inserted(db: Session, hotline: Hotline) -> None:
    billing = create_agent(db, "billing", ["话费专席"], hotline.world)
    conversation = _waiting(db, hotline)
    agents.accept(db, agent=billing, conversation_id=conversation.id)
    with pytest.raises(InternalArticle):
        agents.insert_article(db, agent=billing, conversation_id=conversation.id,
                              article_id=hotline.articles["ZW-TF"].id)


def test_agent_assist_includes_internal_articles_of_the_agents_queues(
        db: Session, hotline: Hotline) -> None:
    billing = create_agent(db, "billing", ["A", "话费专席"], hotline.world)
    conversation = _waiting(db, hotline, "你们乱扣费，多扣的话费能退多少")
    hits = agents.assist(db, engine=hotline.engine, agent=billing,
                         conversation_id=conversation.id)
    assert hits[0].hit.code == "ZW-TF"


def test_transfer_keeps_the_place_in_line_and_hides_the_note(
        db: Session, hotline: Hotline) -> None:
    billing = create_agent(db, "billing", ["话费专席"], hotline.world)
    conversation = _waiting(db, hotline)
    handed_off_at = conversation.handed_off_at
    agents.accept(db, agent=billing, conversation_id=conversation.id)
    agents.transfer(db, agent=billing, conversation_id=conversation.id, queue_code="数据专席",
                    note="客户还问宽带故障，已查余额")
    db.commit()
    assert conversation.status == Status.WAITING and conversation.agent_id is None
    assert conversation.handed_off_at == handed_off_at
    data_agent = hotline.world["agent_data"]
    [item] = agents.inbox(db, agent=data_agent)[0]
    assert item.conversation.id == conversation.id
    agent_view = agents.view_for_agent(db, agent=data_agent, conversation_id=conversation.id)
    assert any(m.kind == Kind.NOTE and "宽带故障" in m.text for m in agent_view.transcript)
    customer_view = messages_after(db, conversation_id=conversation.id)
    assert not any("宽带故障" in m.text for m in customer_view)
    assert customer_view[-1].kind == Kind.TRANSFERRED


def test_only_agents_and_supervisors_handle_conversations(db: Session,
                                                          hotline: Hotline) -> None:
    with pytest.raises(PermissionDenied):
        agents.inbox(db, agent=hotline.world["editor"])


def test_call_back_numbers_are_masked_until_claimed(db: Session, hotline: Hotline) -> None:
    billing = create_agent(db, "billing", ["话费专席"], hotline.world)
    conversation = _waiting(db, hotline)
    callback = request_callback(db, conversation=conversation, phone="138 1234 5678",
                                note="下午打")
    db.commit()
    assert conversation.status == Status.CLOSED
    [listed] = agents.list_callbacks(db, agent=billing)
    assert listed.id == callback.id
    claimed = agents.claim_callback(db, agent=billing, callback_id=callback.id)
    assert claimed.phone == "13812345678" and claimed.status == "claimed"
    last = messages_after(db, conversation_id=conversation.id)[-1]
    assert last.kind == Kind.CALLBACK and "138****5678" in last.text
    assert "13812345678" not in last.text
