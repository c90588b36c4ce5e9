"""Optional query rewriting: a message the assistant is unsure about is rewritten by the
intranet chat model into the hotline's terms and searched again; the rewrite's result is
used only when it is surer. The endpoint is the local chat server of the generation tests;
nothing leaves the machine."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from seci.assistant.dialogue import Turn, send_customer_message
from seci.assistant.generation import AnswerWriter, GenerationConfigError
from seci.assistant.models import Conversation, Kind
from seci.assistant.rewriting import (
    MAX_REWRITE_CHARS,
    NOT_OURS,
    QueryRewriter,
    check_rewrite,
    rewrite_messages,
    rewriter_from_settings,
)
from seci.core.config import Settings
from tests.assistant.conftest import Hotline, new_conversation
from tests.assistant.test_generation import (  # noqa: F401 (fixtures)
    MODEL,
    ChatServer,
    chat_server,
    writer,
)
from tests.factories import make_article

# Vague to the knowledge base: it names a city, not roaming.
VAGUE = "下个月去东京玩几天，到了那边打电话要弄点啥"
REWRITE = "国际漫游怎么开通"  # a similar question of MY-KT


@pytest.fixture
def rewriter(chat_server: ChatServer, writer: AnswerWriter) -> QueryRewriter:  # noqa: F811
    """The generation tests' client to their local chat server, which rewrites."""
    chat_server.answer = lambda _request: REWRITE
    return QueryRewriter(writer)


def ask(db: Session, hotline: Hotline, conversation: Conversation, text: str,
        rewriter: QueryRewriter | None) -> Turn:
    turn = send_customer_message(db, engine=hotline.engine, conversation=conversation,
                                 text=text, rewriter=rewriter)
    db.commit()
    return turn


def _message_sent(request: dict[str, Any]) -> str:
    return str(request["messages"][1]["content"])


@pytest.mark.parametrize(("content", "expected"), [
    ("国际漫游怎么开通", "国际漫游怎么开通"),
    ("“国际漫游怎么开通”", "国际漫游怎么开通"),  # quotes taken off
    ("改写：国际漫游怎么开通", "国际漫游怎么开通"),  # a label taken off
    (NOT_OURS, None),
    ("[none]", None),
    ("", None),
    ("国际漫游怎么开通\n因为客户要出国", None),  # an explanation, not a rewrite
    ("漫" * (MAX_REWRITE_CHARS + 1), None),
    ("How do I enable roaming", None),  # no Chinese
    (VAGUE, None),  # the message itself
])
def test_the_rewrite_is_checked(content: str, expected: str | None) -> None:
    assert check_rewrite(content, VAGUE) == expected


def test_the_prompt_holds_only_the_masked_message() -> None:
    system, user = rewrite_messages("我的号13812345678出国了咋整")
    assert NOT_OURS in system["content"] and str(MAX_REWRITE_CHARS) in system["content"]
    assert "138****5678" in user["content"] and "13812345678" not in user["content"]


def test_an_unsure_message_is_answered_through_the_rewrite(
        db: Session, hotline: Hotline, chat_server: ChatServer,  # noqa: F811
        rewriter: QueryRewriter) -> None:
    [alone] = ask(db, hotline, new_conversation(db), VAGUE, None).replies
    assert alone.kind != Kind.ANSWER  # the premise: the message alone is not answered
    [reply] = ask(db, hotline, new_conversation(db), VAGUE, rewriter).replies
    assert reply.kind == Kind.ANSWER and reply.data["code"] == "MY-KT"
    [request] = chat_server.requests
    assert VAGUE in _message_sent(request) and request["model"] == MODEL


def test_a_sure_message_never_reaches_the_model(
        db: Session, hotline: Hotline, chat_server: ChatServer,  # noqa: F811
        rewriter: QueryRewriter) -> None:
    [reply] = ask(db, hotline, new_conversation(db), "国际漫游怎么开通", rewriter).replies
    assert reply.kind == Kind.ANSWER
    assert chat_server.requests == []


def test_another_operators_question_never_reaches_the_model(
        db: Session, hotline: Hotline, chat_server: ChatServer,  # noqa: F811
        rewriter: QueryRewriter) -> None:
    for code, body in (("KD-ZF", "中国移动千兆宽带1200元/年。"),
                       ("FW-YYT", "中国移动营业厅营业时间9:00-18:00。")):
        make_article(db, hotline.world, code=code, title=code, body=body)
    [reply] = ask(db, hotline, new_conversation(db), "联通那边有啥便宜的卡", rewriter).replies
    assert reply.data.get("other_operator") == "中国联通"
    assert chat_server.requests == []


@pytest.mark.parametrize("mode", ["error", "garbage", "no_choices"])
def test_a_failing_model_leaves_the_message_as_it_was(
        db: Session, hotline: Hotline, chat_server: ChatServer,  # noqa: F811
        rewriter: QueryRewriter, mode: str) -> None:
    [alone] = ask(db, hotline, new_conversation(db), VAGUE, None).replies
    chat_server.mode = mode
    [reply] = ask(db, hotline, new_conversation(db), VAGUE, rewriter).replies
    assert len(chat_server.requests) == 1
    assert (reply.kind, reply.data.get("choices")) == (alone.kind, alone.data.get("choices"))


def test_not_ours_leaves_the_message_as_it_was(
        db: Session, hotline: Hotline, chat_server: ChatServer,  # noqa: F811
        rewriter: QueryRewriter) -> None:
    chat_server.answer = lambda _request: NOT_OURS
    [alone] = ask(db, hotline, new_conversation(db), "明天天气怎么样", None).replies
    [reply] = ask(db, hotline, new_conversation(db), "明天天气怎么样", rewriter).replies
    assert reply.kind == alone.kind == Kind.NO_MATCH


def test_a_rewrite_that_is_no_surer_is_not_used(
        db: Session, hotline: Hotline, chat_server: ChatServer,  # noqa: F811
        rewriter: QueryRewriter) -> None:
    chat_server.answer = lambda _request: "今天天气好吗"  # finds nothing better
    [alone] = ask(db, hotline, new_conversation(db), VAGUE, None).replies
    [reply] = ask(db, hotline, new_conversation(db), VAGUE, rewriter).replies
    assert (reply.kind, reply.data.get("choices")) == (alone.kind, alone.data.get("choices"))


def test_the_setting_needs_a_chat_model(writer: AnswerWriter) -> None:  # noqa: F811
    assert rewriter_from_settings(Settings(), None) is None  # off by default
    with pytest.raises(GenerationConfigError, match="SECI_GENERATION_URL"):
        rewriter_from_settings(Settings(query_rewriting=True), None)
    assert isinstance(rewriter_from_settings(Settings(query_rewriting=True), writer),
                      QueryRewriter)
