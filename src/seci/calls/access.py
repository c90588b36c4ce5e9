"""Who may see which calls, transcripts and KPIs: the rules every call read goes through.

Analysts, quality staff and managers see the whole centre; a team lead sees their team
(the ``team`` on their account, as call records name it); everybody sees their own calls,
found through the roster's link between an agent id and a login. Agents never see a
colleague's calls or numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.calls.models import CallRecord
from seci.core.errors import PermissionDenied
from seci.roster.models import RosterAgent


@dataclass(frozen=True)
class CallScope:
    everything: bool
    teams: frozenset[str]
    agent_ids: frozenset[str]

    @property
    def empty(self) -> bool:
        return not (self.everything or self.teams or self.agent_ids)

    def allows(self, call: CallRecord) -> bool:
        return (self.everything or call.team in self.teams
                or call.agent_id in self.agent_ids)


def own_agent_ids(session: Session, user: User) -> frozenset[str]:
    """The call platform's agent ids that the roster links to this login."""
    if user.id is None:  # the system actor is nobody's agent
        return frozenset()
    return frozenset(session.scalars(
        select(RosterAgent.agent_id).where(RosterAgent.user_id == user.id)))


def call_scope(session: Session, user: User) -> CallScope:
    if user.can(Perm.CALLS_ANALYZE):
        return CallScope(True, frozenset(), frozenset())
    teams = frozenset({user.team}) if user.can(Perm.CALLS_TEAM) and user.team else frozenset()
    return CallScope(False, teams, own_agent_ids(session, user))


def scope_clause(scope: CallScope) -> ColumnElement[bool]:
    """The scope as a filter on the calls table."""
    if scope.everything:
        return true()
    clauses: list[ColumnElement[bool]] = []
    if scope.teams:
        clauses.append(CallRecord.team.in_(sorted(scope.teams)))
    if scope.agent_ids:
        clauses.append(CallRecord.agent_id.in_(sorted(scope.agent_ids)))
    return or_(*clauses) if clauses else false()


def require_import(user: User) -> None:
    if not user.can(Perm.CALLS_IMPORT):
        raise PermissionDenied()


def require_configure(user: User) -> None:
    if not user.can(Perm.CALLS_CONFIGURE):
        raise PermissionDenied()


def require_centre_view(user: User) -> None:
    """Centre-wide figures (every team side by side) are for analysts and managers."""
    if not user.can(Perm.CALLS_ANALYZE):
        raise PermissionDenied()
