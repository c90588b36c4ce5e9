"""Customer answers, not articles: the assistant sends an article's customer answer
(答复口径) or else the section that answers the question, never agent-only notes, and the
full customer text on request (查看完整内容); agent assist reads the whole conversation
and 插入答案 gives the agent editable text instead of sending it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from seci.assistant import agents
from seci.assistant.conversations import messages_after
from seci.assistant.dialogue import full_article
from seci.assistant.errors import ArticleNotInConversation, InternalArticle
from seci.assistant.models import Conversation, Kind, Status
from seci.knowledge.models import Article
from tests.assistant.conftest import Hotline, create_agent, new_conversation, say
from tests.factories import bearer, make_article, revise

BASE = "/api/v1/assistant"
ANSWER = "出国前请发送 KTMY 到 10086 开通国际漫游；日韩通话0.99元/分钟。"
NOTES = ("核实地址资源", "提醒客户", "您好，现在办理", "话术参考", "坐席提示")
BROADBAND_BODY = """### 业务说明
家庭宽带采用光纤入户，可单独办理或与手机套餐融合办理。
### 资费标准
| 带宽 | 月租 |
|---|---|
| 300M | 50元/月 |
| 1000M | 100元/月 |
- 请提醒客户：包年到期前30天会短信提醒续费
### 办理渠道
- 中国移动APP“宽带专区”
- 【坐席提示】受理前先核实地址资源
### 话术参考
“您好，现在办理可以免费加装500M宽带。”"""


@pytest.fixture
def broadband(db: Session, hotline: Hotline) -> Article:
    return make_article(db, hotline.world, code="KD-ZF", title="家庭宽带资费标准",
                        body=BROADBAND_BODY, module_id=hotline.world.modules["宽带"].id,
                        author="editor_home", queue_ids=hotline.world.queue_ids("A", "数据专席"),
                        similar_questions=["宽带一个月多少钱", "宽带资费标准", "宽带价格"])


def _shown(db: Session, conversation: Conversation) -> str:
    """Everything the customer can read in the conversation."""
    return "\n".join(m.text for m in messages_after(db, conversation_id=conversation.id))


# --- the assistant's answer ------------------------------------------------------------------


def test_the_customer_answer_is_sent_when_the_article_has_one(db: Session,
                                                              hotline: Hotline) -> None:
    revise(db, hotline.world, hotline.articles["MY-KT"], customer_answer=ANSWER)
    conversation = new_conversation(db)
    [reply] = say(db, hotline, conversation, "出国了手机还能用不").replies
    assert reply.kind == Kind.ANSWER and reply.data["code"] == "MY-KT"
    assert ANSWER in reply.text
    assert "出国前发送 KTMY" not in reply.text  # the body's own wording is not repeated
    assert reply.data["customer_answer"] is True and reply.data["more"] is True


def test_without_one_the_section_that_answers_is_sent_never_agent_notes(
        db: Session, hotline: Hotline, broadband: Article) -> None:
    conversation = new_conversation(db)
    [reply] = say(db, hotline, conversation, "宽带一个月多少钱").replies
    assert reply.kind == Kind.ANSWER and reply.data["code"] == "KD-ZF"
    assert "| 300M | 50元/月 |" in reply.text  # the price section …
    assert "光纤入户" not in reply.text and "宽带专区" not in reply.text  # … only
    for note in NOTES:
        assert note not in reply.text
    assert reply.data["more"] is True and reply.data["customer_answer"] is False


def test_the_full_article_is_its_customer_text(db: Session, hotline: Hotline,
                                               broadband: Article) -> None:
    conversation = new_conversation(db)
    say(db, hotline, conversation, "宽带一个月多少钱")
    article = full_article(db, conversation=conversation, article_id=broadband.id)
    assert "光纤入户" in article.body and "宽带专区" in article.body and "300M" in article.body
    for note in NOTES:
        assert note not in article.body
    # Only articles the conversation was given, and never an internal one.
    for other in (hotline.articles["MY-KT"].id, hotline.articles["ZW-TF"].id):
        with pytest.raises(ArticleNotInConversation):
            full_article(db, conversation=conversation, article_id=other)


def test_an_article_without_sections_is_sent_whole(db: Session, hotline: Hotline) -> None:
    conversation = new_conversation(db)
    [reply] = say(db, hotline, conversation, "我还剩多少钱").replies
    assert reply.kind == Kind.ANSWER
    assert "发送 YE 到 10086 查询话费余额，月账单次月3日前出账。" in reply.text
    assert reply.data["more"] is False


def test_the_customer_api_reads_the_full_article_of_its_own_answers_only(
        client: TestClient, db: Session, hotline: Hotline, broadband: Article) -> None:
    started = client.post(f"{BASE}/conversations", json={}).json()
    url = f"{BASE}/conversations/{started['conversation']['id']}"
    token = {"X-Conversation-Token": started["token"]}
    turn = client.post(f"{url}/messages", headers=token, json={"text": "宽带一个月多少钱"})
    [answer] = turn.json()["replies"]
    assert answer["kind"] == "answer" and answer["data"]["more"] is True
    assert "300M" in answer["html"] and "核实地址资源" not in answer["html"]
    full = client.get(f"{url}/articles/{broadband.id}", headers=token)
    assert full.status_code == 200
    body = full.json()
    assert body["title"] == "家庭宽带资费标准" and "宽带专区" in body["text"]
    assert "<table>" in body["html"]
    for note in NOTES:
        assert note not in full.text
    for other in (hotline.articles["MY-KT"].id, hotline.articles["ZW-TF"].id, 999_999):
        refused = client.get(f"{url}/articles/{other}", headers=token)
        assert refused.status_code == 404
        assert refused.json()["code"] == "article_not_in_conversation"
    assert client.get(f"{url}/articles/{broadband.id}").status_code == 401  # no token


# --- agent assist and 插入答案 --------------------------------------------------------------


def _handed_off(db: Session, hotline: Hotline, *texts: str) -> Conversation:
    conversation = new_conversation(db)
    for text in texts:
        say(db, hotline, conversation, text)
    assert conversation.status == Status.WAITING
    return conversation


def test_agent_assist_reads_the_whole_conversation(db: Session, hotline: Hotline) -> None:
    """The question came first; then only 转人工 and impatience: the last lines alone say
    nothing about roaming."""
    roamer = create_agent(db, "roamer", ["A"], hotline.world)
    conversation = _handed_off(db, hotline, "出国了手机还能用不", "转人工", "在吗", "快点好吗")
    suggestions = agents.assist(db, engine=hotline.engine, agent=roamer,
                                conversation_id=conversation.id)
    assert suggestions[0].hit.code == "MY-KT"
    assert [s.best_match for s in suggestions][:2] == [True, False]
    # A new question soon leads.
    say(db, hotline, conversation, "另外家里断网了怎么办")
    suggestions = agents.assist(db, engine=hotline.engine, agent=roamer,
                                conversation_id=conversation.id)
    assert suggestions[0].hit.code == "KD-GZ"
    assert "MY-KT" in [s.hit.code for s in suggestions]


def test_insert_answer_drafts_editable_text_and_sends_nothing(db: Session,
                                                              hotline: Hotline,
                                                              broadband: Article) -> None:
    roamer = create_agent(db, "roamer", ["数据专席"], hotline.world)
    conversation = _handed_off(db, hotline, "宽带一个月多少钱", "转人工")
    agents.accept(db, agent=roamer, conversation_id=conversation.id)
    db.commit()
    before = conversation.last_seq
    draft = agents.answer_draft(db, engine=hotline.engine, agent=roamer,
                                conversation_id=conversation.id, article_id=broadband.id)
    assert "| 300M | 50元/月 |" in draft.text and not draft.from_answer
    for note in NOTES:
        assert note not in draft.text
    assert conversation.last_seq == before  # nothing was sent
    revise(db, hotline.world, hotline.articles["MY-KT"], customer_answer=ANSWER)
    draft = agents.answer_draft(db, engine=hotline.engine, agent=roamer,
                                conversation_id=conversation.id,
                                article_id=hotline.articles["MY-KT"].id)
    assert draft.text == ANSWER and draft.from_answer
    with pytest.raises(InternalArticle):
        agents.answer_draft(db, engine=hotline.engine, agent=roamer,
                            conversation_id=conversation.id,
                            article_id=hotline.articles["MY-JM"].id)
    # The agent edits it and sends it; the message records the article.
    sent = agents.send_agent_message(db, agent=roamer, conversation_id=conversation.id,
                                     text="您好，" + ANSWER,
                                     article_id=hotline.articles["MY-KT"].id)
    assert sent.kind == Kind.ARTICLE and sent.text == "您好，" + ANSWER
    assert sent.article_ids == [hotline.articles["MY-KT"].id]
    assert sent.data["code"] == "MY-KT"
    with pytest.raises(InternalArticle):
        agents.send_agent_message(db, agent=roamer, conversation_id=conversation.id,
                                  text="内部口径", article_id=hotline.articles["MY-JM"].id)


def test_the_agent_api_drafts_inserts_and_marks_the_best_match(
        client: TestClient, db: Session, hotline: Hotline, broadband: Article) -> None:
    conversation = _handed_off(db, hotline, "宽带一个月多少钱", "转人工", "人呢")
    agent = bearer(db, hotline.world, "agent_data")
    url = f"{BASE}/agent/conversations/{conversation.id}"
    assist: list[dict[str, Any]] = client.get(f"{url}/assist", headers=agent).json()
    assert assist[0]["code"] == "KD-ZF" and assist[0]["best_match"] is True
    assert all(not s["best_match"] for s in assist[1:])
    assert client.post(f"{url}/accept", headers=agent).status_code == 200
    draft = client.get(f"{url}/articles/{broadband.id}/answer", headers=agent)
    assert draft.status_code == 200, draft.text
    assert "300M" in draft.json()["text"] and draft.json()["customer_answer"] is False
    transcript = client.get(url, headers=agent).json()["transcript"]
    assert transcript[-1]["kind"] == "accepted"  # drafting sent nothing
    internal = client.get(f"{url}/articles/{hotline.articles['ZW-TF'].id}/answer",
                          headers=agent)
    assert internal.status_code == 409 and internal.json()["code"] == "internal_article"
    sent = client.post(f"{url}/messages", headers=agent, json={
        "text": draft.json()["text"] + "\n\n您看选哪一档？", "article_id": broadband.id})
    assert sent.status_code == 201
    assert sent.json()["kind"] == "article" and sent.json()["article_ids"] == [broadband.id]
    assert "<table>" in sent.json()["html"]
