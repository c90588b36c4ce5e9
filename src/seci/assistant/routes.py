"""REST API and event streams of the assistant under /api/v1/assistant.

Customers authenticate with their conversation's token (``X-Conversation-Token``), not a
staff login; agents and managers with the usual bearer token or web session.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import Queue, User
from seci.accounts.roles import Perm
from seci.accounts.service import resolve_api_token
from seci.assistant import agents, handoff, rules
from seci.assistant.bus import get_bus
from seci.assistant.conversations import (
    conversation_for_token,
    messages_after,
    start_conversation,
)
from seci.assistant.dialogue import (
    full_article,
    give_feedback,
    request_human,
    send_customer_message,
)
from seci.assistant.errors import UnknownQueue
from seci.assistant.handoff import WaitingInfo, waiting_info
from seci.assistant.models import CallbackRequest, Conversation, HandoffRule
from seci.assistant.queues import Opening, openings, queue_state, update_hours
from seci.assistant.replies import opens_text
from seci.assistant.schemas import (
    AgentConversationRead,
    AgentMessage,
    AnswerDraftRead,
    ArticleInsert,
    ArticleRefRead,
    CallbackRead,
    CallbackWrite,
    CloseWrite,
    ConversationRead,
    ConversationStart,
    ConversationStarted,
    CustomerMessage,
    FeedbackWrite,
    FullArticleRead,
    InboxItemRead,
    InboxRead,
    MessageRead,
    OpeningWrite,
    QueueHoursRead,
    RatingWrite,
    RuleRead,
    RuleWrite,
    SuggestionRead,
    Teaches,
    TransferWrite,
    TurnRead,
    WaitingRead,
    message_json,
    message_read,
)
from seci.assistant.stream import conversation_events, run_stream_read
from seci.assistant.text import mask_phone
from seci.core.errors import NotAuthenticated, PermissionDenied
from seci.core.http import WRITES, CurrentUser, SessionDep, require
from seci.knowledge.lookups import load_lookups
from seci.knowledge.render import plain_snippet, render_markdown

router = APIRouter(prefix="/api/v1/assistant", tags=["assistant"])

CUSTOMER_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Unknown conversation or wrong token (problem details)"},
    409: {"description": "Not possible in the conversation's state, e.g. closed"},
    422: {"description": "Invalid input: empty or too long message, bad phone number"},
}
AGENT_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not logged in (problem details)"},
    403: {"description": "Permission denied (problem details)"},
    404: {"description": "Not found or not in your queues (problem details)"},
    409: {"description": "Taken by another agent, wrong state, internal article"},
    422: {"description": "Invalid input (problem details)"},
}
# A stream ends after this long and the browser reconnects with Last-Event-ID.
STREAM_SECONDS = 30.0
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}




# --- presentation ----------------------------------------------------------------------------


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def opening_reads(db: Session, queue: Queue) -> list[OpeningWrite]:
    return [OpeningWrite(weekday=h.weekday, opens=_hhmm(h.opens_minute),
                         closes=_hhmm(h.closes_minute)) for h in openings(db, queue.id)]


def waiting_read(db: Session, info: WaitingInfo | None, locale: str) -> WaitingRead | None:
    if info is None:
        return None
    opens = opens_text(locale, *info.state.next_open) if info.state.next_open else None
    return WaitingRead(queue=info.queue.code, queue_name=info.queue.name,
                       position=info.position, open=info.state.open_now, opens_at=opens,
                       agents_present=info.state.agents_present,
                       callback_offered=info.state.callback_offered,
                       hours=opening_reads(db, info.queue))


def conversation_read(db: Session, conversation: Conversation) -> ConversationRead:
    return ConversationRead(
        id=conversation.id, status=conversation.status, channel=conversation.channel,
        locale=conversation.locale, last_seq=conversation.last_seq,
        handoff_reason=conversation.handoff_reason,
        waiting=waiting_read(db, waiting_info(db, conversation), conversation.locale),
        satisfaction=conversation.satisfaction, created_at=conversation.created_at,
    )


def callback_read(callback: CallbackRequest, queue_codes: dict[int, str],
                  reveal_to: User | None = None) -> CallbackRead:
    revealed = reveal_to is not None and callback.claimed_by_id == reveal_to.id
    return CallbackRead(
        id=callback.id, conversation_id=callback.conversation_id,
        queue=queue_codes.get(callback.queue_id or -1),
        phone=callback.phone if revealed else mask_phone(callback.phone),
        note=callback.note, status=callback.status, created_at=callback.created_at,
    )


def _queue_codes(db: Session) -> dict[int, str]:
    return {q.id: q.code for q in db.scalars(select(Queue))}


# --- customers ---------------------------------------------------------------------------------


def channel_user(request: Request, db: SessionDep) -> User | None:
    """A channel system (e.g. the app backend) may vouch for who the customer is with an
    API token; a browser widget comes without one."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    user = resolve_api_token(db, token=token.strip())
    if user is None:
        raise NotAuthenticated()
    return user


def customer_conversation(conversation_id: int, db: SessionDep,
                          x_conversation_token: Annotated[str | None, Header()] = None
                          ) -> Conversation:
    return conversation_for_token(db, conversation_id=conversation_id,
                                  token=x_conversation_token or "")


CustomerConversation = Annotated[Conversation, Depends(customer_conversation)]


@router.post("/conversations", response_model=ConversationStarted, status_code=201,
             responses=CUSTOMER_ERRORS, dependencies=WRITES)
def start(db: SessionDep, body: ConversationStart,
          channel: Annotated[User | None, Depends(channel_user)]) -> ConversationStarted:
    """Start a chat with the assistant; keep the returned token to continue it."""
    if (body.tier or body.customer_ref) and (channel is None
                                             or not channel.can(Perm.ASSISTANT_CHANNEL)):
        # A customer cannot make themself VIP: only a trusted channel system says so.
        raise PermissionDenied()
    started = start_conversation(db, channel=body.channel, locale=body.locale,
                                 customer_ref=body.customer_ref, tier=body.tier)
    return ConversationStarted(conversation=conversation_read(db, started.conversation),
                               token=started.token,
                               messages=[message_read(started.greeting)])


@router.get("/conversations/{conversation_id}", response_model=ConversationRead,
            responses=CUSTOMER_ERRORS)
def read_conversation(db: SessionDep, conversation: CustomerConversation) -> ConversationRead:
    """State, queue and place in line."""
    return conversation_read(db, conversation)


@router.get("/conversations/{conversation_id}/messages", response_model=list[MessageRead],
            responses=CUSTOMER_ERRORS)
def list_messages(db: SessionDep, conversation: CustomerConversation,
                  after: Annotated[int, Query(ge=0, description="Only messages after this "
                                                               "seq")] = 0
                  ) -> list[MessageRead]:
    """The conversation so far (without agents' internal notes)."""
    return [message_read(m) for m in messages_after(db, conversation_id=conversation.id,
                                                    after_seq=after)]


@router.post("/conversations/{conversation_id}/messages", response_model=TurnRead,
             status_code=201, responses=CUSTOMER_ERRORS, dependencies=WRITES)
def send_message(request: Request, response: Response, db: SessionDep,
                 conversation: CustomerConversation, body: CustomerMessage) -> TurnRead:
    """Send what the customer typed (or the number of a clicked choice). The message is
    stored before this answers; the assistant's replies come back at once while it
    handles the conversation, an agent's replies arrive on the event stream."""
    text = str(body.choice) if body.choice is not None and not body.text.strip() \
        else body.text
    turn = send_customer_message(db, engine=request.app.state.search_engine,
                                 conversation=conversation, text=text,
                                 client_key=body.client_key,
                                 writer=request.app.state.answer_writer,
                                 rewriter=request.app.state.query_rewriter)
    if turn.duplicate:
        response.status_code = 200
    return TurnRead(message=message_read(turn.message),
                    replies=[message_read(m) for m in turn.replies],
                    conversation=conversation_read(db, turn.conversation),
                    duplicate=turn.duplicate)


@router.get("/conversations/{conversation_id}/articles/{article_id}",
            response_model=FullArticleRead, responses=CUSTOMER_ERRORS | {
                404: {"description": "Not an article of this conversation, or no longer "
                                     "available (problem details)"}})
def read_full_article(db: SessionDep, conversation: CustomerConversation, article_id: int
                      ) -> FullArticleRead:
    """查看完整内容: the whole customer text of an article this conversation was answered
    with or offered (an answer's ``data.more`` says there is more than was sent).
    Agent-only parts are never included."""
    article = full_article(db, conversation=conversation, article_id=article_id)
    return FullArticleRead(article_id=article.article_id, code=article.code,
                           title=article.title, customer_answer=article.customer_answer,
                           text=article.body, html=render_markdown(article.body))


@router.post("/conversations/{conversation_id}/feedback", response_model=list[MessageRead],
             responses=CUSTOMER_ERRORS, dependencies=WRITES)
def feedback(db: SessionDep, conversation: CustomerConversation, body: FeedbackWrite
             ) -> list[MessageRead]:
    """是否解决: whether an answer helped. "Not helpful" may bring a person in."""
    return [message_read(m) for m in give_feedback(db, conversation=conversation,
                                                   seq=body.seq, helpful=body.helpful)]


@router.post("/conversations/{conversation_id}/handoff", response_model=list[MessageRead],
             responses=CUSTOMER_ERRORS, dependencies=WRITES)
def ask_for_person(db: SessionDep, conversation: CustomerConversation) -> list[MessageRead]:
    """The 转人工 button."""
    return [message_read(m) for m in request_human(db, conversation=conversation)]


@router.post("/conversations/{conversation_id}/callback", response_model=CallbackRead,
             status_code=201, responses=CUSTOMER_ERRORS, dependencies=WRITES)
def leave_callback(db: SessionDep, conversation: CustomerConversation, body: CallbackWrite
                   ) -> CallbackRead:
    """Leave a mobile number instead of waiting; the chat ends."""
    callback = handoff.request_callback(db, conversation=conversation, phone=body.phone,
                                        note=body.note)
    return callback_read(callback, _queue_codes(db))


@router.post("/conversations/{conversation_id}/end", response_model=MessageRead,
             responses=CUSTOMER_ERRORS, dependencies=WRITES)
def end(db: SessionDep, conversation: CustomerConversation) -> MessageRead:
    """The customer ends the chat; the reply asks for the 1–5 rating."""
    return message_read(handoff.end_chat(db, conversation=conversation))


@router.post("/conversations/{conversation_id}/rating", response_model=ConversationRead,
             responses=CUSTOMER_ERRORS, dependencies=WRITES)
def rate(db: SessionDep, conversation: CustomerConversation, body: RatingWrite
         ) -> ConversationRead:
    """Satisfaction 1–5 after the conversation closed (once)."""
    return conversation_read(db, handoff.rate(db, conversation=conversation,
                                              score=body.score))


def _after(last_event_id: str | None, after: int) -> int:
    try:
        return max(after, int(last_event_id)) if last_event_id else after
    except ValueError:
        return after


@router.get("/conversations/{conversation_id}/events", responses={
    200: {"content": {"text/event-stream": {}},
          "description": "Server-sent events: `id` is the message seq, `data` a message"},
    **CUSTOMER_ERRORS})
async def customer_events(
    request: Request, conversation_id: int,
    token: Annotated[str | None, Query(description="The conversation token (EventSource "
                                                   "cannot send headers)")] = None,
    x_conversation_token: Annotated[str | None, Header()] = None,
    last_event_id: Annotated[str | None, Header()] = None,
    after: Annotated[int, Query(ge=0, description="Start after this seq")] = 0,
    wait: Annotated[float, Query(ge=0, le=STREAM_SECONDS,
                                 description="Seconds to stay open for new messages")]
    = STREAM_SECONDS,
) -> StreamingResponse:
    """Messages after Last-Event-ID (or ``after``), then new ones as they come: a
    reconnect loses nothing. Ends with ``event: end`` when the conversation is closed."""
    factory = request.app.state.sessionmaker

    def authenticate() -> int:
        with factory() as session:
            return conversation_for_token(session, conversation_id=conversation_id,
                                          token=x_conversation_token or token or "").id

    # Checked on the streams' own few threads: every open chat reconnects every 30 s, and
    # a burst of reconnects must not crowd out the chat's requests.
    checked = await run_stream_read(authenticate)
    return _events_response(request, checked, _after(last_event_id, after), wait,
                            customer_view=True)


def _events_response(request: Request, conversation_id: int, after_seq: int, wait: float,
                     customer_view: bool) -> StreamingResponse:
    """The stream reads in short sessions of its own: it holds no connection while it
    waits."""
    events = conversation_events(
        request.app.state.sessionmaker, get_bus(), conversation_id=conversation_id,
        after_seq=after_seq, customer_view=customer_view, as_json=message_json,
        duration=wait)
    return StreamingResponse(events, media_type="text/event-stream", headers=STREAM_HEADERS)


# --- agents -------------------------------------------------------------------------------------

Handler = Annotated[User, Depends(require(Perm.ASSISTANT_HANDLE))]


def _refs(items: Sequence[agents.ArticleRef]) -> list[ArticleRefRead]:
    return [ArticleRefRead(article_id=r.article_id, code=r.code, title=r.title,
                           audience=r.audience) for r in items]


def _topic(db: Session, conversation: Conversation) -> str | None:
    if conversation.topic_module_id is None:
        return None
    return load_lookups(db).module_path(conversation.topic_module_id)


def inbox_item_read(item: agents.InboxItem) -> InboxItemRead:
    conversation = item.conversation
    return InboxItemRead(
        conversation_id=conversation.id, status=conversation.status,
        queue=item.queue.code if item.queue else None, wait_seconds=item.wait_seconds,
        position=item.position, handoff_reason=conversation.handoff_reason,
        tier=conversation.tier, channel=conversation.channel, topic=item.topic,
        topic_article=item.topic_article.title if item.topic_article else None,
        last_customer_text=item.last_customer_text[:200], candidates=_refs(item.candidates),
    )


@router.get("/inbox", response_model=InboxRead, responses=AGENT_ERRORS, dependencies=WRITES)
def inbox(db: SessionDep, agent: Handler,
          queue: Annotated[str | None, Query(description="One of your queues (code)")] = None
          ) -> InboxRead:
    """Hand-offs waiting in your queues (longest wait first) and the conversations you
    have. Polling it marks you present, so customers are told someone is there."""
    queue_id = None
    if queue is not None:
        queue_id = db.scalar(select(Queue.id).where(Queue.code == queue))
        if queue_id is None:
            raise UnknownQueue(queue=queue)
    waiting, mine = agents.inbox(db, agent=agent, queue_id=queue_id)
    return InboxRead(waiting=[inbox_item_read(i) for i in waiting],
                     mine=[inbox_item_read(i) for i in mine])


def _agent_view(db: Session, agent: User, conversation_id: int) -> AgentConversationRead:
    view = agents.view_for_agent(db, agent=agent, conversation_id=conversation_id)
    conversation = view.conversation
    queue = db.get(Queue, conversation.queue_id) if conversation.queue_id else None
    return AgentConversationRead(
        conversation_id=conversation.id, status=conversation.status,
        queue=queue.code if queue else None, agent_id=conversation.agent_id,
        tier=conversation.tier, customer_ref=conversation.customer_ref,
        channel=conversation.channel, handoff_reason=conversation.handoff_reason,
        topic=_topic(db, conversation), topic_query=conversation.topic_query,
        candidates=_refs(view.candidates),
        waiting=waiting_read(db, view.waiting, conversation.locale),
        transcript=[message_read(m) for m in view.transcript],
        resolved=conversation.resolved, category=conversation.category,
        first_contact_resolved=conversation.first_contact_resolved,
        satisfaction=conversation.satisfaction, handed_over_with=view.handed_over_with,
    )


@router.get("/agent/conversations/{conversation_id}", response_model=AgentConversationRead,
            responses=AGENT_ERRORS)
def agent_conversation(db: SessionDep, agent: Handler, conversation_id: int
                       ) -> AgentConversationRead:
    """The whole transcript, the assistant's candidate articles, reason, tier and topic."""
    return _agent_view(db, agent, conversation_id)


@router.post("/agent/conversations/{conversation_id}/accept",
             response_model=AgentConversationRead, responses=AGENT_ERRORS, dependencies=WRITES)
def accept(db: SessionDep, agent: Handler, conversation_id: int) -> AgentConversationRead:
    """Take a waiting conversation (409 when another agent was quicker)."""
    agents.accept(db, agent=agent, conversation_id=conversation_id)
    return _agent_view(db, agent, conversation_id)


@router.post("/agent/conversations/{conversation_id}/messages", response_model=MessageRead,
             status_code=201, responses=AGENT_ERRORS, dependencies=WRITES)
def agent_message(db: SessionDep, agent: Handler, conversation_id: int, body: AgentMessage
                  ) -> MessageRead:
    """Reply to the customer; with ``article_id`` the text came from 插入答案 (edited or
    not) and the message records that article."""
    return message_read(agents.send_agent_message(db, agent=agent,
                                                  conversation_id=conversation_id,
                                                  text=body.text, client_key=body.client_key,
                                                  article_id=body.article_id,
                                                  teaching=_teaching(body)))


def _teaching(body: Teaches) -> agents.Teaching:
    return agents.Teaching(answers=body.answers, learn=body.learn)


@router.get("/agent/conversations/{conversation_id}/articles/{article_id}/answer",
            response_model=AnswerDraftRead, responses=AGENT_ERRORS)
def answer_draft(request: Request, db: SessionDep, agent: Handler, conversation_id: int,
                 article_id: int) -> AnswerDraftRead:
    """插入答案: editable text for the reply box — the article's customer answer, or the
    passage of its customer text that answers the conversation (409 for internal-only
    articles). Nothing is sent: post the edited text to ``messages`` with ``article_id``."""
    draft = agents.answer_draft(db, engine=request.app.state.search_engine, agent=agent,
                                conversation_id=conversation_id, article_id=article_id)
    article = draft.article
    return AnswerDraftRead(article_id=article.article_id, code=article.code,
                           title=article.title, version_no=article.version_no,
                           text=draft.text, customer_answer=draft.from_answer,
                           replies_to=draft.replies_to)


@router.post("/agent/conversations/{conversation_id}/articles", response_model=MessageRead,
             status_code=201, responses=AGENT_ERRORS, dependencies=WRITES)
def insert_article(db: SessionDep, agent: Handler, conversation_id: int, body: ArticleInsert
                   ) -> MessageRead:
    """Send an article's customer answer, or else its customer text, at once (409 for
    internal-only articles). To let the agent edit it first, use ``…/articles/{id}/answer``
    and ``messages``."""
    return message_read(agents.insert_article(db, agent=agent, conversation_id=conversation_id,
                                              article_id=body.article_id,
                                              teaching=_teaching(body)))


@router.post("/agent/conversations/{conversation_id}/transfer",
             response_model=AgentConversationRead, responses=AGENT_ERRORS, dependencies=WRITES)
def transfer(db: SessionDep, agent: Handler, conversation_id: int, body: TransferWrite
             ) -> AgentConversationRead:
    """To another queue, with a note only agents see. The agent may no longer see it
    afterwards when the queue is not theirs: the answer is then the transfer's result."""
    agents.transfer(db, agent=agent, conversation_id=conversation_id, queue_code=body.queue,
                    note=body.note)
    conversation = db.get(Conversation, conversation_id)
    assert conversation is not None
    if conversation.queue_id in agent.queue_ids:
        return _agent_view(db, agent, conversation_id)
    return AgentConversationRead(
        conversation_id=conversation.id, status=conversation.status, queue=body.queue,
        agent_id=None, tier=conversation.tier, customer_ref=conversation.customer_ref,
        channel=conversation.channel, handoff_reason=conversation.handoff_reason,
        topic=_topic(db, conversation), topic_query=conversation.topic_query, candidates=[],
        waiting=None, transcript=[], resolved=None, category=None,
        first_contact_resolved=None, satisfaction=None)


@router.post("/agent/conversations/{conversation_id}/close",
             response_model=AgentConversationRead, responses=AGENT_ERRORS, dependencies=WRITES)
def close(db: SessionDep, agent: Handler, conversation_id: int, body: CloseWrite
          ) -> AgentConversationRead:
    """Close with the outcome; the customer is asked for a 1–5 rating."""
    agents.close_with_outcome(db, agent=agent, conversation_id=conversation_id,
                              resolved=body.resolved, category=body.category,
                              first_contact_resolved=body.first_contact_resolved)
    return _agent_view(db, agent, conversation_id)


@router.get("/agent/conversations/{conversation_id}/assist",
            response_model=list[SuggestionRead], responses=AGENT_ERRORS)
def assist(request: Request, db: SessionDep, agent: Handler, conversation_id: int
           ) -> list[SuggestionRead]:
    """Articles for the whole conversation, best first (yours to see, internal ones too):
    each of the customer's latest messages and all of them together are searched and the
    rankings fused. The first is marked ``best_match`` when search is confident."""
    suggestions = agents.assist(db, engine=request.app.state.search_engine, agent=agent,
                                conversation_id=conversation_id)
    audiences = {r.article_id: r.audience for r in agents.article_refs(
        db, [s.hit.article_id for s in suggestions])}
    return [SuggestionRead(article_id=h.article_id, code=h.code,
                           title="".join(s.text for s in h.title),
                           snippet=plain_snippet("".join(s.text for s in h.snippet), 160),
                           best_match=suggestion.best_match,
                           confidence=round(h.confidence, 4),
                           audience=audiences.get(h.article_id, "internal"))
            for suggestion in suggestions for h in [suggestion.hit]]


@router.get("/agent/conversations/{conversation_id}/events", responses={
    200: {"content": {"text/event-stream": {}},
          "description": "Server-sent events, internal notes included"},
    **AGENT_ERRORS})
def agent_events(
    request: Request, db: SessionDep, agent: Handler, conversation_id: int,
    last_event_id: Annotated[str | None, Header()] = None,
    after: Annotated[int, Query(ge=0)] = 0,
    wait: Annotated[float, Query(ge=0, le=STREAM_SECONDS)] = STREAM_SECONDS,
) -> StreamingResponse:
    """The agent's stream of the conversation (the customer's messages as they type)."""
    conversation = agents.conversation_for_agent(db, agent=agent,
                                                 conversation_id=conversation_id)
    # The request's session would otherwise keep its connection, in an open transaction,
    # until the stream ends (30 s).
    db.commit()
    return _events_response(request, conversation.id, _after(last_event_id, after), wait,
                            customer_view=False)


@router.get("/callbacks", response_model=list[CallbackRead], responses=AGENT_ERRORS)
def list_callbacks(db: SessionDep, agent: Handler,
                   status: Annotated[str, Query(pattern="^(open|claimed|done)$")] = "open"
                   ) -> list[CallbackRead]:
    """Call-back requests of your queues; numbers masked (138****1234)."""
    codes = _queue_codes(db)
    return [callback_read(c, codes) for c in agents.list_callbacks(db, agent=agent,
                                                                   status=status)]


@router.post("/callbacks/{callback_id}/claim", response_model=CallbackRead,
             responses=AGENT_ERRORS, dependencies=WRITES)
def claim_callback(db: SessionDep, agent: Handler, callback_id: int) -> CallbackRead:
    """Take a call-back: the whole number is shown to you (audited)."""
    callback = agents.claim_callback(db, agent=agent, callback_id=callback_id)
    return callback_read(callback, _queue_codes(db), reveal_to=agent)


@router.post("/callbacks/{callback_id}/done", response_model=CallbackRead,
             responses=AGENT_ERRORS, dependencies=WRITES)
def complete_callback(db: SessionDep, agent: Handler, callback_id: int) -> CallbackRead:
    callback = agents.complete_callback(db, agent=agent, callback_id=callback_id)
    return callback_read(callback, _queue_codes(db))


# --- configuration --------------------------------------------------------------------------

Configurer = Annotated[User, Depends(require(Perm.ASSISTANT_CONFIGURE))]


def _rule_read(rule: HandoffRule) -> RuleRead:
    return RuleRead(id=rule.id, kind=rule.kind, pattern=rule.pattern, threshold=rule.threshold,
                    target_queue=rule.target_queue, reason=rule.reason, priority=rule.priority,
                    enabled=rule.enabled, note=rule.note, answer_first=rule.answer_first,
                    updated_at=rule.updated_at)


def _rule_input(body: RuleWrite) -> rules.RuleInput:
    return rules.RuleInput(kind=body.kind, pattern=body.pattern, threshold=body.threshold,
                           target_queue=body.target_queue, priority=body.priority,
                           enabled=body.enabled, note=body.note, reason=body.reason,
                           answer_first=body.answer_first)


@router.get("/rules", response_model=list[RuleRead], responses=AGENT_ERRORS)
def list_rules(db: SessionDep, user: Configurer) -> list[RuleRead]:
    """Hand-off triggers and module routing, in the order they are tried."""
    return [_rule_read(r) for r in rules.list_rules(db)]


@router.post("/rules", response_model=RuleRead, status_code=201,
             responses=AGENT_ERRORS, dependencies=WRITES)
def create_rule(db: SessionDep, user: Configurer, body: RuleWrite) -> RuleRead:
    return _rule_read(rules.create_rule(db, actor=user, data=_rule_input(body)))


@router.put("/rules/{rule_id}", response_model=RuleRead,
            responses=AGENT_ERRORS, dependencies=WRITES)
def update_rule(db: SessionDep, user: Configurer, rule_id: int, body: RuleWrite) -> RuleRead:
    """Change or disable (``enabled: false``) a rule."""
    return _rule_read(rules.update_rule(db, actor=user, rule_id=rule_id,
                                        data=_rule_input(body)))


def _queue(db: Session, code: str) -> Queue:
    queue = db.scalar(select(Queue).where(Queue.code == code))
    if queue is None:
        raise UnknownQueue(queue=code)
    return queue


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _hours_read(db: Session, queue: Queue) -> QueueHoursRead:
    return QueueHoursRead(queue=queue.code, open_now=queue_state(db, queue).open_now,
                          hours=opening_reads(db, queue))


@router.get("/queues/{code}/hours", response_model=QueueHoursRead, responses=AGENT_ERRORS)
def read_hours(db: SessionDep, user: CurrentUser, code: str) -> QueueHoursRead:
    """When a queue takes hand-offs (local time)."""
    return _hours_read(db, _queue(db, code))


@router.put("/queues/{code}/hours", response_model=QueueHoursRead,
            responses=AGENT_ERRORS, dependencies=WRITES)
def write_hours(db: SessionDep, user: Configurer, code: str, body: list[OpeningWrite]
                ) -> QueueHoursRead:
    """Replace a queue's opening hours; an empty list means around the clock."""
    queue = _queue(db, code)
    update_hours(db, actor=user, queue=queue,
                 hours=[Opening(h.weekday, _minutes(h.opens), _minutes(h.closes)) for h in body])
    return _hours_read(db, queue)
