"""Hand-off rules that let a sure answer go first: a question about complaining is
answered from the knowledge base, a complaint goes to a person."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seci.assistant import dialogue
from seci.assistant import rules as rule_service
from seci.assistant.models import HandoffRule, Kind, Status
from seci.assistant.text import is_question
from seci.core.errors import FieldErrors
from seci.retrieval.models import SearchLog
from seci.retrieval.service import SearchResult
from tests.assistant.conftest import Hotline, new_conversation, say
from tests.factories import World, make_article

SHIPPED_COMPLAINT_WORDS = "投诉|工信部|12300|消协|消费者协会|3·15|315晚会|曝光你们|举报|起诉|打官司"


@pytest.fixture
def complaints(db: Session, hotline: Hotline) -> Hotline:
    """The hotline with a customer article on how complaints are taken and answered."""
    hotline.articles["TS-QD"] = make_article(
        db, hotline.world, code="TS-QD", title="客户投诉受理渠道与处理时限",
        body="可通过10086热线、营业厅、APP在线客服提交投诉。一般投诉24小时内联系您，"
             "复杂问题5个工作日内给出处理结果。对结果不满意可申请复核。",
        similar_questions=["投诉去哪里投", "投诉了多久给答复", "投诉结果不满意怎么办"],
        queue_ids=hotline.world.queue_ids("A"))
    return hotline


def _complaint_rule(db: Session) -> HandoffRule:
    rule = db.scalar(select(HandoffRule).where(HandoffRule.kind == "keyword",
                                               HandoffRule.reason == "complaint"))
    assert rule is not None
    return rule


def test_the_shipped_complaint_rule_answers_first_and_the_others_do_not(db: Session) -> None:
    answering = {(r.reason, r.pattern) for r in db.scalars(
        select(HandoffRule).where(HandoffRule.answer_first.is_(True)))}
    assert answering == {("complaint", SHIPPED_COMPLAINT_WORDS)}


def test_a_question_about_complaining_is_answered_with_a_person_offered(
        db: Session, complaints: Hotline) -> None:
    conversation = new_conversation(db)
    turn = say(db, complaints, conversation, "投诉了多久给答复")
    [reply] = turn.replies
    assert reply.kind == Kind.ANSWER
    assert reply.data["code"] == "TS-QD" and reply.data["offer_human"] is True
    assert "转人工" in reply.text and "24小时" in reply.text
    assert conversation.status == Status.BOT and conversation.handoff_reason is None
    # Logged like any answered question; 转人工 next still reaches the complaint desk.
    log = db.get(SearchLog, turn.message.search_log_id)
    assert log is not None and log.confident is True
    [handoff] = say(db, complaints, conversation, "转人工").replies
    assert handoff.kind == Kind.HANDOFF and conversation.status == Status.WAITING


def test_without_answer_first_the_same_question_goes_to_a_person(
        db: Session, complaints: Hotline) -> None:
    _complaint_rule(db).answer_first = False
    db.commit()
    conversation = new_conversation(db)
    [reply] = say(db, complaints, conversation, "投诉了多久给答复").replies
    assert reply.kind == Kind.HANDOFF and conversation.handoff_reason == "complaint"


@pytest.mark.parametrize("text", [
    "我要投诉你们的5G信号太差了",  # a complaint, not a question
    "投诉！",
    "投诉的话你们乱扣费怎么退",  # a question the surest article (agent-only) answers
    "再不处理我就去工信部",
])
def test_a_complaint_or_a_question_not_surely_answered_goes_to_the_desk(
        db: Session, complaints: Hotline, text: str) -> None:
    conversation = new_conversation(db)
    [reply] = say(db, complaints, conversation, text).replies
    assert reply.kind == Kind.HANDOFF
    assert conversation.handoff_reason == "complaint"
    assert reply.data["queue"] == "投诉专席"


def test_a_question_not_answered_first_is_searched_once(
        db: Session, complaints: Hotline, monkeypatch: pytest.MonkeyPatch) -> None:
    """The answer first's search serves the hand-off too: the agent sees its candidates
    and the question is logged once."""
    searches: list[str] = []
    search = dialogue._search

    def counted(*args: Any, **kwargs: Any) -> SearchResult:
        searches.append(args[2])
        return search(*args, **kwargs)

    monkeypatch.setattr(dialogue, "_search", counted)
    conversation = new_conversation(db)
    turn = say(db, complaints, conversation, "投诉的话你们乱扣费怎么退")
    assert [r.kind for r in turn.replies] == [Kind.HANDOFF]
    assert len(searches) == 1
    log = db.get(SearchLog, turn.message.search_log_id)
    assert log is not None and log.query == searches[0]
    assert db.scalar(select(func.count(SearchLog.id))) == 1


@pytest.mark.parametrize(("text", "tier"), [
    ("投诉了多久给答复", "VIP"),  # VIP customers are served by people
    ("投诉了多久给答复，你们什么破服务", None),  # the insult rule fires too
])
def test_no_answer_first_when_another_rule_fires_too(
        db: Session, complaints: Hotline, text: str, tier: str | None) -> None:
    conversation = new_conversation(db, tier=tier)
    [reply] = say(db, complaints, conversation, text).replies
    assert reply.kind == Kind.HANDOFF and conversation.handoff_reason == "complaint"


@pytest.mark.parametrize(("text", "asks"), [
    ("投诉了多久给答复", True), ("投诉渠道 多久答复", True), ("能重新处理不", True),
    ("工信部投诉有用没用", True), ("去哪投诉？", True), ("投诉结果 怎么办", True),
    ("投诉能撤回么", True), ("投诉要多少钱", True),
    ("我要投诉你们！", False), ("我要投诉她", False), ("投诉结果不满意", False),
    ("服务这么差，我要投诉！", False), ("打了多少次了，我要投诉", False),
])
def test_questions_are_told_from_complaints(text: str, asks: bool) -> None:
    assert is_question(text) is asks


def test_answer_first_is_for_keyword_rules_only(db: Session, world: World) -> None:
    admin = world["admin"]
    keyword = rule_service.create_rule(db, actor=admin, data=rule_service.RuleInput(
        kind="keyword", reason="complaint", pattern="曝光", answer_first=True))
    assert keyword.answer_first is True
    # Ticked on another kind of rule it would do nothing: the manager is told so.
    with pytest.raises(FieldErrors) as raised:
        rule_service.create_rule(db, actor=admin, data=rule_service.RuleInput(
            kind="tier", pattern="金卡", target_queue="VIP", answer_first=True))
    assert raised.value.errors == [{"field": "answer_first", "code": "keyword_rules_only"}]
