"""The assistant's replies: answers, choices, no match, follow-ups, hand-off triggers and
routing, feedback and the learning loop."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import Queue
from seci.assistant import dialogue
from seci.assistant import rules as rule_service
from seci.assistant.dialogue import decide, give_feedback, request_human
from seci.assistant.errors import ConversationClosed
from seci.assistant.handoff import end_chat
from seci.assistant.models import Conversation, HandoffRule, Kind, Message, Status
from seci.retrieval.index import Filters
from seci.retrieval.log import opened_after, query_stats
from seci.retrieval.models import SearchLog
from seci.retrieval.service import SearchHit, SearchResult
from tests.assistant.conftest import SECRET, Hotline, new_conversation, say


def _queue_code(db: Session, conversation: Conversation) -> str:
    queue = db.get(Queue, conversation.queue_id)
    assert queue is not None
    return queue.code


def test_a_confident_match_answers_with_the_articles_customer_text(
        db: Session, hotline: Hotline) -> None:
    conversation = new_conversation(db)
    turn = say(db, hotline, conversation, "出国了手机还能用不")
    [reply] = turn.replies
    assert reply.kind == Kind.ANSWER
    assert reply.data["code"] == "MY-KT"
    assert "国际漫游开通与资费" in reply.text and "KTMY" in reply.text
    assert "话术参考" not in reply.text and "先生您好" not in reply.text
    assert "是否解决" in reply.text
    assert turn.message.seq == 2 and reply.seq == 3  # the greeting is 1
    assert conversation.topic_article_id == hotline.articles["MY-KT"].id


def test_a_greeting_and_thanks_around_the_question_are_no_part_of_it(
        db: Session, hotline: Hotline) -> None:
    bare = say(db, hotline, new_conversation(db), "出国了手机还能用不").replies[0]
    polite = say(db, hotline, new_conversation(db),
                 "您好，请问一下，出国了手机还能用不？谢谢").replies[0]
    assert polite.kind == bare.kind == Kind.ANSWER
    assert polite.data["code"] == bare.data["code"] == "MY-KT"
    # What the rankers read: the question alone.
    read = hotline.engine.candidates("您好，请问一下，出国了手机还能用不？谢谢",
                                     Filters(on=date.today())).read_as
    assert read == "出国了手机还能用不"


def test_low_confidence_says_so_and_offers_a_person(db: Session, hotline: Hotline) -> None:
    conversation = new_conversation(db)
    [reply] = say(db, hotline, conversation, "明天北京天气怎么样").replies
    assert reply.kind == Kind.NO_MATCH
    assert reply.data == {"offer_human": True}
    assert reply.article_ids == []
    assert conversation.status == Status.BOT


def test_two_failed_answers_in_a_row_hand_off(db: Session, hotline: Hotline) -> None:
    conversation = new_conversation(db)
    say(db, hotline, conversation, "明天北京天气怎么样")
    [reply] = say(db, hotline, conversation, "附近哪家餐厅好吃").replies
    assert reply.kind == Kind.HANDOFF
    assert conversation.status == Status.WAITING
    assert conversation.handoff_reason == "failed_answers"
    assert conversation.handoff_rule_id is not None
    assert _queue_code(db, conversation) == "A"  # no topic: the general queue


def test_greetings_thanks_and_okays_are_answered_in_kind_and_never_count_as_failures(
        db: Session, hotline: Hotline) -> None:
    """Two greetings in a row handed customers to a person (two "failed answers")."""
    conversation = new_conversation(db)
    replies = [say(db, hotline, conversation, text).replies
               for text in ("你好", "在吗？", "嗯嗯", "好的，谢谢", "没事了，再见")]
    assert [reply.kind for [reply] in replies] == [Kind.COURTESY] * 5
    assert [reply.data["courtesy"] for [reply] in replies] == [
        "greeting", "greeting", "acknowledgement", "thanks", "farewell"]
    assert replies[0][0].text.startswith("您好！请问有什么可以帮您")
    assert replies[3][0].text.startswith("不客气")
    assert conversation.status == Status.BOT and conversation.failed_in_row == 0
    # Nothing was searched: no question for the gap reports.
    assert db.scalar(select(SearchLog.id).where(SearchLog.query.in_(["你好", "在吗？"]))) is None
    # A question with a greeting is still searched and answered.
    [answer] = say(db, hotline, conversation, "你好，出国了手机还能用不").replies
    assert answer.kind == Kind.ANSWER


def test_an_answer_in_between_resets_the_failed_count(db: Session, hotline: Hotline) -> None:
    conversation = new_conversation(db)
    say(db, hotline, conversation, "明天北京天气怎么样")
    say(db, hotline, conversation, "出国了手机还能用不")
    [reply] = say(db, hotline, conversation, "附近哪家餐厅好吃").replies
    assert reply.kind == Kind.NO_MATCH


def _offer_choices(db: Session, hotline: Hotline, conversation: Conversation) -> Message:
    """Put the conversation in the state 'choices offered' (three roaming articles)."""
    reply = Message(conversation_id=conversation.id, seq=0, role="bot", kind=Kind.CHOICES,
                    text="您是想问", data={"choices": [
                        {"number": i, "article_id": hotline.articles[c].id, "code": c,
                         "title": hotline.articles[c].title}
                        for i, c in enumerate(["MY-KT", "MY-LL", "ZF-LL"], start=1)]})
    from seci.assistant.conversations import add_message

    added = add_message(db, conversation, role="bot", kind=Kind.CHOICES,  # type: ignore[arg-type]
                        text=reply.text, data=reply.data)
    db.commit()
    return added


@pytest.mark.parametrize(("answer", "code"), [("2", "MY-LL"), ("第二个", "MY-LL"),
                                              ("一", "MY-KT"), ("选3", "ZF-LL")])
def test_choices_are_answered_by_number(db: Session, hotline: Hotline, answer: str,
                                        code: str) -> None:
    conversation = new_conversation(db)
    _offer_choices(db, hotline, conversation)
    [reply] = say(db, hotline, conversation, answer).replies
    assert reply.kind == Kind.ANSWER
    assert reply.data["code"] == code


def _result(*hits: tuple[float, float]) -> SearchResult:
    return SearchResult(query="q", confident=bool(hits) and hits[0][0] >= 0.5, hits=[
        SearchHit(article_id=i, code=f"C{i}", title=[], snippet=[], module_path="/1/",
                  queue_ids=frozenset(), valid_to=None, score=score, confidence=confidence)
        for i, (confidence, score) in enumerate(hits, start=1)])


@pytest.mark.parametrize(("hits", "kind", "offered"), [
    ([(0.9, 1.0), (0.05, 0.5)], Kind.ANSWER, 1),
    ([(0.9, 1.0), (0.3, 0.95), (0.26, 0.92), (0.3, 0.91)], Kind.CHOICES, 3),  # close ones
    ([(0.4, 1.0), (0.05, 0.8), (0.01, 0.2)], Kind.CHOICES, 2),  # plausible, unsure
    ([(0.35, 1.0)], Kind.CHOICES, 1),  # "您是想问: 1. …" — answered with "是的"
    ([(0.1, 1.0), (0.05, 0.9)], Kind.NO_MATCH, 1),
    ([], Kind.NO_MATCH, 0),
])
def test_decisions_by_confidence_and_closeness(hits: list[tuple[float, float]], kind: Kind,
                                               offered: int) -> None:
    decision = decide(_result(*hits))
    assert decision.kind == kind
    assert len(decision.hits) == offered


def test_no_choices_for_a_question_the_matcher_does_not_recognise() -> None:
    unsure = _result((0.4, 1.0), (0.05, 0.8))
    assert decide(unsure).kind == Kind.CHOICES
    assert decide(replace(unsure, recognised=False)).kind == Kind.NO_MATCH
    sure = _result((0.9, 1.0), (0.05, 0.5))  # an answer needs no recognition
    assert decide(replace(sure, recognised=False)).kind == Kind.ANSWER


def test_an_unsure_question_offers_choices_end_to_end(db: Session, hotline: Hotline) -> None:
    conversation = new_conversation(db)
    unsure = [(0.4, 1.0), (0.05, 0.9), (0.02, 0.8)]
    original = dialogue._search
    module_path = f"/{hotline.world.modules['个人业务'].id}/"
    ids = {1: hotline.articles["MY-KT"].id, 2: hotline.articles["ZW-TF"].id,
           3: hotline.articles["MY-LL"].id}

    def fake_search(*args: object) -> SearchResult:
        result = _result(*unsure)
        return SearchResult(query="q", confident=False, hits=[
            replace(h, article_id=ids[h.article_id], module_path=module_path)
            for h in result.hits])

    dialogue._search = fake_search  # type: ignore[assignment]
    try:
        [reply] = say(db, hotline, conversation, "漫游的事").replies
    finally:
        dialogue._search = original  # type: ignore[assignment]
    assert reply.kind == Kind.CHOICES
    # The internal article among the hits is never offered, even if search returned it.
    assert [c["code"] for c in reply.data["choices"]] == ["MY-KT", "MY-LL"]
    assert reply.text.splitlines()[1:] == ["1. 国际漫游开通与资费", "2. 国际漫游流量包订购"]
    [answer] = say(db, hotline, conversation, "2").replies
    assert answer.data["code"] == "MY-LL"


def test_a_follow_up_is_read_with_the_topic(db: Session, hotline: Hotline) -> None:
    conversation = new_conversation(db)
    say(db, hotline, conversation, "流量不够用了怎么办")
    [first] = conversation_replies(db, conversation, Kind.ANSWER)
    assert first.data["code"] == "ZF-LL"
    [reply] = say(db, hotline, conversation, "那国际的呢").replies
    assert reply.kind in {Kind.ANSWER, Kind.CHOICES}
    codes = [reply.data["code"]] if reply.kind == Kind.ANSWER \
        else [c["code"] for c in reply.data["choices"]]
    assert codes[0] == "MY-LL"
    assert "ZF-LL" not in codes  # "那…呢" asks for something other than the current topic


def test_a_message_reads_the_knowledge_base_once_however_often_it_searches(
        db: Session, hotline: Hotline, monkeypatch: pytest.MonkeyPatch) -> None:
    """A follow-up is searched with its topic and alone; the engine is synced once for it
    (each sync is a round trip to the database)."""
    conversation = new_conversation(db)
    say(db, hotline, conversation, "流量不够用了怎么办")
    syncs: list[int] = []
    searches: list[str] = []
    sync, search = hotline.engine.sync, dialogue._search

    def counted_sync(session: Session) -> int:
        syncs.append(1)
        return sync(session)

    def counted_search(*args: Any, **kwargs: Any) -> Any:
        searches.append(args[2])
        return search(*args, **kwargs)

    monkeypatch.setattr(hotline.engine, "sync", counted_sync)
    monkeypatch.setattr(dialogue, "_search", counted_search)
    say(db, hotline, conversation, "那国际的呢")
    assert len(searches) >= 2 and len(syncs) == 1


def test_what_does_it_cost_follows_the_current_article(db: Session, hotline: Hotline) -> None:
    conversation = new_conversation(db)
    say(db, hotline, conversation, "国际漫游怎么开通")
    [reply] = say(db, hotline, conversation, "要多少钱").replies
    assert reply.kind == Kind.ANSWER
    assert reply.data["code"] == "MY-KT"
    # Alone, "要多少钱" is no question the assistant can answer.
    fresh = new_conversation(db)
    [alone] = say(db, hotline, fresh, "要多少钱").replies
    assert alone.kind != Kind.ANSWER or alone.data["code"] != "MY-KT"


def conversation_replies(db: Session, conversation: Conversation, kind: Kind) -> list[Message]:
    return list(db.scalars(select(Message).where(Message.conversation_id == conversation.id,
                                                 Message.kind == kind)))


@pytest.mark.parametrize(("text", "reason", "queue"), [
    ("转人工", "explicit_request", "A"),
    ("人工客服", "explicit_request", "A"),
    ("我要找客服", "explicit_request", "A"),
    ("人工", "explicit_request", "A"),
    ("你好，人工", "explicit_request", "A"),  # greetings and thanks around the word
    ("怎么联系人工啊", "explicit_request", "A"),  # migration 0024's words
    ("找人工", "explicit_request", "A"),
    ("人工在哪", "explicit_request", "A"),
    ("人工，谢谢", "explicit_request", "A"),
    ("我要投诉你们乱扣费", "complaint", "投诉专席"),
    # A homophone typo: the rules read the message as search reads it (头诉 → 投诉).
    ("我要头诉你们乱扣费", "complaint", "投诉专席"),
    ("再不处理我就去工信部", "complaint", "投诉专席"),
    ("打12300告你们", "complaint", "投诉专席"),
    ("你们这些骗子", "insult", "投诉专席"),
    ("你们是不是骗子啊，天天乱扣钱", "insult", "投诉专席"),
    ("你们这帮骗子", "insult", "投诉专席"),
    ("什么破网，妈的又断了", "insult", "投诉专席"),
])
def test_hand_off_triggers_record_their_reason(db: Session, hotline: Hotline, text: str,
                                               reason: str, queue: str) -> None:
    conversation = new_conversation(db)
    [reply] = say(db, hotline, conversation, text).replies
    assert reply.kind == Kind.HANDOFF
    assert conversation.status == Status.WAITING
    assert conversation.handoff_reason == reason
    assert _queue_code(db, conversation) == queue
    assert reply.data["queue"] == queue and reply.data["position"] == 1
    rule = db.get(HandoffRule, conversation.handoff_rule_id)
    assert rule is not None and rule.reason == reason


@pytest.mark.parametrize(("tier", "queue"), [("VIP", "VIP"), ("全球通", "全球通")])
def test_tier_customers_go_to_their_queue(db: Session, hotline: Hotline, tier: str,
                                          queue: str) -> None:
    conversation = new_conversation(db, tier=tier)
    [reply] = say(db, hotline, conversation, "国际漫游怎么开通").replies
    assert reply.kind == Kind.HANDOFF
    assert conversation.handoff_reason == "tier"
    assert _queue_code(db, conversation) == queue
    # The question was still read: the agent gets the topic and candidates.
    assert hotline.articles["MY-KT"].id in conversation.candidate_article_ids


def test_a_vip_complaint_goes_to_the_complaint_desk(db: Session, hotline: Hotline) -> None:
    conversation = new_conversation(db, tier="VIP")
    say(db, hotline, conversation, "我要投诉")
    assert conversation.handoff_reason == "complaint"
    assert _queue_code(db, conversation) == "投诉专席"


def test_a_disabled_rule_does_not_fire(db: Session, hotline: Hotline) -> None:
    for rule in db.scalars(select(HandoffRule).where(HandoffRule.kind == "tier")):
        rule.enabled = False
    db.commit()
    conversation = new_conversation(db, tier="VIP")
    [reply] = say(db, hotline, conversation, "国际漫游怎么开通").replies
    assert reply.kind == Kind.ANSWER


def test_routing_follows_the_topics_module(db: Session, hotline: Hotline) -> None:
    conversation = new_conversation(db)
    say(db, hotline, conversation, "我还剩多少钱")  # 账务
    say(db, hotline, conversation, "转人工")
    assert _queue_code(db, conversation) == "话费专席"
    broadband = new_conversation(db)
    say(db, hotline, broadband, "家里断网了怎么办")
    request_human(db, conversation=broadband)
    db.commit()
    assert _queue_code(db, broadband) == "数据专席"
    assert broadband.handoff_reason == "explicit_request"


def test_a_managers_rule_applies_at_once(db: Session, hotline: Hotline) -> None:
    manager = hotline.world["manager"]
    rule_service.create_rule(db, actor=manager, data=rule_service.RuleInput(
        kind="keyword", pattern="销户", reason="explicit_request", target_queue="A+",
        priority=5))
    db.commit()
    conversation = new_conversation(db)
    [reply] = say(db, hotline, conversation, "我想销户").replies
    assert reply.kind == Kind.HANDOFF
    assert _queue_code(db, conversation) == "A+"


def test_position_in_line_counts_earlier_customers(db: Session, hotline: Hotline) -> None:
    first, second = new_conversation(db), new_conversation(db)
    say(db, hotline, first, "转人工")
    [reply] = say(db, hotline, second, "转人工").replies
    assert reply.data["position"] == 2
    assert reply.data["callback_offered"] is True  # nobody is at their desk


def test_messages_while_waiting_are_stored_without_bot_replies(
        db: Session, hotline: Hotline) -> None:
    conversation = new_conversation(db)
    say(db, hotline, conversation, "转人工")
    turn = say(db, hotline, conversation, "我的号码是多少来着")
    assert turn.replies == []
    assert turn.message.seq == conversation.last_seq


def test_a_retried_send_is_not_stored_twice(db: Session, hotline: Hotline) -> None:
    conversation = new_conversation(db)
    first = say(db, hotline, conversation, "出国了手机还能用不", client_key="k-1")
    again = say(db, hotline, conversation, "出国了手机还能用不", client_key="k-1")
    assert again.duplicate and again.message.id == first.message.id
    assert [m.id for m in again.replies] == [m.id for m in first.replies]
    count = len(list(db.scalars(select(Message.id).where(
        Message.conversation_id == conversation.id))))
    assert count == 3  # greeting, question, answer


def test_a_closed_conversation_takes_no_more_messages(db: Session, hotline: Hotline) -> None:
    conversation = new_conversation(db)
    end_chat(db, conversation=conversation)
    db.commit()
    with pytest.raises(ConversationClosed):
        say(db, hotline, conversation, "还在吗")


# --- 是否解决 and the learning loop ------------------------------------------------------------


def _log_of(db: Session, message: Message) -> SearchLog:
    entry = db.get(SearchLog, message.search_log_id)
    assert entry is not None
    return entry


def test_questions_are_logged_as_assistant_searches(db: Session, hotline: Hotline) -> None:
    conversation = new_conversation(db)
    turn = say(db, hotline, conversation, "出国了手机还能用不")
    entry = _log_of(db, turn.message)
    assert entry.channel == "assistant" and entry.user_id is None
    assert entry.confident is True
    unanswered = say(db, hotline, conversation, "卫星电话怎么收费")
    assert _log_of(db, unanswered.message).confident is False
    gaps = {s.normalized for s in query_stats(db, since=entry.at.replace(year=2000),
                                               gaps_only=True)}
    assert "卫星电话怎么收费" in gaps


def test_a_helpful_answer_becomes_a_label_for_the_matcher(db: Session, hotline: Hotline) -> None:
    conversation = new_conversation(db)
    turn = say(db, hotline, conversation, "人在国外手机打不了电话")
    [answer] = turn.replies
    assert answer.kind == Kind.ANSWER
    [thanks] = give_feedback(db, conversation=conversation, seq=answer.seq, helpful=True)
    db.commit()
    assert thanks.kind == Kind.FEEDBACK
    assert _log_of(db, turn.message).opened_article_id == answer.data["article_id"]
    assert ("人在国外手机打不了电话", answer.data["article_id"]) in opened_after(db)


def test_a_not_helpful_answer_shows_up_as_a_gap(db: Session, hotline: Hotline) -> None:
    conversation = new_conversation(db)
    turn = say(db, hotline, conversation, "出国了手机还能用不")
    [answer] = turn.replies
    [reply] = give_feedback(db, conversation=conversation, seq=answer.seq, helpful=False)
    db.commit()
    assert reply.kind == Kind.FEEDBACK and reply.data["offer_human"] is True
    entry = _log_of(db, turn.message)
    assert entry.confident is False and entry.opened_article_id is None
    gaps = {s.normalized for s in query_stats(db, since=entry.at.replace(year=2000),
                                               gaps_only=True)}
    assert "出国了手机还能用不" in gaps


def test_repeated_negative_feedback_hands_off_as_a_complaint(
        db: Session, hotline: Hotline) -> None:
    conversation = new_conversation(db)
    say(db, hotline, conversation, "出国了手机还能用不")
    say(db, hotline, conversation, "没用")
    [answer] = say(db, hotline, conversation, "我还剩多少钱").replies
    assert answer.kind == Kind.ANSWER
    [reply] = say(db, hotline, conversation, "没解决").replies
    assert reply.kind == Kind.HANDOFF
    assert conversation.handoff_reason == "negative_feedback"
    assert _queue_code(db, conversation) == "投诉专席"


def test_asking_for_a_person_after_an_answer_marks_it_unhelpful(
        db: Session, hotline: Hotline) -> None:
    conversation = new_conversation(db)
    turn = say(db, hotline, conversation, "出国了手机还能用不")
    say(db, hotline, conversation, "转人工")
    assert _log_of(db, turn.message).confident is False


def test_hand_off_questions_reach_the_gap_list(db: Session, hotline: Hotline) -> None:
    conversation = new_conversation(db)
    turn = say(db, hotline, conversation, "我要投诉你们的5G信号太差了")
    assert conversation.handoff_reason == "complaint"
    entry = _log_of(db, turn.message)
    assert entry.confident is False
    # "转人工" alone is no question: nothing is logged for it.
    other = new_conversation(db)
    assert say(db, hotline, other, "转人工").message.search_log_id is None


def test_asking_for_a_person_again_while_waiting_is_answered(db: Session,
                                                             hotline: Hotline) -> None:
    """The second 转人工 (typed or pressed) tells the customer their place in line, with
    the queue's customer name, never its code."""
    first, second = new_conversation(db), new_conversation(db)
    say(db, hotline, first, "转人工")
    say(db, hotline, second, "转人工")
    [typed] = say(db, hotline, second, "转人工").replies
    assert typed.kind == Kind.HANDOFF and typed.data["repeat"] is True
    assert typed.text.startswith("已在为您转接人工客服") and "前面还有 1 位" in typed.text
    [pressed] = request_human(db, conversation=first)
    assert "前面" not in pressed.text and "下一位" in pressed.text
    assert second.status == Status.WAITING and first.status == Status.WAITING


def test_customers_never_read_a_queue_code(db: Session, hotline: Hotline) -> None:
    conversation = new_conversation(db)
    say(db, hotline, conversation, "我还剩多少钱")  # 账务 → the billing specialists
    [reply] = say(db, hotline, conversation, "转人工").replies
    assert _queue_code(db, conversation) == "话费专席"
    assert "话费专员" in reply.text and "话费专席" not in reply.text
    plain = new_conversation(db)
    [general] = say(db, hotline, plain, "转人工").replies
    assert _queue_code(db, plain) == "A"
    assert "人工客服" in general.text and "转接A" not in general.text


def test_a_question_only_agent_knowledge_answers_goes_to_a_person(
        db: Session, hotline: Hotline) -> None:
    """"多扣的话费能退多少" is answered by an agent-only article (退费权限): the customer
    gets a person of the article's module's queue, never the article, and the agent sees
    it among the candidates."""
    conversation = new_conversation(db)
    [reply] = say(db, hotline, conversation, "多扣的话费能退多少").replies
    assert reply.kind == Kind.HANDOFF
    assert conversation.handoff_reason == "agent_knowledge"
    assert _queue_code(db, conversation) == "话费专席"  # the 账务 module's queue
    assert conversation.candidate_article_ids[0] == hotline.articles["ZW-TF"].id
    assert SECRET not in reply.text and "退费权限" not in reply.text


def test_a_vague_message_is_not_handed_off_for_agent_knowledge(
        db: Session, hotline: Hotline) -> None:
    conversation = new_conversation(db)
    [reply] = say(db, hotline, conversation, "明天北京天气怎么样").replies
    assert reply.kind == Kind.NO_MATCH
    assert conversation.handoff_reason is None


def test_an_offer_that_ended_is_said_to_have_ended(db: Session, hotline: Hotline) -> None:
    """The best answer of all is a customer offer out of force: the assistant says so
    (with its end date) instead of answering with another article."""
    from datetime import date, timedelta

    from seci.core.clock import today
    from tests.factories import make_article

    ended = today() - timedelta(days=30)
    make_article(db, hotline.world, code="HD-GQ", title="国庆充值送话费活动",
                 body="充值100元送20元话费券。", valid_from=date(2020, 10, 1), valid_to=ended,
                 similar_questions=["国庆充值送话费", "充一百送二十的活动", "国庆充值活动"])
    conversation = new_conversation(db)
    [reply] = say(db, hotline, conversation, "国庆充一百送二十的活动还能参加吗").replies
    assert reply.kind == Kind.NO_MATCH
    assert reply.data["not_in_force"] == "HD-GQ"
    assert "国庆充值送话费活动" in reply.text and ended.isoformat() in reply.text
    assert "已于" in reply.text
    assert reply.article_ids == []  # nothing of it was sent


@pytest.mark.parametrize("text", [
    "收到短信让我确认是不是本人在用这个号，是不是骗子啊？",
    "我妈的手机欠费停机了怎么办",
    "老是收到垃圾短信怎么拦截",
    "帮他妈妈交话费怎么交",
])
def test_the_shipped_insult_rule_leaves_words_that_only_hold_an_insult(
        db: Session, hotline: Hotline, text: str) -> None:
    """Migration 0023: 骗子 said of a scam, 妈的 in 我妈的, 垃圾 in 垃圾短信 are no insults."""
    conversation = new_conversation(db)
    say(db, hotline, conversation, text)
    assert conversation.handoff_reason != "insult"
