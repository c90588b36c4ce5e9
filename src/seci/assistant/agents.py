"""The agent's side: the hand-off inbox of their queues, taking a conversation, chatting,
inserting an article's answer, transferring, closing with an outcome, agent assist, and
the call-back list."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from seci.accounts.models import Queue, User
from seci.accounts.roles import Perm
from seci.assistant import learning, replies
from seci.assistant.conversations import (
    add_message,
    get_conversation,
    lock_conversation,
    message_by_client_key,
    messages_after,
    recent_customer_texts,
)
from seci.assistant.dialogue import (
    MAX_CHOICES,
    CustomerArticle,
    answer_passage,
    customer_article,
    plausible_choices,
)
from seci.assistant.errors import (
    AnswersWithoutArticle,
    CallbackNotFound,
    InternalArticle,
    NotACustomerQuestion,
    NotInYourQueues,
    NotYourConversation,
    UnknownQueue,
    WrongConversationState,
)
from seci.assistant.handoff import WaitingInfo, close, waiting_info
from seci.assistant.models import CallbackRequest, Conversation, Kind, Message, Role, Status
from seci.assistant.queues import mark_present
from seci.assistant.text import MAX_QUERY, clean_message, feedback_in_words, query_of
from seci.audit.service import record
from seci.core.clock import utcnow
from seci.core.errors import FieldErrors, PermissionDenied
from seci.knowledge.models import Article
from seci.knowledge.modules import module_names_by_id, path_label
from seci.retrieval.engine import SearchEngine
from seci.retrieval.service import SearchHit, search

MAX_CATEGORY = 40
MAX_NOTE = 500
# Agent assist reads this many of the customer's latest messages; each older one weighs
# 1 / (1 + discount × age) in the fusion of their rankings (k as in reciprocal-rank fusion).
ASSIST_MESSAGES = 6
ASSIST_AGE_DISCOUNT = 0.3
ASSIST_FUSION_K = 3
# All the customer wrote, read as one query (a question told over several messages).
ASSIST_TOGETHER_WEIGHT = 0.5


def _require_handler(agent: User) -> None:
    if not agent.can(Perm.ASSISTANT_HANDLE):
        raise PermissionDenied()


def _visible_to(agent: User, conversation: Conversation) -> bool:
    return conversation.agent_id == agent.id or (
        conversation.queue_id is not None and conversation.queue_id in agent.queue_ids)


def conversation_for_agent(session: Session, *, agent: User, conversation_id: int
                           ) -> Conversation:
    """A conversation of the agent's queues, or one they handle."""
    _require_handler(agent)
    conversation = get_conversation(session, conversation_id=conversation_id)
    if not _visible_to(agent, conversation):
        raise NotInYourQueues(conversation=conversation_id)
    return conversation


def _own(session: Session, agent: User, conversation_id: int) -> Conversation:
    """A conversation this agent is chatting in right now."""
    conversation = conversation_for_agent(session, agent=agent,
                                          conversation_id=conversation_id)
    lock_conversation(session, conversation)
    if conversation.status != Status.WITH_AGENT:
        raise WrongConversationState(status=conversation.status)
    if conversation.agent_id != agent.id:
        raise NotYourConversation()
    return conversation


# --- the inbox ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleRef:
    article_id: int
    code: str
    title: str
    audience: str


@dataclass(frozen=True)
class InboxItem:
    conversation: Conversation
    queue: Queue | None
    wait_seconds: int
    position: int | None
    last_customer_text: str
    candidates: list[ArticleRef]
    topic: str | None = None  # module path of the detected topic
    topic_article: ArticleRef | None = None


def article_refs(session: Session, article_ids: Sequence[int]) -> list[ArticleRef]:
    """Titles of articles (as published) in the given order."""
    known = _refs_by_id(session, article_ids)
    return [known[i] for i in article_ids if i in known]


def _refs_by_id(session: Session, article_ids: Iterable[int]) -> dict[int, ArticleRef]:
    wanted = sorted(set(article_ids))
    if not wanted:
        return {}
    refs = {}
    for article in session.scalars(select(Article).where(Article.id.in_(wanted))):
        live = article.live_version
        refs[article.id] = ArticleRef(article.id, article.code,
                                      live.title if live else article.title,
                                      live.audience if live else article.audience)
    return refs


def _last_customer_texts(session: Session, conversation_ids: Sequence[int]) -> dict[int, str]:
    """Each conversation's latest customer message, in one query."""
    if not conversation_ids:
        return {}
    latest = (select(Message.conversation_id, func.max(Message.seq).label("seq"))
              .where(Message.conversation_id.in_(conversation_ids),
                     Message.role == Role.CUSTOMER)
              .group_by(Message.conversation_id).subquery())
    rows = session.execute(
        select(Message.conversation_id, Message.text)
        .join(latest, (Message.conversation_id == latest.c.conversation_id)
              & (Message.seq == latest.c.seq)))
    return {conversation_id: text for conversation_id, text in rows}


def inbox(session: Session, *, agent: User, queue_id: int | None = None
          ) -> tuple[list[InboxItem], list[InboxItem]]:
    """(waiting in the agent's queues, longest wait first; conversations the agent has).
    Looking at the inbox marks the agent present, so customers hear someone is there.

    Agents poll it every few seconds while dozens wait, so it costs the same few queries
    however long the line is (no query per conversation)."""
    _require_handler(agent)
    mark_present(session, agent)
    queue_ids = set(agent.queue_ids)
    if queue_id is not None:
        queue_ids &= {queue_id}
    waiting = session.scalars(
        select(Conversation).where(Conversation.status == Status.WAITING,
                                   Conversation.queue_id.in_(sorted(queue_ids) or [-1]))
        .order_by(Conversation.handed_off_at, Conversation.id).limit(200)
    ).all()
    mine = session.scalars(
        select(Conversation).where(Conversation.status == Status.WITH_AGENT,
                                   Conversation.agent_id == agent.id)
        .order_by(Conversation.accepted_at)
    ).all()
    everyone = [*waiting, *mine]
    queues = {q.id: q for q in session.scalars(select(Queue))}
    texts = _last_customer_texts(session, [c.id for c in everyone])
    refs = _refs_by_id(session, [i for c in everyone for i in
                                 (*c.candidate_article_ids, c.topic_article_id) if i])
    modules = module_names_by_id(session) if any(c.topic_module_id for c in everyone) else {}
    now = utcnow()
    lines: dict[int, int] = {}

    def item(conversation: Conversation, in_line: bool) -> InboxItem:
        position = None
        if in_line and conversation.queue_id is not None:
            lines[conversation.queue_id] = lines.get(conversation.queue_id, 0) + 1
            position = lines[conversation.queue_id]
        since = conversation.handed_off_at or conversation.created_at
        topic_module = conversation.topic_module_id
        return InboxItem(
            conversation, queues.get(conversation.queue_id or -1),
            int((now - since).total_seconds()), position, texts.get(conversation.id, ""),
            [refs[i] for i in conversation.candidate_article_ids if i in refs],
            topic=path_label(modules, topic_module) if topic_module else None,
            topic_article=refs.get(conversation.topic_article_id or -1))

    return [item(c, True) for c in waiting], [item(c, False) for c in mine]


@dataclass(frozen=True)
class ConversationView:
    conversation: Conversation
    transcript: Sequence[Message]
    candidates: list[ArticleRef]
    waiting: WaitingInfo | None
    handed_over_with: int | None = None  # seq of the question the customer came with


def view_for_agent(session: Session, *, agent: User, conversation_id: int
                   ) -> ConversationView:
    """Everything the agent needs, so the customer never repeats themself: the whole
    transcript (with internal notes), the assistant's candidates, the place in line."""
    conversation = conversation_for_agent(session, agent=agent,
                                          conversation_id=conversation_id)
    question = learning.handed_over_with(session, conversation)
    return ConversationView(
        conversation,
        messages_after(session, conversation_id=conversation.id, customer_view=False,
                       limit=2000),
        article_refs(session, conversation.candidate_article_ids),
        waiting_info(session, conversation),
        question.seq if question is not None else None,
    )


# --- working a conversation --------------------------------------------------------------


def accept(session: Session, *, agent: User, conversation_id: int) -> Conversation:
    """Take a waiting conversation; of two agents accepting at once, one wins (409 for the
    other)."""
    conversation = conversation_for_agent(session, agent=agent,
                                          conversation_id=conversation_id)
    now = utcnow()
    taken: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(Conversation)
        .where(Conversation.id == conversation.id, Conversation.status == Status.WAITING,
               Conversation.queue_id.in_(sorted(agent.queue_ids) or [-1]))
        .values(status=Status.WITH_AGENT, agent_id=agent.id, accepted_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.refresh(conversation)
    if not taken.rowcount:
        if conversation.status == Status.WITH_AGENT and conversation.agent_id != agent.id:
            raise NotYourConversation()
        raise WrongConversationState(status=conversation.status)
    mark_present(session, agent)
    add_message(session, conversation, role=Role.SYSTEM, kind=Kind.ACCEPTED,
                text=replies.say(conversation.locale, replies.ACCEPTED,
                                 agent=agent.display_name),
                data={"agent": agent.display_name}, author_id=agent.id)
    return conversation


@dataclass(frozen=True)
class Teaching:
    """What an article an agent sends teaches the assistant (``learning.answered_by_agent``).
    ``answers``: the seq of the customer's message it answers (the workspace's choice);
    None: the question the customer was handed over with, if this is the first article.
    ``learn``: False when it answers nothing the customer asked (information sent
    unasked)."""

    answers: int | None = None
    learn: bool = True


DEFAULT_TEACHING = Teaching()


def send_agent_message(session: Session, *, agent: User, conversation_id: int, text: str,
                       client_key: str | None = None, article_id: int | None = None,
                       teaching: Teaching = DEFAULT_TEACHING, on: date | None = None
                       ) -> Message:
    """The agent's reply. With ``article_id`` (text inserted from an article with 插入答案,
    then edited) the message records the article and is shown as Markdown; the article
    must be one a customer may read, and it labels the question it answers
    (``teaching``)."""
    conversation = _own(session, agent, conversation_id)
    key = (client_key or "").strip()[:64] or None
    if key is not None and (stored := message_by_client_key(session, conversation, key)):
        return stored
    if article_id is None:
        if teaching.answers is not None:
            raise AnswersWithoutArticle()
        return add_message(session, conversation, role=Role.AGENT, kind=Kind.TEXT,
                           text=clean_message(text), client_key=key, author_id=agent.id)
    article = customer_article(session, article_id=article_id, on=on)
    if article is None:
        raise InternalArticle(article=article_id)
    question = _question_answered(session, conversation, teaching)
    sent = add_message(session, conversation, role=Role.AGENT, kind=Kind.ARTICLE,
                       text=clean_message(text), client_key=key, author_id=agent.id,
                       data=_article_data(article), article_ids=[article.article_id])
    if teaching.learn:
        learning.answered_by_agent(session, conversation=conversation, sent=sent,
                                   question=question)
    return sent


def _question_answered(session: Session, conversation: Conversation, teaching: Teaching
                       ) -> Message | None:
    """The customer's message ``teaching`` names (checked before anything is sent)."""
    if teaching.answers is None or not teaching.learn:
        return None
    question = session.scalar(select(Message).where(
        Message.conversation_id == conversation.id, Message.seq == teaching.answers,
        Message.role == Role.CUSTOMER))
    if question is None:
        raise NotACustomerQuestion(seq=teaching.answers)
    return question


def _article_data(article: CustomerArticle) -> dict[str, object]:
    return {"article_id": article.article_id, "code": article.code, "title": article.title,
            "version_no": article.version_no}


@dataclass(frozen=True)
class AnswerDraft:
    """Text an agent may edit before sending (插入答案)."""

    article: CustomerArticle
    text: str
    from_answer: bool  # the article's customer answer (答复口径)
    replies_to: int | None = None  # seq of the customer's question it answers best


def answer_draft(session: Session, *, engine: SearchEngine, agent: User,
                 conversation_id: int, article_id: int, on: date | None = None
                 ) -> AnswerDraft:
    """What 插入答案 puts into the reply box: the article's customer answer, or else the
    passage of its customer text that answers what the customer asked in this
    conversation. Never agent-only parts; internal articles answer 409."""
    conversation = conversation_for_agent(session, agent=agent,
                                          conversation_id=conversation_id)
    article = customer_article(session, article_id=article_id, on=on)
    if article is None:
        raise InternalArticle(article=article_id)
    question = " ".join(recent_customer_texts(session, conversation.id,
                                              count=ASSIST_MESSAGES))
    passage = answer_passage(article, question, engine.analyzer)
    return AnswerDraft(article, passage.text, passage.from_answer,
                       _replies_to(session, engine, agent, conversation, article_id))


# How far down a customer message's search the article may be to count as its answer.
REPLIES_TO_DEPTH = 5


def _replies_to(session: Session, engine: SearchEngine, agent: User,
                conversation: Conversation, article_id: int) -> int | None:
    """The customer's message an inserted article most likely answers, for "what it
    replies to" (``Teaching``): of their latest messages that ask something, the one
    whose search puts the article highest (the latest of equals); None when no search of
    theirs finds it among the first ``REPLIES_TO_DEPTH``. The article an agent inserts
    often answers what was asked after the hand-off, not the question the customer came
    with."""
    messages = session.scalars(
        select(Message).where(Message.conversation_id == conversation.id,
                              Message.role == Role.CUSTOMER, Message.kind == Kind.TEXT)
        .order_by(Message.seq.desc()).limit(ASSIST_MESSAGES)).all()
    best: tuple[int, int] | None = None  # (place, seq)
    for message in messages:  # newest first: an equal place keeps the newer message
        query = _assist_query(message.text)
        if query is None:
            continue
        found = [hit.article_id for hit in search(session, engine=engine, user=agent,
                                                  query=query, limit=REPLIES_TO_DEPTH).hits]
        if article_id in found and (best is None or found.index(article_id) < best[0]):
            best = (found.index(article_id), message.seq)
    return best[1] if best is not None else None


def insert_article(session: Session, *, agent: User, conversation_id: int, article_id: int,
                   teaching: Teaching = DEFAULT_TEACHING, on: date | None = None) -> Message:
    """Send an article's customer answer, or else its customer text, at once (the API's
    one-step insert; the workspace puts an editable draft into the reply box instead).
    Internal-only articles stay with the agent."""
    conversation = _own(session, agent, conversation_id)
    article = customer_article(session, article_id=article_id, on=on)
    if article is None:
        raise InternalArticle(article=article_id)
    question = _question_answered(session, conversation, teaching)
    sent = add_message(session, conversation, role=Role.AGENT, kind=Kind.ARTICLE,
                       text=f"**{article.title}**\n\n{article.customer_answer or article.body}",
                       data=_article_data(article),
                       article_ids=[article.article_id], author_id=agent.id)
    if teaching.learn:
        learning.answered_by_agent(session, conversation=conversation, sent=sent,
                                   question=question)
    return sent


def transfer(session: Session, *, agent: User, conversation_id: int, queue_code: str,
             note: str = "") -> Conversation:
    """Pass the conversation to another queue with a note for the next agent. It keeps its
    original hand-off time, so the customer does not go to the back of the line."""
    conversation = conversation_for_agent(session, agent=agent,
                                          conversation_id=conversation_id)
    lock_conversation(session, conversation)
    if conversation.status == Status.WITH_AGENT and conversation.agent_id != agent.id:
        raise NotYourConversation()
    if conversation.status not in {Status.WITH_AGENT, Status.WAITING}:
        raise WrongConversationState(status=conversation.status)
    target = session.scalar(select(Queue).where(Queue.code == queue_code,
                                                Queue.archived.is_(False)))
    if target is None:
        raise UnknownQueue(queue=queue_code)
    if len(note) > MAX_NOTE:
        raise FieldErrors([{"field": "note", "code": "too_long", "max": MAX_NOTE}])
    source = session.get(Queue, conversation.queue_id) if conversation.queue_id else None
    conversation.status = Status.WAITING
    conversation.queue_id = target.id
    conversation.agent_id = None
    conversation.accepted_at = None
    conversation.handed_off_at = conversation.handed_off_at or utcnow()
    add_message(session, conversation, role=Role.SYSTEM, kind=Kind.TRANSFERRED,
                text=replies.say(conversation.locale, replies.TRANSFERRED, queue=target.name),
                data={"queue": target.code, "from": source.code if source else None},
                author_id=agent.id)
    if note.strip():
        add_message(session, conversation, role=Role.SYSTEM, kind=Kind.NOTE,
                    text=note.strip(), internal=True, author_id=agent.id,
                    data={"from": source.code if source else None, "to": target.code,
                          "agent": agent.display_name})
    return conversation


def close_with_outcome(session: Session, *, agent: User, conversation_id: int, resolved: bool,
                       category: str, first_contact_resolved: bool) -> Conversation:
    """Close with the outcome (for first-contact resolution and hand-off analytics); the
    customer is asked for a 1–5 rating."""
    conversation = _own(session, agent, conversation_id)
    category = " ".join(category.split())
    if not category or len(category) > MAX_CATEGORY:
        raise FieldErrors([{"field": "category", "code": "required" if not category
                            else "too_long", "max": MAX_CATEGORY}])
    conversation.resolved = resolved
    conversation.category = category
    conversation.first_contact_resolved = first_contact_resolved and resolved
    close(session, conversation, closed_by_id=agent.id)
    return conversation


@dataclass(frozen=True)
class Suggestion:
    hit: SearchHit
    best_match: bool  # the first, and search is confident it is the right article


# Words that ask for a person (the shipped rule's, migrations 0007 and 0024): no topic.
_REQUEST_WORDS = re.compile(r"转人工|人工客服|人工服务|找客服|真人客服|真人|找人工|联系人工|叫人工"
                            r"|换人工|人工台|活人")


def _assist_query(text: str) -> str | None:
    """A customer message as a query for agent assist, or None when it asks nothing
    (转人工, 谢谢, 没用, a choice's number)."""
    if feedback_in_words(text) is not None:
        return None
    query = query_of(_REQUEST_WORDS.sub(" ", text))
    return query if len(re.sub(r"[\W_]", "", query)) >= 2 else None


def assist(session: Session, *, engine: SearchEngine, agent: User, conversation_id: int,
           limit: int = 5) -> list[Suggestion]:
    """Articles for the whole conversation (agent assist), searched as the agent, so
    internal articles of their queues are included.

    Each of the customer's latest messages is searched, and so is all they wrote together;
    the rankings are fused (reciprocal rank, older messages weighing a little less). A
    message whose search finds nothing plausible ("在吗", "快点") adds nothing. The question
    the customer came with still counts after "转人工", "谢谢" or a story detail, and a new
    question soon leads."""
    conversation = conversation_for_agent(session, agent=agent,
                                          conversation_id=conversation_id)
    texts = [q for t in recent_customer_texts(session, conversation.id,
                                              count=ASSIST_MESSAGES)
             if (q := _assist_query(t)) is not None]
    if not texts:
        return []
    queries = [(text, 1.0 / (1.0 + ASSIST_AGE_DISCOUNT * age), True)
               for age, text in enumerate(reversed(texts))]
    if len(texts) > 1:
        together = " ".join(texts)
        queries.append((together[-MAX_QUERY:].strip(), ASSIST_TOGETHER_WEIGHT, False))
    fused: dict[int, float] = {}
    hits: dict[int, SearchHit] = {}
    first_place: dict[int, float] = {}  # confidence where the article ranked first
    for query, weight, alone in queries:
        result = search(session, engine=engine, user=agent, query=query, limit=limit * 2)
        found = result.hits
        # A line alone counts only when it finds something plausible.
        if alone and (not found or (found[0].confidence < result.thresholds.answer
                                    and plausible_choices(found[0], found[1:MAX_CHOICES],
                                                          result.thresholds) is None)):
            continue
        answer_line = result.thresholds.answer
        for rank, hit in enumerate(found):
            fused[hit.article_id] = fused.get(hit.article_id, 0.0) + \
                weight / (ASSIST_FUSION_K + rank)
            hits.setdefault(hit.article_id, hit)
            if rank == 0 and hit.confidence >= answer_line:
                first_place[hit.article_id] = hit.confidence
    ordered = sorted(fused, key=lambda article_id: -fused[article_id])[:limit]
    return [Suggestion(hits[article_id], best_match=position == 0
                       and article_id in first_place)
            for position, article_id in enumerate(ordered)]


# --- call-backs ---------------------------------------------------------------------------------


def list_callbacks(session: Session, *, agent: User, status: str = "open"
                   ) -> Sequence[CallbackRequest]:
    """Call-back requests of the agent's queues (phones are masked by whoever shows them)."""
    _require_handler(agent)
    mark_present(session, agent)
    return session.scalars(
        select(CallbackRequest).where(CallbackRequest.queue_id.in_(sorted(agent.queue_ids) or [-1]),
                                      CallbackRequest.status == status)
        .order_by(CallbackRequest.created_at).limit(200)
    ).all()


def claim_callback(session: Session, *, agent: User, callback_id: int) -> CallbackRequest:
    """Take a call-back: the agent now sees the whole number (the claim is audited)."""
    _require_handler(agent)
    callback = session.get(CallbackRequest, callback_id)
    if callback is None or callback.queue_id not in agent.queue_ids:
        raise CallbackNotFound(callback=callback_id)
    if callback.status != "open" and callback.claimed_by_id != agent.id:
        raise NotYourConversation()
    callback.status = "claimed"
    callback.claimed_by_id = agent.id
    callback.claimed_at = callback.claimed_at or utcnow()
    record(session, actor=agent, action="assistant_callback_claimed",
           entity_type="callback", entity_id=callback.id,
           summary=f"conversation {callback.conversation_id}")
    session.flush()
    return callback


def complete_callback(session: Session, *, agent: User, callback_id: int) -> CallbackRequest:
    callback = claim_callback(session, agent=agent, callback_id=callback_id)
    callback.status = "done"
    session.flush()
    return callback
