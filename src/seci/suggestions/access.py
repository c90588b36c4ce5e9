"""Who may see and do what in the suggestion box (金点子): the rules every service checks,
whatever calls it.

- Every employee submits (``SUGGESTION_SUBMIT``) and withdraws their own suggestion while
  it waits for an answer.
- A suggestion is answered by the staff of the department it is routed to
  (``departments.departments_of``), never by its author; adopted ones are rewarded by
  business management (``SUGGESTION_REWARD``), never by the author either.
- Readers: the author, the owning department's staff, the statistics readers, rewarders
  and administrators. An anonymous author is seen by the author and administrators only.
"""

from __future__ import annotations

from collections.abc import Callable

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.core.errors import PermissionDenied
from seci.suggestions.departments import departments_of
from seci.suggestions.errors import NotYourDepartment, OwnSuggestion
from seci.suggestions.models import Suggestion, SuggestionStatus


def _require(user: User, perm: Perm) -> None:
    if not user.can(perm):
        raise PermissionDenied()


def require_submit(user: User) -> None:
    _require(user, Perm.SUGGESTION_SUBMIT)


def require_configure(user: User) -> None:
    _require(user, Perm.SUGGESTION_CONFIGURE)


def require_stats(user: User) -> None:
    _require(user, Perm.SUGGESTION_STATS)


def require_answer(user: User) -> None:
    _require(user, Perm.SUGGESTION_ANSWER)


def require_reward(user: User) -> None:
    _require(user, Perm.SUGGESTION_REWARD)


def answers_suggestions(user: User) -> bool:
    """Whether the user staffs any department that answers suggestions."""
    return bool(departments_of(user))


def handles(user: User, suggestion: Suggestion) -> bool:
    """Whether the user staffs the department the suggestion is routed to."""
    return suggestion.department in departments_of(user)


def may_read(user: User, suggestion: Suggestion) -> bool:
    return (user.id == suggestion.author_id or handles(user, suggestion)
            or user.can(Perm.SUGGESTION_STATS) or user.can(Perm.SUGGESTION_REWARD)
            or user.can(Perm.SUGGESTION_SEE_AUTHOR))


def author_visible(user: User, suggestion: Suggestion) -> bool:
    """Anonymous suggestions hide their author from peers (handlers included); the author
    and administrators still see it."""
    return (not suggestion.anonymous or user.id == suggestion.author_id
            or user.can(Perm.SUGGESTION_SEE_AUTHOR))


def check_may_withdraw(user: User, suggestion: Suggestion) -> None:
    require_submit(user)
    if user.id != suggestion.author_id:
        raise PermissionDenied()


def check_may_answer(user: User, suggestion: Suggestion) -> None:
    """Staff of the owning department, not the author (the state is the caller's)."""
    require_answer(user)
    if user.id == suggestion.author_id:
        raise OwnSuggestion()
    if not handles(user, suggestion):
        raise NotYourDepartment()


def check_may_reward(user: User, suggestion: Suggestion) -> None:
    require_reward(user)
    if user.id == suggestion.author_id:
        raise OwnSuggestion()


def _allows(check: Callable[[User, Suggestion], None], user: User, suggestion: Suggestion
            ) -> bool:
    try:
        check(user, suggestion)
    except PermissionDenied:
        return False
    return True


def may_answer(user: User, suggestion: Suggestion) -> bool:
    """The answer form is shown: the user may answer and the suggestion waits for one."""
    return (suggestion.status == SuggestionStatus.SUBMITTED
            and _allows(check_may_answer, user, suggestion))


def may_reward(user: User, suggestion: Suggestion) -> bool:
    return (suggestion.status == SuggestionStatus.ADOPTED
            and _allows(check_may_reward, user, suggestion))
