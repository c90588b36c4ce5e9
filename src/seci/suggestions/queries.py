"""Lists of suggestions per reader: mine, my department's inbox, all, overdue."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.core.clock import today
from seci.core.errors import PermissionDenied
from seci.suggestions.departments import departments_of
from seci.suggestions.models import Suggestion, SuggestionStatus


def my_suggestions(session: Session, *, user: User) -> list[Suggestion]:
    """What the user filed, newest first."""
    return list(session.scalars(select(Suggestion).where(Suggestion.author_id == user.id)
                                .order_by(Suggestion.id.desc())))


def department_inbox(session: Session, *, user: User, open_only: bool = True
                     ) -> list[Suggestion]:
    """Suggestions routed to the user's departments (not their own), earliest deadline first."""
    departments = departments_of(user)
    if not departments:
        raise PermissionDenied()
    query = select(Suggestion).where(Suggestion.department.in_(departments),
                                     Suggestion.author_id != user.id)
    if open_only:
        query = query.where(Suggestion.status == SuggestionStatus.SUBMITTED)
    return list(session.scalars(query.order_by(Suggestion.due_on, Suggestion.id)))


def _readable(user: User) -> Select[Suggestion]:
    """Everything for statistics readers; a department's own suggestions for its staff."""
    query = select(Suggestion)
    if user.can(Perm.SUGGESTION_STATS) or user.can(Perm.SUGGESTION_SEE_AUTHOR):
        return query
    departments = departments_of(user)
    if not departments:
        raise PermissionDenied()
    return query.where(Suggestion.department.in_(departments))


def all_suggestions(session: Session, *, user: User, status: str | None = None,
                    limit: int = 200) -> list[Suggestion]:
    query = _readable(user)
    if status:
        query = query.where(Suggestion.status == status)
    return list(session.scalars(query.order_by(Suggestion.id.desc()).limit(limit)))


def overdue_suggestions(session: Session, *, user: User) -> list[Suggestion]:
    """Unanswered past their deadline (the deadline day itself is still on time)."""
    query = _readable(user).where(Suggestion.status == SuggestionStatus.SUBMITTED,
                                  Suggestion.due_on < today())
    return list(session.scalars(query.order_by(Suggestion.due_on, Suggestion.id)))
