"""The assistant's side of a conversation: read the customer's message, answer from the
knowledge base, offer choices, admit it does not know, or hand over to a person.

Answers only ever come from published, valid articles whose audience is customers: the
search runs as a customer (``user=None``), and every article is checked again against the
database before its text is sent (``customer_article``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.assistant import learning, replies
from seci.assistant.conversations import (
    add_message,
    last_bot_message,
    lock_conversation,
    message_by_client_key,
    replies_to,
)
from seci.assistant.errors import (
    AlreadyRated,
    ArticleNotInConversation,
    ConversationClosed,
    NotAnAnswer,
    WrongConversationState,
)
from seci.assistant.generation import AnswerWriter, Phrasing, Verdict
from seci.assistant.handoff import hand_off, still_waiting
from seci.assistant.models import (
    Conversation,
    HandoffReason,
    HandoffRule,
    Kind,
    Message,
    Role,
    Status,
)
from seci.assistant.operators import Operator, OwnOperators, other_operator
from seci.assistant.passages import Passage, answer_for
from seci.assistant.rewriting import QueryRewriter
from seci.assistant.rules import (
    Trigger,
    count_trigger,
    enabled_rules,
    explicit_request_trigger,
    message_trigger,
)
from seci.assistant.text import (
    clean_message,
    contrast_of,
    customer_text,
    feedback_in_words,
    follow_up_words,
    has_words,
    is_follow_up,
    is_question,
    parse_choice,
    query_of,
)
from seci.core.clock import today
from seci.knowledge.access import validity_of
from seci.knowledge.models import Article, ArticleStatus, ArticleVersion, Audience, Validity
from seci.retrieval.confidence import PRIOR_THRESHOLDS, Thresholds
from seci.retrieval.courtesy import Courtesy, courtesy_only
from seci.retrieval.documents import Facts
from seci.retrieval.engine import SearchEngine
from seci.retrieval.index import Filters
from seci.retrieval.service import SearchHit, SearchResult, search, surest_of_all
from seci.retrieval.text import Analyzer

# Tuned on the dev set with `seci eval assistant` (docs/assistant.md). Confidence is that of
# seci.retrieval.service: calibrated for the best hit; runners-up get much lower values by
# design, so their closeness is judged on the fused score.
# Choices rather than an answer: a runner-up nearly as good as a confident best hit.
AMBIGUOUS_SCORE_RATIO = 0.9
AMBIGUOUS_CONFIDENCE = 0.25
# The prior's choices (before the served KB is calibrated): the best hit is plausible but
# unsure; runners-up join it when their score is close enough. Below the floor: no match,
# a human is offered.
CHOICE_FLOOR = PRIOR_THRESHOLDS.choices
RUNNER_UP_SCORE_RATIO = 0.7
MAX_CHOICES = 3
SEARCH_LIMIT = 5


@dataclass(frozen=True)
class CustomerArticle:
    """What a customer may be told of an article: its title, its customer answer (答复口径)
    and its body, both without their agent-only parts (seci.knowledge.agent_notes)."""

    article_id: int
    code: str
    title: str
    body: str
    module_id: int
    version_no: int
    customer_answer: str = ""


@dataclass
class Turn:
    conversation: Conversation
    message: Message  # the customer's message as stored
    replies: list[Message] = field(default_factory=list)
    duplicate: bool = False  # a retried send: nothing was added


@dataclass(frozen=True)
class Reply:
    """How the assistant answers: the engine that found the articles and, optionally, the
    chat model that phrases the answer from them (``generation``) and the one that rewrites
    a message it is unsure about (``rewriting``)."""

    engine: SearchEngine
    writer: AnswerWriter | None = None
    on: date | None = None
    rewriter: QueryRewriter | None = None


@dataclass(frozen=True)
class Decision:
    kind: Kind  # ANSWER, CHOICES or NO_MATCH
    hits: tuple[SearchHit, ...] = ()


def customer_article(session: Session, *, article_id: int, on: date | None = None
                     ) -> CustomerArticle | None:
    """The article as a customer may read it — published, valid on the day, audience
    customers — or None. Every text the assistant sends passes through here."""
    row = session.execute(
        select(Article.status, ArticleVersion)
        .join(ArticleVersion, ArticleVersion.id == Article.live_version_id)
        .where(Article.id == article_id)
    ).first()
    if row is None:
        return None
    status, version = row
    if status == ArticleStatus.RETIRED or version.audience != Audience.CUSTOMER:
        return None
    if validity_of(version.valid_from, version.valid_to, on or today()) is not Validity.VALID:
        return None
    return CustomerArticle(article_id=version.article_id, code=version.code,
                           title=version.title, body=customer_text(version.body),
                           module_id=version.module_id, version_no=version.version_no,
                           customer_answer=customer_text(version.customer_answer))


def answer_passage(article: CustomerArticle, question: str, analyzer: Analyzer) -> Passage:
    """What the customer is sent of the article: its customer answer, or else the section
    of its customer text that answers the question (seci.assistant.passages)."""
    return answer_for(customer_answer=article.customer_answer, body=article.body,
                      question=question, analyzer=analyzer, title=article.title)


def full_article(session: Session, *, conversation: Conversation, article_id: int,
                 on: date | None = None) -> CustomerArticle:
    """The whole customer text of an article this conversation was answered with, offered
    or sent by an agent (查看完整内容), if a customer may still read it."""
    given = session.scalars(select(Message.article_ids).where(
        Message.conversation_id == conversation.id, Message.internal.is_(False),
        Message.kind.in_([Kind.ANSWER, Kind.CHOICES, Kind.ARTICLE])))
    if not any(article_id in (ids or []) for ids in given):
        raise ArticleNotInConversation()
    article = customer_article(session, article_id=article_id, on=on)
    if article is None:
        raise ArticleNotInConversation()
    return article


def decide(result: SearchResult) -> Decision:
    """Answer when the best hit is confident and clearly ahead; choices when several are
    close or the answer is likely among the top few; otherwise say there is no good
    answer. The thresholds are those the served knowledge base was calibrated with
    (``seci.retrieval.served_calibration``), or the prior's."""
    hits = result.hits
    if not hits:
        return Decision(Kind.NO_MATCH)
    top = hits[0]
    runners_up = hits[1:MAX_CHOICES]
    thresholds = result.thresholds
    if top.confidence >= thresholds.answer:
        close = [h for h in runners_up if h.confidence >= AMBIGUOUS_CONFIDENCE
                 and h.score >= top.score * AMBIGUOUS_SCORE_RATIO]
        return Decision(Kind.CHOICES, (top, *close)) if close else Decision(Kind.ANSWER, (top,))
    if (offered := plausible_choices(top, runners_up, thresholds,
                                     recognised=result.recognised)) is not None:
        return Decision(Kind.CHOICES, offered)
    return Decision(Kind.NO_MATCH, (top,))


def plausible_choices(top: SearchHit, runners_up: Sequence[SearchHit], thresholds: Thresholds,
                      *, recognised: bool = True) -> tuple[SearchHit, ...] | None:
    """The hits to offer when the best is unsure, or None (nothing plausible left).
    Calibrated: runners-up whose confidence reaches ``member`` join, and the choices are
    offered when their summed confidence (the chance the answer is among them) reaches
    ``choices``. The prior: the best hit alone must reach ``choices``; runners-up join by
    their fused score. Never when the matcher did not recognise the question as the
    hotline's business (``SearchResult.recognised``): "银行卡冻结了咋解冻" shares words
    with the payment articles, and offering them would keep a customer from asking
    elsewhere."""
    if not recognised:
        return None
    if thresholds.fitted:
        members = [h for h in runners_up if h.confidence >= thresholds.member]
        evidence = top.confidence + sum(h.confidence for h in members)
        return (top, *members) if evidence >= thresholds.choices else None
    if top.confidence < thresholds.choices:
        return None
    return (top, *[h for h in runners_up if h.score >= top.score * RUNNER_UP_SCORE_RATIO])


# --- a customer's message -------------------------------------------------------------------


def send_customer_message(session: Session, *, engine: SearchEngine,
                          conversation: Conversation, text: str,
                          client_key: str | None = None, on: date | None = None,
                          writer: AnswerWriter | None = None,
                          rewriter: QueryRewriter | None = None) -> Turn:
    """Store the customer's message, then let the assistant reply (while no agent has the
    conversation). A retried send with the same ``client_key`` returns what was stored.
    With a ``writer`` (optional generation) answers are phrased by a chat model; with a
    ``rewriter`` a message it is unsure about is also searched as the model rewrites it."""
    key = (client_key or "").strip()[:64] or None
    cleaned = clean_message(text)
    lock_conversation(session, conversation)
    if key is not None and (stored := message_by_client_key(session, conversation, key)):
        return Turn(conversation, stored, list(replies_to(session, stored)), duplicate=True)
    if conversation.status == Status.CLOSED:
        raise ConversationClosed()
    previous_bot = last_bot_message(session, conversation)
    message = add_message(session, conversation, role=Role.CUSTOMER, kind=Kind.TEXT,
                          text=cleaned, client_key=key)
    turn = Turn(conversation, message)
    if conversation.status == Status.BOT:
        turn.replies = _assistant_reply(session, Reply(engine, writer, on, rewriter),
                                        conversation, message, previous_bot)
    elif conversation.status == Status.WAITING and _asks_for_person(session, engine,
                                                                    conversation, cleaned):
        turn.replies = [still_waiting(session, conversation)]
    return turn


def _asks_for_person(session: Session, engine: SearchEngine, conversation: Conversation,
                     text: str) -> bool:
    """转人工 typed again while waiting: answered with the place in line."""
    trigger = message_trigger(enabled_rules(session), text=text, conversation=conversation,
                              read_as=engine.corrected(text).text)
    return trigger is not None and trigger.reason == HandoffReason.EXPLICIT_REQUEST


def _assistant_reply(session: Session, how: Reply, conversation: Conversation,
                     message: Message, previous_bot: Message | None) -> list[Message]:
    engine, on = how.engine, how.on
    text = message.text
    rules = enabled_rules(session)
    if previous_bot is not None and previous_bot.kind == Kind.CHOICES:
        picked = _picked_article(session, previous_bot, text, on)
        if picked is not None:
            question = _question_of(session, previous_bot) or message
            learning.confirm_answer(session, question=question, article_id=picked.article_id)
            # The customer chose this article: a refusal still shows it, as its own text.
            phrasing = _phrase(how.writer, question.text, picked, conversation.locale)
            return [_answer(session, conversation, picked, question, phrasing,
                            engine.analyzer)]
    if previous_bot is not None and previous_bot.kind == Kind.ANSWER \
            and previous_bot.helpful is None:
        verdict = feedback_in_words(text)
        if verdict is not None:
            return _feedback_reply(session, conversation, previous_bot, verdict, rules)
    # Once per message that may be searched: every search of this reply (an answer first,
    # a follow-up with and without its context, a rewrite) reads the knowledge base as it
    # is now. A pick among choices or a verdict on an answer above needs no search.
    engine.sync(session)
    # The rules read the message as search does too: 头诉 is a complaint (投诉).
    read_as = engine.corrected(text).text
    trigger = message_trigger(rules, text=text, conversation=conversation, read_as=read_as)
    searched: _Searched | None = None
    if trigger is not None and _may_answer_first(trigger, rules, text, conversation,
                                                 read_as):
        answered, searched = _answered_first(session, how, conversation, message)
        if answered is not None:
            return [answered]
    if trigger is not None:
        return [_hand_off_on_message(session, engine, conversation, message, trigger, rules,
                                     previous_bot, on, searched)]
    if not has_words(text):
        return [add_message(session, conversation, role=Role.BOT, kind=Kind.NO_MATCH,
                            text=replies.say(conversation.locale, replies.NO_WORDS))]
    if (courtesy := courtesy_only(text)) is not None:
        return [_in_kind(session, conversation, courtesy)]
    # Before the search (which would also ask the chat model to rewrite an unsure message):
    # the engine, synced above, tells which operator's knowledge base it serves.
    other = other_operator(text, OWN_OPERATORS.of(engine))
    if other is not None:
        return _not_ours(session, conversation, other, rules)
    query, result, decision = _understand(session, engine, conversation, text, on,
                                          how.rewriter)
    message.search_log_id = _log_id(learning.log_question(session, query=query,
                                                          result=result))
    _remember_candidates(conversation, result)
    beyond = _beyond_customers(engine, query, on, sure=decision.kind == Kind.ANSWER)
    if beyond is not None and beyond.audience != Audience.CUSTOMER:
        return [_hand_off_to_agent_knowledge(session, conversation, beyond, rules)]
    if beyond is not None:
        return _not_in_force(session, conversation, beyond, on or today(), rules)
    if decision.kind == Kind.ANSWER \
            and (answer := _sure_answer(session, how, conversation, message, query,
                                        decision)):
        return [answer]
    if decision.kind == Kind.CHOICES:
        offered = [a for h in decision.hits
                   if (a := customer_article(session, article_id=h.article_id, on=on))]
        if offered:
            conversation.topic_query = query
            conversation.topic_module_id = offered[0].module_id
            return [_choices(session, conversation, offered, message)]
    return _no_match(session, conversation, decision, rules)


def _sure_answer(session: Session, how: Reply, conversation: Conversation, message: Message,
                 query: str, decision: Decision, *, offer_human: bool = False
                 ) -> Message | None:
    """The answer of a sure decision, or None when its article cannot be sent (no longer a
    customer article in force) or the chat model found no answer in it (then the question
    counts as not answered)."""
    article = customer_article(session, article_id=decision.hits[0].article_id, on=how.on)
    if article is None:
        return None
    phrasing = _phrase(how.writer, message.text, article, conversation.locale)
    if phrasing.verdict == Verdict.REFUSED:
        learning.reject_answer(session, question=message)
        return None
    conversation.topic_query = query
    return _answer(session, conversation, article, message, phrasing, how.engine.analyzer,
                   offer_human=offer_human)


def _may_answer_first(trigger: Trigger, rules: Sequence[HandoffRule], text: str,
                      conversation: Conversation, read_as: str) -> bool:
    """Whether a sure answer may go before the fired rule's hand-off: the rule lets it,
    the message asks something, and no other rule fires (an insult in the same message,
    a VIP customer, who is served by people)."""
    if not trigger.answer_first or not is_question(text):
        return False
    others = [r for r in rules if r.id != trigger.rule_id]
    return message_trigger(others, text=text, conversation=conversation,
                           read_as=read_as) is None


@dataclass(frozen=True)
class _Searched:
    """A message's search, kept for the hand-off that follows an answer not given."""

    query: str
    result: SearchResult


def _answered_first(session: Session, how: Reply, conversation: Conversation,
                    message: Message) -> tuple[Message | None, _Searched]:
    """A rule that lets a sure answer go first fired on a question (the complaint words:
    "投诉了多久给答复" asks about complaining, "我要投诉你们！" complains). The answer,
    with a person offered, when the assistant is sure of a customer article in force that
    is no other operator's business; else None and the rule hands off as usual, with the
    search made here (``_hand_off_on_message`` need not search again). No rewriting: a
    message the rule fired on goes to a person unless it is plainly answered."""
    engine, on = how.engine, how.on
    query, result, decision = _understand(session, engine, conversation, message.text, on)
    searched = _Searched(query, result)
    if decision.kind != Kind.ANSWER \
            or other_operator(message.text, OWN_OPERATORS.of(engine)) is not None \
            or _beyond_customers(engine, query, on, sure=True) is not None:
        return None, searched
    answer = _sure_answer(session, how, conversation, message, query, decision,
                          offer_human=True)
    if answer is not None:
        message.search_log_id = _log_id(learning.log_question(session, query=query,
                                                              result=result))
        _remember_candidates(conversation, result)
    return answer, searched


def _beyond_customers(engine: SearchEngine, query: str, on: date | None, *, sure: bool
                      ) -> Facts | None:
    """The article that answers best among all the knowledge, valid today or not, when a
    customer may not be answered with it: agent-only (the hotline handles this, but through
    a person: a refund check, a complaint's escalation) or not in force today (an offer that
    ended or has not started). None when the best of all is a customer article in force, or
    is not sure enough: as sure as an answer must be when a customer article would have been
    answered (``sure``), else as sure as a choice must be. Measured on both dev sets
    (docs/assistant.md)."""
    day = on or today()
    # A vague message ("明天天气怎么样") still gets "no good answer", not a queue.
    best = surest_of_all(engine, query, Filters(on=day, any_day=True),
                         len(set(engine.analyzer.tokens(query))), sure=sure)
    if best is None or (best.audience == Audience.CUSTOMER) == best.valid_on(day):
        return None  # a customer article in force, or agent-only knowledge out of force
    return best


# The operator each engine's knowledge base speaks for (``operators.own_operator``).
OWN_OPERATORS = OwnOperators()


def _not_ours(session: Session, conversation: Conversation, operator: Operator,
              rules: Sequence[HandoffRule]) -> list[Message]:
    """Say that the question is another operator's business instead of answering it with
    ours ("联通那边千兆宽带一年多少钱" is not our broadband tariff); counts as a reply that
    did not answer."""
    text = replies.say(conversation.locale, replies.OTHER_OPERATOR, operator=operator.name,
                       hotline=operator.hotline)
    return _declined(session, conversation, text, rules, {"other_operator": operator.name})


def _not_in_force(session: Session, conversation: Conversation, facts: Facts, day: date,
                  rules: Sequence[HandoffRule]) -> list[Message]:
    """Say that the offer asked about ended (or has not started) instead of answering with
    another article; counts as a reply that did not answer."""
    ended = facts.valid_to is not None and facts.valid_to < day
    when = facts.valid_to if ended else facts.valid_from
    text = replies.say(conversation.locale, replies.ENDED if ended else replies.NOT_YET,
                       title=facts.title, day=when.isoformat() if when else "")
    return _declined(session, conversation, text, rules, {"not_in_force": facts.code})


def _declined(session: Session, conversation: Conversation, text: str,
              rules: Sequence[HandoffRule], data: dict[str, str]) -> list[Message]:
    """A reply that does not answer and says why (``text``, with a person offered and
    ``data``); it counts as a failed answer, so the hand-off rules may pass the customer
    to a person instead."""
    conversation.failed_in_row += 1
    trigger = count_trigger(rules, conversation=conversation)
    if trigger is not None:
        return [hand_off(session, conversation, trigger=trigger, rules=rules)]
    return [add_message(session, conversation, role=Role.BOT, kind=Kind.NO_MATCH, text=text,
                        data={"offer_human": True, **data})]


def _hand_off_to_agent_knowledge(session: Session, conversation: Conversation, facts: Facts,
                                 rules: Sequence[HandoffRule]) -> Message:
    """To the queue serving the article's module, with the article among the candidates
    the agent sees (agent assist opens it)."""
    conversation.topic_module_id = int(facts.module_path.strip("/").split("/")[-1])
    conversation.candidate_article_ids = list(dict.fromkeys(
        [facts.article_id, *conversation.candidate_article_ids]))[:5]
    # Nothing of the article in the message: its data reaches the customer's screen.
    trigger = Trigger(HandoffReason.AGENT_KNOWLEDGE, None, None)
    return hand_off(session, conversation, trigger=trigger, rules=rules)


def _log_id(entry: object) -> int | None:
    return getattr(entry, "id", None)


def _question_of(session: Session, bot_message: Message) -> Message | None:
    seq = bot_message.data.get("question_seq")
    if not isinstance(seq, int):
        return None
    return session.scalar(select(Message).where(
        Message.conversation_id == bot_message.conversation_id, Message.seq == seq))


def _picked_article(session: Session, choices: Message, text: str, on: date | None
                    ) -> CustomerArticle | None:
    offered: list[dict[str, object]] = list(choices.data.get("choices", []))
    index = parse_choice(text, [str(c.get("title", "")) for c in offered])
    if index is None:
        return None
    article_id = offered[index].get("article_id")
    # The article was customer-visible when offered; it must still be now.
    return customer_article(session, article_id=int(str(article_id)), on=on)


def _understand(session: Session, engine: SearchEngine, conversation: Conversation,
                text: str, on: date | None, rewriter: QueryRewriter | None = None
                ) -> tuple[str, SearchResult, Decision]:
    """Search the message; a follow-up ("那国际的呢", "要多少钱") is read together with the
    conversation's topic: the title of the article answered, else the question that set
    it. Only follow-ups are combined: a new question must not inherit the old topic (it
    would lend it a confidence it has not earned). A new question the assistant cannot
    answer with confidence is searched again as the ``rewriter`` puts it, if one is set."""
    query = query_of(text)
    contexts = _topic_contexts(session, conversation, on) if is_follow_up(query) else []
    if not contexts:
        result = _search(session, engine, query, on)
        decision = decide(result)
        if rewriter is not None and decision.kind != Kind.ANSWER:
            result, decision = _surer_rewritten(session, engine, query, on, rewriter,
                                                (result, decision))
        return query, result, decision
    words = follow_up_words(query) or query
    attempts: list[tuple[str, SearchResult, Decision]] = []
    for context in contexts:
        combined = f"{context} {words}"[:500]
        result = _search(session, engine, combined, on)
        if contrast_of(query) and conversation.topic_article_id is not None:
            decision = _instead_of(result, conversation.topic_article_id)
        else:
            decision = decide(result)
        if decision.kind == Kind.ANSWER:
            return combined, result, decision
        attempts.append((combined, result, decision))
    if not any(d.kind == Kind.CHOICES for _, _, d in attempts):
        alone = _search(session, engine, query, on)
        attempts.append((query, alone, decide(alone)))
    for attempt in attempts:
        if attempt[2].kind != Kind.NO_MATCH:
            return attempt
    return attempts[0]


# How sure a decision is: an answer over choices over nothing.
_SURENESS = {Kind.ANSWER: 2, Kind.CHOICES: 1}


def _surer_rewritten(session: Session, engine: SearchEngine, query: str, on: date | None,
                     rewriter: QueryRewriter, own: tuple[SearchResult, Decision]
                     ) -> tuple[SearchResult, Decision]:
    """The search of the model's rewrite of ``query`` when it decides more surely than
    the message's own (``own``), else ``own``."""
    rewritten = rewriter.rewrite(query)
    if rewritten is None:
        return own
    result = _search(session, engine, rewritten, on)
    decision = decide(result)
    if _SURENESS.get(decision.kind, 0) > _SURENESS.get(own[1].kind, 0):
        return result, decision
    return own


def _instead_of(result: SearchResult, topic_article_id: int) -> Decision:
    """"那国际的呢" asks for the sibling of the current article ("国内流量包" → the
    international one): read with the topic, the current article still ranks first and the
    siblings follow closely. They are offered as choices, never answered outright: their
    confidence was computed as runners-up."""
    hits = result.hits
    if not hits or hits[0].article_id != topic_article_id:
        return decide(_without(result, topic_article_id))
    siblings = [h for h in hits[1:] if h.score >= hits[0].score * RUNNER_UP_SCORE_RATIO]
    if not siblings:
        return Decision(Kind.NO_MATCH)
    return Decision(Kind.CHOICES, tuple(siblings[:MAX_CHOICES]))


def _topic_contexts(session: Session, conversation: Conversation, on: date | None
                    ) -> list[str]:
    """The current article's title first (it names the thing a follow-up changes one
    aspect of: "国内流量包" → "那国际的呢"), then the question that set the topic."""
    contexts = []
    if conversation.topic_article_id is not None:
        article = customer_article(session, article_id=conversation.topic_article_id, on=on)
        if article is not None:
            contexts.append(article.title)
    if conversation.topic_query and conversation.topic_query not in contexts:
        contexts.append(conversation.topic_query)
    return contexts


def _search(session: Session, engine: SearchEngine, query: str, on: date | None
            ) -> SearchResult:
    # user=None: as a customer — audience "customer", valid on the day, every queue. The
    # engine was synced once for the message (``_assistant_reply``).
    return search(session, engine=engine, user=None, query=query, limit=SEARCH_LIMIT, on=on,
                  snippets=False, synced=True)


def _without(result: SearchResult, article_id: int | None) -> SearchResult:
    """The hits without one article; the rest keep the confidence they had (as runners-up:
    lower than a first place gets, so the assistant errs towards choices)."""
    if article_id is None:
        return result
    hits = [h for h in result.hits if h.article_id != article_id]
    return replace(result, hits=hits,
                   confident=bool(hits) and hits[0].confidence >= result.thresholds.answer)


def _remember_candidates(conversation: Conversation, result: SearchResult) -> None:
    ids = [h.article_id for h in result.hits[:MAX_CHOICES]]
    if ids:
        conversation.candidate_article_ids = list(dict.fromkeys(
            [*ids, *conversation.candidate_article_ids]))[:5]
        top = result.hits[0]
        if top.confidence >= CHOICE_FLOOR:
            conversation.topic_module_id = int(top.module_path.strip("/").split("/")[-1])


def _phrase(writer: AnswerWriter | None, question: str, article: CustomerArticle,
            locale: str) -> Phrasing:
    """The chat model's answer from the article, when generation is on; otherwise (and
    whenever it gives nothing usable) a fallback to the article's own text."""
    if writer is None:
        return Phrasing(Verdict.FALLBACK)
    if article.customer_answer:
        # The model reads the customer answer first, then the customer text.
        article = replace(article, body=f"{article.customer_answer}\n\n{article.body}")
    return writer.phrase(question=question, articles=[article], locale=locale)


def _answer(session: Session, conversation: Conversation, article: CustomerArticle,
            question: Message, phrasing: Phrasing | None, analyzer: Analyzer, *,
            offer_human: bool = False) -> Message:
    """The answer: the phrased text, or the article's customer answer, or the passage of
    its customer text that answers the question; ``data.more`` says the customer may ask
    for the rest of the article (查看完整内容). ``offer_human``: the text also says a
    person will take it further (``data.offer_human``)."""
    conversation.topic_article_id = article.article_id
    conversation.topic_module_id = article.module_id
    conversation.failed_in_row = 0
    phrased = phrasing.text if phrasing and phrasing.verdict == Verdict.PHRASED else None
    data: dict[str, object] = {
        "article_id": article.article_id, "code": article.code, "title": article.title,
        "version_no": article.version_no, "question_seq": question.seq}
    if phrased is not None:
        data["generated"] = True  # the transcript shows the answer was phrased by a model
        text = phrased
        data["more"] = bool(article.body)
    else:
        passage = answer_passage(article, question.text, analyzer)
        text = passage.text
        data["more"] = passage.partial
        data["customer_answer"] = passage.from_answer
    if offer_human:
        data["offer_human"] = True
        text = f"{text}\n\n{replies.say(conversation.locale, replies.PERSON_TOO)}"
    return add_message(
        session, conversation, role=Role.BOT, kind=Kind.ANSWER,
        text=replies.answer_text(conversation.locale, article.title, text),
        data=data, article_ids=[article.article_id],
    )


def _choices(session: Session, conversation: Conversation, offered: Sequence[CustomerArticle],
             question: Message) -> Message:
    shown = list(offered[:MAX_CHOICES])
    return add_message(
        session, conversation, role=Role.BOT, kind=Kind.CHOICES,
        text=replies.choices_text(conversation.locale, [a.title for a in shown]),
        data={"choices": [{"number": i, "article_id": a.article_id, "code": a.code,
                           "title": a.title} for i, a in enumerate(shown, start=1)],
              "question_seq": question.seq},
        article_ids=[a.article_id for a in shown],
    )


# What the assistant says to a message that is courtesy and nothing else.
_COURTESY_REPLIES = {Courtesy.GREETING: replies.COURTESY_GREETING,
                     Courtesy.THANKS: replies.COURTESY_THANKS,
                     Courtesy.ACKNOWLEDGEMENT: replies.COURTESY_ACKNOWLEDGED,
                     Courtesy.FAREWELL: replies.COURTESY_FAREWELL}


def _in_kind(session: Session, conversation: Conversation, courtesy: Courtesy) -> Message:
    """A greeting, thanks, "好的" or a goodbye answered in kind: not searched, not logged as
    a question and not a failed answer (two greetings in a row sent customers to a
    person)."""
    return add_message(session, conversation, role=Role.BOT, kind=Kind.COURTESY,
                       text=replies.say(conversation.locale, _COURTESY_REPLIES[courtesy]),
                       data={"courtesy": courtesy.value})


def _no_match(session: Session, conversation: Conversation, decision: Decision,
              rules: Sequence[HandoffRule]) -> list[Message]:
    conversation.failed_in_row += 1
    trigger = count_trigger(rules, conversation=conversation)
    if trigger is not None:
        return [hand_off(session, conversation, trigger=trigger, rules=rules)]
    return [add_message(session, conversation, role=Role.BOT, kind=Kind.NO_MATCH,
                        text=replies.say(conversation.locale, replies.NO_MATCH),
                        data={"offer_human": True})]


def _hand_off_on_message(session: Session, engine: SearchEngine, conversation: Conversation,
                         message: Message, trigger: Trigger, rules: Sequence[HandoffRule],
                         previous_bot: Message | None, on: date | None,
                         searched: _Searched | None = None) -> Message:
    """A rule fired on the message. What else it says is still searched (unless an answer
    first searched it already: ``searched``), so that the agent sees the topic and
    candidate articles, and the question reaches the gap list."""
    rest = message.text.replace(trigger.matched, " ") if trigger.matched else message.text
    if has_words(rest) and len(query_of(rest).replace(" ", "")) >= 4:
        query = query_of(message.text)
        result = searched.result if searched is not None and searched.query == query \
            else _search(session, engine, query, on)
        _remember_candidates(conversation, result)
        conversation.topic_query = conversation.topic_query or query
        message.search_log_id = _log_id(learning.log_question(session, query=query,
                                                              result=result))
        learning.reject_answer(session, question=message)
    elif trigger.reason == HandoffReason.EXPLICIT_REQUEST and previous_bot is not None \
            and previous_bot.kind == Kind.ANSWER and previous_bot.helpful is None:
        # "转人工" right after an answer: that answer did not do it.
        learning.reject_answer(session, question=_question_of(session, previous_bot))
    return hand_off(session, conversation, trigger=trigger, rules=rules)


# --- 是否解决 ---------------------------------------------------------------------------------


def give_feedback(session: Session, *, conversation: Conversation, seq: int, helpful: bool
                  ) -> list[Message]:
    """The customer's 是否解决 on an answer; "not helpful" may lead to a person."""
    lock_conversation(session, conversation)
    answer = session.scalar(select(Message).where(
        Message.conversation_id == conversation.id, Message.seq == seq))
    if answer is None or answer.kind != Kind.ANSWER:
        raise NotAnAnswer(seq=seq)
    if answer.helpful is not None:
        raise AlreadyRated()
    return _feedback_reply(session, conversation, answer, helpful,
                           enabled_rules(session))


def _feedback_reply(session: Session, conversation: Conversation, answer: Message,
                    helpful: bool, rules: Sequence[HandoffRule]) -> list[Message]:
    answer.helpful = helpful
    question = _question_of(session, answer)
    if helpful:
        learning.confirm_answer(session, question=question,
                                article_id=int(answer.data["article_id"]))
        conversation.failed_in_row = 0
    else:
        learning.reject_answer(session, question=question)
        conversation.negative_feedback += 1
        conversation.failed_in_row += 1
    session.flush()
    if conversation.status != Status.BOT:
        return []
    if not helpful and (trigger := count_trigger(rules, conversation=conversation)):
        return [hand_off(session, conversation, trigger=trigger, rules=rules)]
    template = replies.HELPFUL_THANKS if helpful else replies.NOT_HELPFUL
    return [add_message(session, conversation, role=Role.BOT, kind=Kind.FEEDBACK,
                        text=replies.say(conversation.locale, template),
                        data={"answer_seq": answer.seq, "helpful": helpful,
                              "offer_human": not helpful})]


def request_human(session: Session, *, conversation: Conversation) -> list[Message]:
    """The customer pressed 转人工 (again while waiting: told their place in line)."""
    lock_conversation(session, conversation)
    if conversation.status == Status.WAITING:
        return [still_waiting(session, conversation)]
    if conversation.status != Status.BOT:
        raise WrongConversationState(status=conversation.status)
    trigger = explicit_request_trigger(session)
    previous = last_bot_message(session, conversation)
    if previous is not None and previous.kind == Kind.ANSWER and previous.helpful is None:
        learning.reject_answer(session, question=_question_of(session, previous))
    return [hand_off(session, conversation, trigger=trigger, rules=enabled_rules(session))]
