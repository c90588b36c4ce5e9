"""Who may do what in quality inspection, as Python predicates and SQL filters.

- Inspectors (``QA_INSPECT``) draw samples and score calls, never their own (a call is
  theirs when the roster links its agent id to their login).
- QA managers (``QA_MANAGE``) keep the scorecards and decide appeals, never on a score
  they gave themselves (four eyes) nor on their own calls.
- A score is seen by inspectors and QA managers (all), by the team lead of the call's
  team (``CALLS_TEAM`` with the team on their account), and by the agent who took the
  call; an agent never sees a colleague's score. Only that agent may appeal it.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.calls.access import CallScope, call_scope, own_agent_ids
from seci.calls.models import CallRecord
from seci.core.errors import PermissionDenied
from seci.quality.errors import NotYourCall, OwnCall, OwnScoreAppeal
from seci.quality.models import QaScore


def require_inspect(user: User) -> None:
    if not user.can(Perm.QA_INSPECT):
        raise PermissionDenied()


def require_manage(user: User) -> None:
    if not user.can(Perm.QA_MANAGE):
        raise PermissionDenied()


def may_read_scorecards(user: User) -> bool:
    return user.can(Perm.QA_INSPECT) or user.can(Perm.QA_MANAGE)


def require_read_scorecards(user: User) -> None:
    if not may_read_scorecards(user):
        raise PermissionDenied()


def may_list_scores(user: User) -> bool:
    """Lists of scores beyond one's own: inspectors, QA managers, team leads."""
    return (user.can(Perm.QA_INSPECT) or user.can(Perm.QA_MANAGE)
            or user.can(Perm.CALLS_TEAM))


def require_score_lists(user: User) -> None:
    if not may_list_scores(user):
        raise PermissionDenied()


def score_scope(session: Session, user: User) -> CallScope:
    """Whose scores a user sees: inspectors and QA managers every score, anyone else the
    scores of the calls they may see (``calls.access``: analysts all, a team lead their
    team, an agent their own)."""
    if user.can(Perm.QA_INSPECT) or user.can(Perm.QA_MANAGE):
        return CallScope(True, frozenset(), frozenset())
    return call_scope(session, user)


def score_visible(scope: CallScope, score: QaScore, call_team: str | None) -> bool:
    return (scope.everything or score.agent_id in scope.agent_ids
            or (call_team is not None and call_team in scope.teams))


def score_clause(scope: CallScope) -> ColumnElement[bool]:
    """The scope as a filter on the scores table (the team is the call's team)."""
    if scope.everything:
        return true()
    clauses: list[ColumnElement[bool]] = []
    if scope.agent_ids:
        clauses.append(QaScore.agent_id.in_(sorted(scope.agent_ids)))
    if scope.teams:
        clauses.append(QaScore.call_id.in_(
            select(CallRecord.call_id).where(CallRecord.team.in_(sorted(scope.teams)))))
    return or_(*clauses) if clauses else false()


def check_may_score(session: Session, user: User, call: CallRecord) -> None:
    """An inspector, and not the agent of the call."""
    require_inspect(user)
    if call.agent_id in own_agent_ids(session, user):
        raise OwnCall()


def is_call_agent(session: Session, user: User, score: QaScore) -> bool:
    """Whether the roster links the score's agent id to this login."""
    return score.agent_id in own_agent_ids(session, user)


def check_may_appeal(session: Session, user: User, score: QaScore) -> None:
    """Only the agent the roster links to the call's agent id."""
    if not is_call_agent(session, user, score):
        raise NotYourCall()


def check_may_decide(session: Session, user: User, score: QaScore) -> None:
    """A QA manager other than the inspector (four eyes), not deciding on their own call."""
    require_manage(user)
    if score.inspector_id is not None and score.inspector_id == user.id:
        raise OwnScoreAppeal()
    if is_call_agent(session, user, score):
        raise OwnCall()


def may_decide(session: Session, user: User, score: QaScore) -> bool:
    try:
        check_may_decide(session, user, score)
    except PermissionDenied:
        return False
    return True
