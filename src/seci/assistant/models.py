"""Conversations of the smart assistant (智能客服), their messages, hand-off rules,
call-back requests, queue opening hours and which agents are at their desk."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from seci.core.clock import utcnow
from seci.core.db import Base


class Status(StrEnum):
    BOT = "bot"  # the assistant answers
    WAITING = "waiting"  # handed off, in a queue's inbox
    WITH_AGENT = "with_agent"  # an agent accepted it
    CLOSED = "closed"


class Role(StrEnum):
    CUSTOMER = "customer"
    BOT = "bot"
    AGENT = "agent"
    SYSTEM = "system"  # hand-off, accept, transfer, close notices; agents' notes


class Kind(StrEnum):
    """What a message is, so that clients and the dialogue can act on it without parsing
    its text."""

    TEXT = "text"  # a customer's or an agent's own words
    GREETING = "greeting"
    ANSWER = "answer"  # an article's customer text (data: article, title)
    CHOICES = "choices"  # "您是想问: 1… 2… 3…" (data: choices)
    NO_MATCH = "no_match"  # nothing confident; a human is offered
    COURTESY = "courtesy"  # a greeting, thanks or "好的" answered in kind (data: courtesy)
    HANDOFF = "handoff"  # data: queue, reason, position, open, callback_offered
    FEEDBACK = "feedback"  # thanks for 是否解决
    ARTICLE = "article"  # an agent inserted an article's answer
    ACCEPTED = "accepted"
    TRANSFERRED = "transferred"
    NOTE = "note"  # internal: agents only (a transfer note)
    CLOSED = "closed"  # and the 1–5 satisfaction question
    CALLBACK = "callback"  # a call-back was requested


class HandoffReason(StrEnum):
    EXPLICIT_REQUEST = "explicit_request"  # 转人工
    COMPLAINT = "complaint"  # 投诉, 工信部, 12300
    INSULT = "insult"
    TIER = "tier"  # VIP, 全球通
    FAILED_ANSWERS = "failed_answers"  # two no-match replies in a row
    NEGATIVE_FEEDBACK = "negative_feedback"  # "not helpful" more than once
    AGENT_KNOWLEDGE = "agent_knowledge"  # only agent-only knowledge answers it


class RuleKind(StrEnum):
    KEYWORD = "keyword"  # words separated by |; "=word": the whole message; "!word": exception
    TIER = "tier"  # pattern: the tier, e.g. VIP
    FAILED_ANSWERS = "failed_answers"  # threshold: failed replies in a row
    NEGATIVE_FEEDBACK = "negative_feedback"  # threshold: "not helpful" in a conversation
    MODULE = "module"  # routing only: pattern is a module path prefix ("" = any module)


class Conversation(Base):
    """One customer's chat from greeting to satisfaction rating."""

    __tablename__ = "assistant_conversations"
    __table_args__ = (Index("ix_assistant_conversations_queue_status", "queue_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The customer holds the token; only its SHA-256 digest is stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(20), default="web")  # web|app|wechat|api
    customer_ref: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    tier: Mapped[str | None] = mapped_column(String(20), default=None)  # VIP, 全球通 …
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    status: Mapped[str] = mapped_column(String(16), default=Status.BOT, index=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)  # seq of the latest message

    # What the conversation is about: follow-ups are read against it.
    topic_article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"),
                                                         default=None)
    topic_query: Mapped[str | None] = mapped_column(String(500), default=None)
    topic_module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id"), default=None)
    # The assistant's best candidates, shown to the agent who takes over.
    candidate_article_ids: Mapped[list[int]] = mapped_column(default=list)
    failed_in_row: Mapped[int] = mapped_column(Integer, default=0)
    negative_feedback: Mapped[int] = mapped_column(Integer, default=0)

    # Hand-off
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id"), default=None)
    handoff_reason: Mapped[str | None] = mapped_column(String(24), default=None)
    handoff_rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("assistant_handoff_rules.id", ondelete="SET NULL"), default=None)
    handed_off_at: Mapped[datetime | None] = mapped_column(default=None)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None,
                                                 index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(default=None)

    # Outcome, for first-contact resolution, satisfaction and hand-off rate later on.
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    resolved: Mapped[bool | None] = mapped_column(Boolean, default=None)
    category: Mapped[str | None] = mapped_column(String(40), default=None)
    first_contact_resolved: Mapped[bool | None] = mapped_column(Boolean, default=None)
    satisfaction: Mapped[int | None] = mapped_column(Integer, default=None)  # 1–5
    rated_at: Mapped[datetime | None] = mapped_column(default=None)

    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Message(Base):
    """One message, numbered 1, 2, 3 … within its conversation (the SSE event id)."""

    __tablename__ = "assistant_messages"
    __table_args__ = (
        # Also the index that reads a conversation in order, and "messages after seq N".
        UniqueConstraint("conversation_id", "seq", name="uq_assistant_messages_seq"),
        # A client retrying a send with the same key gets the stored message back.
        UniqueConstraint("conversation_id", "client_key",
                         name="uq_assistant_messages_client_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("assistant_conversations.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(16), default=Kind.TEXT)
    text: Mapped[str] = mapped_column(Text)
    # Structured content: article references, choices, queue and position of a hand-off.
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    article_ids: Mapped[list[int]] = mapped_column(default=list)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)  # never sent to customers
    client_key: Mapped[str | None] = mapped_column(String(64), default=None)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    # The search-log entry of a customer question (learning loop: helpful / not helpful).
    search_log_id: Mapped[int | None] = mapped_column(
        ForeignKey("search_log.id", ondelete="SET NULL"), default=None)
    helpful: Mapped[bool | None] = mapped_column(Boolean, default=None)  # 是否解决 on answers
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HandoffRule(Base):
    """A configurable trigger (keyword, tier, failed answers, negative feedback) or a
    routing row (module → queue). Queues are named by code: the default rules ship with
    the migration, before any queue row exists."""

    __tablename__ = "assistant_handoff_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(String(24))  # HandoffReason it records; "routing"
    pattern: Mapped[str] = mapped_column(String(1000), default="")
    threshold: Mapped[int] = mapped_column(Integer, default=0)
    target_queue: Mapped[str | None] = mapped_column(String(40), default=None)
    priority: Mapped[int] = mapped_column(Integer, default=100)  # lower fires first
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Keyword rules: when the knowledge base surely answers the message with a customer
    # article ("投诉渠道 多久答复" asks about complaints, it makes none), answer it and offer a
    # person instead of handing off at once.
    answer_first: Mapped[bool] = mapped_column(Boolean, default=False,
                                               server_default=false())
    note: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CallbackRequest(Base):
    """A customer asked to be called back (no agent free, or out of hours)."""

    __tablename__ = "assistant_callbacks"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("assistant_conversations.id", ondelete="CASCADE"), index=True)
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id"), default=None,
                                                 index=True)
    phone: Mapped[str] = mapped_column(String(20))  # shown masked in lists: 138****1234
    note: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(12), default="open")  # open|claimed|done
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QueueHours(Base):
    """When a queue takes hand-offs: minutes after local midnight, per weekday (0 Monday).
    A queue without rows is open around the clock (like 10086 itself)."""

    __tablename__ = "assistant_queue_hours"
    __table_args__ = (Index("ix_assistant_queue_hours_queue_day", "queue_id", "weekday"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(Integer)
    opens_minute: Mapped[int] = mapped_column(Integer)
    closes_minute: Mapped[int] = mapped_column(Integer)  # exclusive; 1440 = midnight


class AgentPresence(Base):
    """When an agent last worked their inbox: "is anyone there to take a hand-off?"."""

    __tablename__ = "assistant_agent_presence"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
