"""Conversations and their messages: start, find by token, append in order, read."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, SessionTransaction

from seci.assistant import replies
from seci.assistant.bus import announce
from seci.assistant.errors import BadConversationToken, ConversationNotFound
from seci.assistant.models import Conversation, Kind, Message, Role, Status
from seci.core.clock import utcnow
from seci.core.i18n import LOCALES
from seci.core.security import token_digest

CHANNELS = ("web", "app", "wechat", "sms", "api")
MAX_REF = 64
MAX_TIER = 20


@dataclass(frozen=True)
class StartedConversation:
    conversation: Conversation
    token: str  # shown once to the customer; only its digest is stored
    greeting: Message


def start_conversation(session: Session, *, channel: str = "web", locale: str = "zh_CN",
                       customer_ref: str | None = None, tier: str | None = None
                       ) -> StartedConversation:
    """A new conversation with the assistant's greeting. ``tier`` and ``customer_ref`` come
    from a trusted channel (the routes decide whom to believe)."""
    token = secrets.token_urlsafe(32)
    conversation = Conversation(
        token_hash=token_digest(token),
        channel=channel if channel in CHANNELS else "api",
        locale=locale if locale in LOCALES else "zh_CN",
        customer_ref=(customer_ref or "").strip()[:MAX_REF] or None,
        tier=(tier or "").strip()[:MAX_TIER] or None,
        status=Status.BOT, last_seq=0, candidate_article_ids=[],
        failed_in_row=0, negative_feedback=0,
    )
    session.add(conversation)
    session.flush()
    _locked(session).add(conversation.id)  # uncommitted: no other writer can see it yet
    greeting = add_message(session, conversation, role=Role.BOT, kind=Kind.GREETING,
                           text=replies.say(conversation.locale, replies.GREETING))
    return StartedConversation(conversation, token, greeting)


def conversation_for_token(session: Session, *, conversation_id: int, token: str
                           ) -> Conversation:
    """The customer's own conversation: the token must be the one issued for it."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or not token or not token.isascii() or not secrets.compare_digest(
            conversation.token_hash, token_digest(token)):
        raise BadConversationToken()
    return conversation


def get_conversation(session: Session, *, conversation_id: int,
                     for_update: bool = False) -> Conversation:
    query = select(Conversation).where(Conversation.id == conversation_id)
    if for_update:
        query = query.with_for_update()
    conversation = session.scalar(query)
    if conversation is None:
        raise ConversationNotFound(conversation=conversation_id)
    return conversation


def lock_conversation(session: Session, conversation: Conversation) -> Conversation:
    """Serialise writers of one conversation (row lock on PostgreSQL; SQLite has one writer
    at a time anyway) and read its current state."""
    # One round trip: the row is locked and the loaded object refreshed from it. The
    # refresh happens only as the row is fetched: an unread result would leave the object
    # (and its message counter) as another writer left it before the lock.
    locked = session.execute(select(Conversation).where(Conversation.id == conversation.id)
                             .with_for_update().execution_options(populate_existing=True)
                             ).scalar_one()
    assert locked is conversation  # the session's one copy of the row, now current
    _locked(session).add(conversation.id)
    return conversation


def _locked(session: Session) -> set[int]:
    """Conversations whose row this session's transaction has locked."""
    locked: set[int] = session.info.setdefault(_LOCKED, set())
    return locked


_LOCKED = "seci_assistant_locked"


@event.listens_for(Session, "after_transaction_end")
def _locks_released(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_LOCKED, None)


def _next_seq(session: Session, conversation: Conversation) -> int:
    """The next message number. Two writers of a conversation never get the same one,
    whatever process they run in: the row is locked until the commit."""
    if conversation.id in _locked(session):
        # Locked and read fresh by this transaction: counted here, written with the
        # conversation's other changes (no round trip per message).
        conversation.last_seq += 1
        conversation.updated_at = utcnow()
        return conversation.last_seq
    seq = session.execute(  # UPDATE … RETURNING takes the lock and counts at once
        update(Conversation).where(Conversation.id == conversation.id)
        .values(last_seq=Conversation.last_seq + 1, updated_at=utcnow())
        .returning(Conversation.last_seq)
    ).scalar_one()
    conversation.last_seq = seq
    _locked(session).add(conversation.id)
    return int(seq)


def add_message(session: Session, conversation: Conversation, *, role: Role, kind: Kind,
                text: str, data: dict[str, Any] | None = None,
                article_ids: Sequence[int] = (), internal: bool = False,
                client_key: str | None = None, author_id: int | None = None) -> Message:
    """Append a message with the next seq; streams hear of it after the commit."""
    message = Message(
        conversation_id=conversation.id, seq=_next_seq(session, conversation), role=role,
        kind=kind, text=text, data=data or {}, article_ids=list(article_ids),
        internal=internal, client_key=client_key, author_id=author_id, created_at=utcnow(),
    )
    session.add(message)
    session.flush()
    announce(session, conversation, message)
    return message


def message_by_client_key(session: Session, conversation: Conversation,
                          client_key: str) -> Message | None:
    return session.scalar(select(Message).where(Message.conversation_id == conversation.id,
                                                Message.client_key == client_key))


def messages_after(session: Session, *, conversation_id: int, after_seq: int = 0,
                   customer_view: bool = True, limit: int = 500) -> Sequence[Message]:
    """Messages in order after ``after_seq``; customers never see internal notes."""
    query = (select(Message).where(Message.conversation_id == conversation_id,
                                   Message.seq > after_seq)
             .order_by(Message.seq).limit(limit))
    if customer_view:
        query = query.where(Message.internal.is_(False))
    return session.scalars(query).all()


def replies_to(session: Session, message: Message) -> Sequence[Message]:
    """What followed a customer message until their next one (a retried send gets the
    same replies back)."""
    following = session.scalars(
        select(Message).where(Message.conversation_id == message.conversation_id,
                              Message.seq > message.seq, Message.internal.is_(False))
        .order_by(Message.seq).limit(20)
    ).all()
    result = []
    for item in following:
        if item.role == Role.CUSTOMER:
            break
        result.append(item)
    return result


def last_bot_message(session: Session, conversation: Conversation) -> Message | None:
    return session.scalar(
        select(Message).where(Message.conversation_id == conversation.id,
                              Message.role == Role.BOT)
        .order_by(Message.seq.desc()).limit(1)
    )


def recent_customer_texts(session: Session, conversation_id: int, count: int = 3
                          ) -> list[str]:
    """The customer's latest messages, oldest first."""
    texts = session.scalars(
        select(Message.text).where(Message.conversation_id == conversation_id,
                                   Message.role == Role.CUSTOMER)
        .order_by(Message.seq.desc()).limit(count)
    ).all()
    return list(reversed(texts))
