"""The agent's side: inbox, accept, chat, insert, transfer, close, rating, assist,
call-backs."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.assistant import agents
from seci.assistant.conversations import messages_after
from seci.assistant.dialogue import give_feedback
from seci.assistant.errors import (
    AlreadyRated,
    AnswersWithoutArticle,
    InternalArticle,
    NotACustomerQuestion,
    NotInYourQueues,
    NotYourConversation,
    WrongConversationState,
)
from seci.assistant.handoff import rate, request_callback
from seci.assistant.models import Conversation, Kind, Message, Status
from seci.core.errors import PermissionDenied
from seci.retrieval.log import opened_after
from seci.retrieval.models import SearchLog
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


# --- what agents answer teaches the assistant ---------------------------------------------


STRANGE_WORDING = "这号里头的钱还够撑几天"  # 话费余额, in words no article has


def _handed_over(db: Session, hotline: Hotline, agent_name: str = "billing"
                 ) -> tuple[Conversation, int]:
    """A question the assistant could not answer, handed to a person and accepted;
    returns the conversation and the question's search-log entry."""
    create_agent(db, agent_name, list(hotline.world.queues), hotline.world)
    agent = db.scalar(select(User).where(User.username == agent_name))
    assert agent is not None
    conversation = new_conversation(db)
    asked = say(db, hotline, conversation, STRANGE_WORDING)
    assert [r.kind for r in asked.replies] != [Kind.ANSWER]
    say(db, hotline, conversation, "转人工")
    agents.accept(db, agent=agent, conversation_id=conversation.id)
    assert asked.message.search_log_id is not None
    return conversation, asked.message.search_log_id


def test_the_article_an_agent_answers_with_labels_the_handed_over_question(
        db: Session, hotline: Hotline) -> None:
    conversation, log_id = _handed_over(db, hotline)
    agent = db.scalar(select(User).where(User.username == "billing"))
    assert agent is not None
    balance = hotline.articles["ZW-CX"].id
    agents.send_agent_message(db, agent=agent, conversation_id=conversation.id,
                              text="您好，我帮您查一下")
    agents.insert_article(db, agent=agent, conversation_id=conversation.id,
                          article_id=balance)
    # A second article answers something asked of the agent: it labels nothing.
    agents.insert_article(db, agent=agent, conversation_id=conversation.id,
                          article_id=hotline.articles["ZF-LL"].id)
    db.commit()
    entry = db.get(SearchLog, log_id)
    assert entry is not None and entry.opened_article_id == balance
    assert (STRANGE_WORDING, balance) in opened_after(db)
    # The matcher learns it: the next customer who puts it that way is answered.
    assert hotline.engine.refresh_log_examples(db)
    later = new_conversation(db)
    [reply] = say(db, hotline, later, STRANGE_WORDING).replies
    assert reply.kind == Kind.ANSWER and reply.data["code"] == "ZW-CX"


def test_an_edited_answer_labels_the_question_too(db: Session, hotline: Hotline) -> None:
    conversation, log_id = _handed_over(db, hotline)
    agent = db.scalar(select(User).where(User.username == "billing"))
    assert agent is not None
    balance = hotline.articles["ZW-CX"].id
    draft = agents.answer_draft(db, engine=hotline.engine, agent=agent,
                                conversation_id=conversation.id, article_id=balance)
    agents.send_agent_message(db, agent=agent, conversation_id=conversation.id,
                              text=draft.text + "\n还有别的问题随时问我。", article_id=balance)
    db.commit()
    entry = db.get(SearchLog, log_id)
    assert entry is not None and entry.opened_article_id == balance


def test_a_confirmed_answer_keeps_its_label(db: Session, hotline: Hotline) -> None:
    billing = create_agent(db, "billing", ["话费专席"], hotline.world)
    conversation = new_conversation(db)
    asked = say(db, hotline, conversation, "话费怎么查")
    [answer] = asked.replies
    assert answer.kind == Kind.ANSWER
    give_feedback(db, conversation=conversation, seq=answer.seq, helpful=True)
    say(db, hotline, conversation, "转人工")
    agents.accept(db, agent=billing, conversation_id=conversation.id)
    agents.insert_article(db, agent=billing, conversation_id=conversation.id,
                          article_id=hotline.articles["ZF-LL"].id)
    db.commit()
    entry = db.get(SearchLog, asked.message.search_log_id)
    assert entry is not None and entry.opened_article_id == hotline.articles["ZW-CX"].id


def _billing(db: Session) -> User:
    agent = db.scalar(select(User).where(User.username == "billing"))
    assert agent is not None
    return agent


def test_the_agent_says_which_question_an_article_answers(db: Session, hotline: Hotline
                                                          ) -> None:
    conversation, log_id = _handed_over(db, hotline)
    agent = _billing(db)
    # Asked of the agent after the hand-off: the assistant never searched it.
    asked_later = say(db, hotline, conversation, "另外我想问下流量包，号码13812345678")
    assert asked_later.message.search_log_id is None
    data_pack, balance = hotline.articles["ZF-LL"].id, hotline.articles["ZW-CX"].id
    agents.insert_article(db, agent=agent, conversation_id=conversation.id,
                          article_id=data_pack,
                          teaching=agents.Teaching(answers=asked_later.message.seq))
    # The handed-over question is answered second, and said so: labelled all the same.
    first = db.scalar(select(Message).where(Message.search_log_id == log_id))
    assert first is not None and first.text == STRANGE_WORDING
    agents.send_agent_message(db, agent=agent, conversation_id=conversation.id,
                              text="余额这样查……", article_id=balance,
                              teaching=agents.Teaching(answers=first.seq))
    db.commit()
    handed_over = db.get(SearchLog, log_id)
    assert handed_over is not None and handed_over.opened_article_id == balance
    logged_now = db.get(SearchLog, asked_later.message.search_log_id)
    assert logged_now is not None and logged_now.opened_article_id == data_pack
    assert logged_now.channel == "assistant" and not logged_now.confident
    assert "13812345678" not in logged_now.query and "138****5678" in logged_now.query
    # Logged now, it is still not the question the customer came with.
    view = agents.view_for_agent(db, agent=agent, conversation_id=conversation.id)
    assert view.handed_over_with == first.seq


def test_an_article_that_teaches_nothing_labels_nothing(db: Session, hotline: Hotline
                                                        ) -> None:
    conversation, log_id = _handed_over(db, hotline)
    agents.insert_article(db, agent=_billing(db), conversation_id=conversation.id,
                          article_id=hotline.articles["ZW-CX"].id,
                          teaching=agents.Teaching(learn=False))
    db.commit()
    entry = db.get(SearchLog, log_id)
    assert entry is not None and entry.opened_article_id is None


@pytest.mark.parametrize("after_question", [1, 99])  # the assistant's reply; none such
def test_only_a_customer_message_can_be_answered(db: Session, hotline: Hotline,
                                                 after_question: int) -> None:
    conversation, log_id = _handed_over(db, hotline)
    question = db.scalar(select(Message).where(Message.search_log_id == log_id))
    assert question is not None
    seq = question.seq + after_question
    before = len(messages_after(db, conversation_id=conversation.id, customer_view=False))
    with pytest.raises(NotACustomerQuestion):
        agents.send_agent_message(db, agent=_billing(db), conversation_id=conversation.id,
                                  text="余额这样查", article_id=hotline.articles["ZW-CX"].id,
                                  teaching=agents.Teaching(answers=seq))
    with pytest.raises(AnswersWithoutArticle):
        agents.send_agent_message(db, agent=_billing(db), conversation_id=conversation.id,
                                  text="余额这样查",
                                  teaching=agents.Teaching(answers=question.seq))
    # Nothing was sent, nothing labelled.
    assert len(messages_after(db, conversation_id=conversation.id,
                              customer_view=False)) == before
    entry = db.get(SearchLog, log_id)
    assert entry is not None and entry.opened_article_id is None


def test_the_draft_names_the_question_the_article_answers(db: Session, hotline: Hotline
                                                          ) -> None:
    conversation, _ = _handed_over(db, hotline)
    roaming_question = say(db, hotline, conversation, "下周去日本，出国了手机还能用不")
    say(db, hotline, conversation, "谢谢")  # asks nothing
    agent = _billing(db)

    def replies_to(code: str) -> int | None:
        return agents.answer_draft(db, engine=hotline.engine, agent=agent,
                                   conversation_id=conversation.id,
                                   article_id=hotline.articles[code].id).replies_to

    # Not the question the customer was handed over with, nor their latest message.
    assert replies_to("MY-KT") == roaming_question.message.seq
    # No search of theirs finds the balance article (the handed-over question is in
    # words no article has): nothing is suggested, the workspace falls back to that
    # question.
    assert replies_to("ZW-CX") is None
