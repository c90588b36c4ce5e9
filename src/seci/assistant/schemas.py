"""API shapes of the assistant: what customers and agents send and get back."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from seci.assistant.models import Kind, Message
from seci.assistant.text import MAX_MESSAGE
from seci.core.clock import UtcDateTime
from seci.knowledge.render import render_markdown


class ConversationStart(BaseModel):
    channel: str = Field(default="web", max_length=20, description="web, app, wechat, sms, api")
    locale: str = Field(default="zh_CN", max_length=10, description="zh_CN or en")
    customer_ref: str | None = Field(
        default=None, max_length=64,
        description="The channel's customer id. Only from a channel system's API token "
                    "(permission assistant.channel)")
    tier: str | None = Field(
        default=None, max_length=20,
        description="Customer tier, e.g. VIP or 全球通 (tier rules route these customers). "
                    "Only from a channel system's API token (permission assistant.channel)")


class MessageRead(BaseModel):
    seq: int = Field(description="1, 2, 3 … within the conversation; the SSE event id")
    role: str = Field(description="customer, bot, agent or system")
    kind: str = Field(description="text, greeting, answer, choices, no_match, courtesy, "
                                  "handoff, feedback, article, accepted, transferred, note, "
                                  "closed, callback")
    text: str = Field(description="As shown; answers and articles are Markdown")
    html: str | None = Field(default=None,
                             description="Sanitised HTML of answers and inserted articles")
    data: dict[str, Any] = Field(description="choices, article, queue, position …")
    article_ids: list[int]
    helpful: bool | None = Field(default=None, description="The customer's 是否解决 on answers")
    internal: bool = Field(default=False, description="Agents' notes, never sent to customers")
    created_at: UtcDateTime


def message_read(message: Message) -> MessageRead:
    """A message as the API, the pages and the event streams show it."""
    rich = message.kind in {Kind.ANSWER, Kind.ARTICLE}
    return MessageRead(
        seq=message.seq, role=message.role, kind=message.kind, text=message.text,
        html=render_markdown(message.text) if rich else None, data=message.data,
        article_ids=list(message.article_ids), helpful=message.helpful,
        internal=message.internal, created_at=message.created_at,
    )


def message_json(message: Message) -> dict[str, Any]:
    return message_read(message).model_dump(mode="json")


class OpeningWrite(BaseModel):
    weekday: int = Field(ge=0, le=6, description="0 Monday … 6 Sunday")
    opens: str = Field(pattern=r"^\d{2}:\d{2}$", description="HH:MM, local time")
    closes: str = Field(pattern=r"^\d{2}:\d{2}$", description="HH:MM; 24:00 = midnight")


class WaitingRead(BaseModel):
    queue: str
    queue_name: str
    position: int | None = Field(description="1 = next to be served")
    open: bool = Field(description="Within the queue's opening hours")
    opens_at: str | None = Field(description="When a closed queue opens again")
    agents_present: int
    callback_offered: bool = Field(description="Out of hours or nobody at their desk")
    hours: list[OpeningWrite] = Field(default_factory=list,
                                      description="The queue's opening hours (local time); "
                                                  "empty: around the clock")


class ConversationRead(BaseModel):
    id: int
    status: str = Field(description="bot, waiting, with_agent or closed")
    channel: str
    locale: str
    last_seq: int
    handoff_reason: str | None
    waiting: WaitingRead | None
    satisfaction: int | None
    created_at: UtcDateTime


class ConversationStarted(BaseModel):
    conversation: ConversationRead
    token: str = Field(description="Send as X-Conversation-Token (or ?token= on the event "
                                   "stream); shown only now")
    messages: list[MessageRead]


class CustomerMessage(BaseModel):
    text: str = Field(default="", max_length=20000,
                      description=f"What the customer typed (at most {MAX_MESSAGE} characters "
                                  "are accepted)")
    choice: int | None = Field(default=None, ge=1, le=3,
                               description="A clicked choice of the last 您是想问 list")
    client_key: str | None = Field(
        default=None, max_length=64,
        description="Idempotency key: a retried send with the same key is not stored twice")


class TurnRead(BaseModel):
    message: MessageRead
    replies: list[MessageRead]
    conversation: ConversationRead
    duplicate: bool = Field(description="True when this key was sent before")


class FeedbackWrite(BaseModel):
    seq: int = Field(description="The answer's seq")
    helpful: bool


class CallbackWrite(BaseModel):
    phone: str = Field(max_length=40, description="Mainland mobile number, 11 digits")
    note: str = Field(default="", max_length=200, description="e.g. when to call")


class CallbackRead(BaseModel):
    id: int
    conversation_id: int
    queue: str | None
    phone: str = Field(description="Masked (138****1234) except for the agent who claimed it")
    note: str
    status: str
    created_at: UtcDateTime


class RatingWrite(BaseModel):
    score: int = Field(ge=1, le=5, description="1 very dissatisfied … 5 very satisfied")


# --- agents -------------------------------------------------------------------------------


class ArticleRefRead(BaseModel):
    article_id: int
    code: str
    title: str
    audience: str


class InboxItemRead(BaseModel):
    conversation_id: int
    status: str
    queue: str | None
    wait_seconds: int
    position: int | None
    handoff_reason: str | None
    tier: str | None
    channel: str
    topic: str | None = Field(description="Module path of the detected topic")
    topic_article: str | None
    last_customer_text: str
    candidates: list[ArticleRefRead]


class InboxRead(BaseModel):
    waiting: list[InboxItemRead]
    mine: list[InboxItemRead]


class AgentConversationRead(BaseModel):
    conversation_id: int
    status: str
    queue: str | None
    agent_id: int | None
    tier: str | None
    customer_ref: str | None
    channel: str
    handoff_reason: str | None
    topic: str | None
    topic_query: str | None
    candidates: list[ArticleRefRead]
    waiting: WaitingRead | None
    transcript: list[MessageRead]
    resolved: bool | None
    category: str | None
    first_contact_resolved: bool | None
    satisfaction: int | None
    handed_over_with: int | None = Field(
        default=None, description="The seq of the question the customer was handed over "
        "with (the last one the assistant searched): what the first inserted article "
        "answers unless `answers` says otherwise")


class Teaches(BaseModel):
    """Which question of the customer's an inserted article answers: the assistant learns
    that wording (the search log's label; the gap report lists it)."""

    answers: int | None = Field(
        default=None, ge=1, le=2**31 - 1,
        description="The seq of the customer's message the article answers (422 "
        "`not_a_customer_question` for any other message). Left out: the question the "
        "customer was handed over with, if this is the first article sent")
    learn: bool = Field(default=True, description="false: the article answers nothing the "
                        "customer asked, the assistant learns nothing from it")


class AgentMessage(Teaches):
    text: str = Field(max_length=20000)
    client_key: str | None = Field(default=None, max_length=64)
    article_id: int | None = Field(
        default=None, description="The article the text was inserted from (插入答案, then "
        "edited): recorded on the message, which is shown as Markdown. 409 "
        "`internal_article` for an article a customer may not read; `answers` without it: "
        "422 `answers_without_article`")


class ArticleInsert(Teaches):
    article_id: int


class AnswerDraftRead(BaseModel):
    article_id: int
    code: str
    title: str
    version_no: int
    text: str = Field(description="Editable text for the reply box (Markdown): the article's "
                                  "customer answer, or else the passage of its customer text "
                                  "that answers the conversation; never agent-only parts")
    customer_answer: bool = Field(description="The text is the article's customer answer "
                                              "(答复口径)")
    replies_to: int | None = Field(
        default=None, description="The seq of the customer's message the article most "
        "likely answers (the one whose search ranks it highest): what to send as `answers` "
        "unless the agent picks another")


class FullArticleRead(BaseModel):
    article_id: int
    code: str
    title: str
    customer_answer: str = Field(description="答复口径, Markdown (may be empty)")
    text: str = Field(description="The article's customer text, Markdown: agent-only parts "
                                  "are never included")
    html: str = Field(description="``text`` as sanitised HTML")


class TransferWrite(BaseModel):
    queue: str = Field(max_length=40, description="Queue code, e.g. 话费专席")
    note: str = Field(default="", max_length=500, description="For the next agent only")


class CloseWrite(BaseModel):
    resolved: bool
    category: str = Field(max_length=40, description="e.g. 资费咨询, 故障, 投诉")
    first_contact_resolved: bool = Field(description="Resolved on this first contact")


class SuggestionRead(BaseModel):
    article_id: int
    code: str
    title: str
    snippet: str
    best_match: bool = Field(description="The first suggestion, when search is confident it "
                                         "is the right article (shown as 最佳匹配); the "
                                         "others are ordered best first")
    confidence: float = Field(description="Calibrated for the best match only; runners-up "
                                          "score lower by design: use the order, not this "
                                          "number, to compare suggestions")
    audience: str = Field(description="customer: may be inserted into the chat; internal: "
                                      "for the agent's eyes only")


# --- configuration --------------------------------------------------------------------------


class RuleWrite(BaseModel):
    kind: str = Field(description="keyword, tier, failed_answers, negative_feedback, module")
    pattern: str = Field(default="", max_length=1000,
                         description="keyword: words separated by | ('=word' = the whole "
                                     "message, '!word' = an exception: a longer word the "
                                     "others do not count inside, as in '妈的|!我妈的'); "
                                     "tier: the tier; module: a module path")
    threshold: int = Field(default=0, description="failed_answers / negative_feedback: count")
    target_queue: str | None = Field(default=None, max_length=40, description="Queue code")
    reason: str | None = Field(default=None, description="keyword rules: complaint, insult "
                                                         "or explicit_request")
    priority: int = 100
    enabled: bool = True
    note: str = Field(default="", max_length=200)
    answer_first: bool = Field(
        default=False, description="keyword rules only (another kind: 422 keyword_rules_only): "
                                   "when the knowledge base surely answers "
                                   "the message with a customer article, answer it and "
                                   "offer a person instead of handing off at once")


class RuleRead(RuleWrite):
    id: int
    updated_at: UtcDateTime


class QueueHoursRead(BaseModel):
    queue: str
    hours: list[OpeningWrite] = Field(description="Empty: open around the clock")
    open_now: bool
