"""The learning loop: what customers asked goes into the search log (channel "assistant"),
so the knowledge-gap report (/kb/gaps) and the learned matcher see it.

- A question is logged with what was found and whether it was confident: unanswered
  questions show up as gaps like an agent's search that found nothing.
- An answer the customer marked "not helpful", and a question after which they asked for a
  person, count as unsure (``confident = False``) — the customer did not get a good answer,
  whatever the ranker thought.
- An answer the customer confirmed, or a choice they picked, is recorded as the article
  opened after the query: the labelled paraphrase the matcher trains on (``opened_after``).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from seci.assistant.models import Message
from seci.core.clock import utcnow
from seci.core.pii import mask_personal_numbers
from seci.retrieval.log import log_search
from seci.retrieval.models import SearchLog
from seci.retrieval.service import SearchResult

CHANNEL = "assistant"


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
