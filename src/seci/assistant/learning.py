"""The learning loop: what customers asked goes into the search log (channel "assistant"),
so the knowledge-gap report (/kb/gaps) and the learned matcher see it.

- A question is logged with what was found and whether it was confident: unanswered
  questions show up as gaps like an agent's search that found nothing.
- An answer the customer marked "not helpful", and a question after which they asked for a
  person, count as unsure (``confident = False``) — the customer did not get a good answer,
  whatever the ranker thought.
- An answer the customer confirmed, or a choice they picked, is recorded as the article
  opened after the query: the labelled paraphrase the matcher trains on (``opened_after``).
- A question the assistant could not answer goes to a person; the first article the agent
  sends back answers it (``answered_by_agent``): the same label, in the words of exactly
  the callers the assistant failed. The matcher learns it and the served calibration
  holds it out (``served_calibration.held_out_questions``), so the next caller who puts
  it that way is answered. In the workspace the agent may say which of the customer's
  messages an article answers, or that it teaches nothing: a question asked of the agent
  after the hand-off (never searched) is then logged and labelled as well.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seci.assistant.models import Conversation, Kind, Message, Role
from seci.core.clock import utcnow
from seci.core.pii import mask_personal_numbers
from seci.retrieval.log import ASSISTANT_CHANNEL, log_search, log_unsearched
from seci.retrieval.models import SearchLog
from seci.retrieval.service import SearchResult

CHANNEL = ASSISTANT_CHANNEL


def log_question(session: Session, *, query: str, result: SearchResult) -> SearchLog | None:
    """Record a customer's question (best effort, like every search-log write). Personal
    numbers are masked first: the log feeds the gap report and its analysts, who need what
    was asked, not the caller's mobile or ID-card number."""
    return log_search(session, user=None, query=mask_personal_numbers(query).text,
                      result=result, channel=CHANNEL)


def _entry(session: Session, question: Message | None) -> SearchLog | None:
    if question is None or question.search_log_id is None:
        return None
    return session.get(SearchLog, question.search_log_id)


def confirm_answer(session: Session, *, question: Message | None, article_id: int) -> None:
    """The customer confirmed (or picked) this article for their question."""
    entry = _entry(session, question)
    if entry is not None:
        entry.opened_article_id = article_id
        entry.opened_at = utcnow()
        session.flush()


def reject_answer(session: Session, *, question: Message | None) -> None:
    """The answer did not help: a gap, and no longer a label for the matcher."""
    entry = _entry(session, question)
    if entry is not None:
        entry.confident = False
        entry.opened_article_id = None
        entry.opened_at = None
        session.flush()


def answered_by_agent(session: Session, *, conversation: Conversation, sent: Message,
                      question: Message | None = None) -> SearchLog | None:
    """An agent sent an article (``sent``) in a conversation handed over to them.

    ``question``: the customer's message the agent said it answers (the workspace's
    choice, a message of this conversation before ``sent``); one asked of the agent after
    the hand-off was never searched and is logged now. Without a choice, the first article
    sent after the hand-off answers the question the customer was handed over with, the
    latest one the assistant searched (after a hand-off nothing is searched); later
    articles label nothing, since they answer what was asked of the agent and nobody said
    which. A question already labelled (a confirmed answer, a pick) keeps its label.
    Returns the entry labelled, if any."""
    if conversation.handed_off_at is None or not sent.article_ids:
        return None
    if question is not None:
        return _label(session, _entry(session, question) or _logged_now(session, question),
                      sent.article_ids[0])
    if _agent_sent_an_article_before(session, conversation, sent):
        return None
    return _label(session, _entry(session, handed_over_with(session, conversation)),
                  sent.article_ids[0])


def handed_over_with(session: Session, conversation: Conversation) -> Message | None:
    """The question the customer was handed over with: the latest of their messages the
    assistant searched before the (first) hand-off. A bare 转人工 is no question; a
    question asked of the agent later may be logged when an article answers it
    (``_logged_now``) and is not the one they came with."""
    if conversation.handed_off_at is None:
        return None
    handed_off = session.scalar(select(func.min(Message.seq)).where(
        Message.conversation_id == conversation.id, Message.kind == Kind.HANDOFF))
    query = select(Message).where(Message.conversation_id == conversation.id,
                                  Message.role == Role.CUSTOMER,
                                  Message.search_log_id.is_not(None))
    if handed_off is not None:
        query = query.where(Message.seq < handed_off)
    return session.scalar(query.order_by(Message.seq.desc()).limit(1))


def _label(session: Session, entry: SearchLog | None, article_id: int) -> SearchLog | None:
    if entry is None or entry.opened_article_id is not None:
        return None
    entry.opened_article_id = article_id
    entry.opened_at = utcnow()
    session.flush()
    return entry


def _logged_now(session: Session, question: Message) -> SearchLog | None:
    """Log a question the assistant never searched (asked of the agent), masked like every
    logged question, and link the message to it."""
    entry = log_unsearched(session, query=mask_personal_numbers(question.text).text,
                           channel=CHANNEL)
    if entry is not None:
        question.search_log_id = entry.id
        session.flush()
    return entry


def _agent_sent_an_article_before(session: Session, conversation: Conversation,
                                  sent: Message) -> bool:
    return session.scalar(
        select(Message.id).where(Message.conversation_id == conversation.id,
                                 Message.role == Role.AGENT, Message.kind == Kind.ARTICLE,
                                 Message.seq < sent.seq).limit(1)) is not None
