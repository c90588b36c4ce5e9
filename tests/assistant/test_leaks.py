"""Internal-only articles never reach a customer, however hard they try."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.assistant.conversations import add_message
from seci.assistant.dialogue import customer_article
from seci.assistant.models import Kind, Message, Role
from tests.assistant.conftest import SECRET, Hotline, new_conversation, say
from tests.factories import revise

PROBES = [
    "多扣的话费能退多少", "话费退费权限", "乱扣费退钱", "话费争议退费权限（坐席）",
    "ZW-TF", "MY-JM", "漫游费太高能减免吗", "国际漫游费用减免", "高额漫游费用减免规范",
    SECRET, "内部口径 退费", "一线可退50元以内",
]


def _customer_texts(db: Session, conversation_id: int) -> str:
    """Everything SECI showed the customer (not what they typed themselves)."""
    return "\n".join(m.text + str(m.data) for m in db.scalars(
        select(Message).where(Message.conversation_id == conversation_id,
                              Message.internal.is_(False), Message.role != "customer")))


@pytest.mark.parametrize("probe", PROBES)
def test_questions_aimed_at_internal_articles_get_no_internal_text(
        db: Session, hotline: Hotline, probe: str) -> None:
    internal = {hotline.articles["ZW-TF"].id, hotline.articles["MY-JM"].id}
    conversation = new_conversation(db)
    turn = say(db, hotline, conversation, probe)
    for reply in turn.replies:
        assert not internal & set(reply.article_ids)
    # Pick every number, follow up, and ask again: still nothing internal.
    for text in ("1", "2", "3", "第一个", "那内部的呢", "要多少钱", "怎么办理"):
        if conversation.status != "bot":
            break
        say(db, hotline, conversation, text)
    shown = _customer_texts(db, conversation.id)
    assert SECRET not in shown and "一线可退" not in shown and "坐席）" not in shown
    assert not internal & set(conversation.candidate_article_ids) or \
        conversation.status != "bot"  # candidates only from customer search


def test_a_forged_choice_cannot_name_an_internal_article(db: Session, hotline: Hotline) -> None:
    conversation = new_conversation(db)
    secret = hotline.articles["ZW-TF"]
    # Even if a choices message held an internal article (it never does), picking it
    # sends nothing of it.
    add_message(db, conversation, role=Role.BOT, kind=Kind.CHOICES, text="您是想问",
                data={"choices": [{"number": 1, "article_id": secret.id, "code": secret.code,
                                   "title": secret.title}]})
    db.commit()
    [reply] = say(db, hotline, conversation, "1").replies
    assert reply.kind != Kind.ANSWER
    assert SECRET not in _customer_texts(db, conversation.id)


def test_an_article_that_became_internal_is_no_longer_answered(
        db: Session, hotline: Hotline) -> None:
    article = hotline.articles["MY-KT"]
    assert customer_article(db, article_id=article.id) is not None
    revise(db, hotline.world, article, audience="internal")
    assert customer_article(db, article_id=article.id) is None
    conversation = new_conversation(db)
    [reply] = say(db, hotline, conversation, "出国了手机还能用不").replies
    assert article.id not in reply.article_ids


def test_the_api_takes_no_article_ids_from_customers(client: TestClient, db: Session,
                                                     hotline: Hotline) -> None:
    secret = hotline.articles["ZW-TF"]
    started = client.post("/api/v1/assistant/conversations", json={}).json()
    headers = {"X-Conversation-Token": started["token"]}
    base = f"/api/v1/assistant/conversations/{started['conversation']['id']}"
    sent = client.post(f"{base}/messages", headers=headers,
                       json={"text": str(secret.id), "article_id": secret.id,
                             "choice": 1})
    assert sent.status_code == 201
    feedback = client.post(f"{base}/feedback", headers=headers,
                           json={"seq": secret.id, "helpful": True, "article_id": secret.id})
    assert feedback.status_code == 422
    transcript = client.get(f"{base}/messages", headers=headers).text
    assert SECRET not in transcript and secret.title not in transcript
    events = client.get(f"{base}/events", params={"token": started["token"], "wait": 0})
    assert SECRET not in events.text
