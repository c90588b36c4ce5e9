"""Who may see and do what in post linkage (岗位联动): the rules every service checks,
whatever calls it (the API, the pages, the CLI and jobs as the system actor).

- The tracker's staff (``NOTICE_VIEW``) see every notice, its chain, overdue posts and the
  calls flagged against it; an agent sees a notice once it is released to one of their
  queues (before that it does not exist for them).
- Business management (``NOTICE_MANAGE``) enters notices, drafts, submits and releases;
  trainers (``QUIZ_MANAGE``) attach the quiz and alone read its right answers; agents of
  the notice's queues (``QUIZ_TAKE``) acknowledge it and take the quiz; supervisors
  (``NOTICE_TEAM_CHECK``) confirm their own team; quality (``CALL_FLAG``) flags calls.
- Coverage (``ACK_COVERAGE``): supervisors assigned to queues see those queues' agents.
"""

from __future__ import annotations

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.core.errors import PermissionDenied
from seci.linkage.errors import NotExpectedAgent, NotReleased
from seci.linkage.models import Notice


def _require(user: User, perm: Perm) -> None:
    if not user.can(perm):
        raise PermissionDenied()


def may_view_tracker(user: User) -> bool:
    return user.can(Perm.NOTICE_VIEW)


def require_tracker(user: User) -> None:
    _require(user, Perm.NOTICE_VIEW)


def require_manage(user: User) -> None:
    _require(user, Perm.NOTICE_MANAGE)


def may_manage_quiz(user: User) -> bool:
    return user.can(Perm.QUIZ_MANAGE)


def require_quiz_manage(user: User) -> None:
    _require(user, Perm.QUIZ_MANAGE)


def require_team_check(user: User) -> None:
    _require(user, Perm.NOTICE_TEAM_CHECK)


def require_call_flag(user: User) -> None:
    _require(user, Perm.CALL_FLAG)


def require_coverage(user: User) -> None:
    _require(user, Perm.ACK_COVERAGE)


def is_released_to(user: User, notice: Notice) -> bool:
    """Agents see a notice once it is released to one of their queues."""
    return notice.released_at is not None and bool(user.queue_ids & set(notice.queue_ids))


def may_see(user: User, notice: Notice) -> bool:
    return may_view_tracker(user) or is_released_to(user, notice)


def is_for(user: User, notice: Notice) -> bool:
    """The notice waits for this user's acknowledgement and quiz."""
    return user.can(Perm.QUIZ_TAKE) and is_released_to(user, notice)


def require_take(user: User) -> None:
    _require(user, Perm.QUIZ_TAKE)


def check_released_to(user: User, notice: Notice) -> None:
    """Acknowledging and the quiz: once released, by the agents of the notice's queues."""
    if notice.released_at is None:
        raise NotReleased()
    if not is_released_to(user, notice):
        raise NotExpectedAgent()
