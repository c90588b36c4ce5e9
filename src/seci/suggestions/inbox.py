"""What waits for a user in the suggestion box (the "my inbox" page combines sections)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.core.clock import today
from seci.core.todo import Todo, todo
from seci.suggestions.departments import departments_of
from seci.suggestions.models import Suggestion, SuggestionStatus
from seci.suggestions.queries import department_inbox
from seci.suggestions.service import is_overdue


@dataclass(frozen=True)
class InboxItem:
    kind: str  # "suggestion.answer" or "suggestion.reward"
    title: str
    url: str
    due_on: date | None
    overdue: bool


def _answer_item(suggestion: Suggestion) -> InboxItem:
    return InboxItem(kind="suggestion.answer", title=suggestion.title,
                     url=f"/suggestions/{suggestion.id}", due_on=suggestion.due_on,
                     overdue=is_overdue(suggestion))


def _awaiting_reward(session: Session, user: User) -> list[InboxItem]:
    """Adopted suggestions whose 花红 / 红花 is still to be decided (not the user's own)."""
    if not user.can(Perm.SUGGESTION_REWARD):
        return []
    rows = session.scalars(select(Suggestion).where(
        Suggestion.status == SuggestionStatus.ADOPTED, Suggestion.author_id != user.id,
    ).order_by(Suggestion.answered_at))
    return [InboxItem(kind="suggestion.reward", title=s.title, url=f"/suggestions/{s.id}",
                      due_on=None, overdue=False) for s in rows]


def items_for(session: Session, user: User) -> list[InboxItem]:
    """Suggestions of the user's departments waiting for an answer (overdue first), then
    adopted ones waiting for their reward."""
    answers: list[InboxItem] = []
    if departments_of(user):
        answers = [_answer_item(s) for s in department_inbox(session, user=user)]
    answers.sort(key=lambda item: (not item.overdue, item.due_on or date.max))
    return answers + _awaiting_reward(session, user)


def todos_for(session: Session, user: User) -> list[Todo]:
    """Suggestions to answer (nearest deadline) and rewards to decide, as counts."""
    items = items_for(session, user)
    on = today()
    todos = []
    for kind, url in (("suggestion.answer", "/suggestions/inbox"),
                      ("suggestion.reward", "/suggestions/inbox")):
        found = [i for i in items if i.kind == kind]
        if found:
            todos.append(todo(kind, found[0].url if len(found) == 1 else url,
                              [i.due_on for i in found], on=on))
    return todos
