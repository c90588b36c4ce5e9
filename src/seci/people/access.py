"""Who may do what in competency assessment: the rules every service goes through.

- Competency models: holders of ``competency.model`` (trainers, managers) edit them.
- Rounds, completion, reminders, results, figures and profiles: holders of
  ``competency.assess`` — trainers and managers for any team, a team lead (who also holds
  ``calls.team``, without ``competency.model``) for the team on their account only.
- A form: only its rater fills it in.
- One's own results: the agent the roster links to the login, once the round is closed,
  without peers' identities.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.core.errors import PermissionDenied
from seci.people.errors import RoundNotFound
from seci.people.models import AssessmentRound
from seci.roster.models import RosterAgent


def require_model_editor(actor: User) -> None:
    if not actor.can(Perm.COMPETENCY_MODEL):
        raise PermissionDenied()


def may_read_models(actor: User) -> bool:
    return actor.can(Perm.COMPETENCY_MODEL) or actor.can(Perm.COMPETENCY_ASSESS)


def require_model_reader(actor: User) -> None:
    if not may_read_models(actor):
        raise PermissionDenied()


def assesses_any_team(actor: User) -> bool:
    """Trainers and managers work with every team; a team lead only with their own."""
    return actor.can(Perm.COMPETENCY_ASSESS) and (
        actor.can(Perm.COMPETENCY_MODEL) or not actor.can(Perm.CALLS_TEAM))


def may_assess_team(actor: User, team: str) -> bool:
    if not actor.can(Perm.COMPETENCY_ASSESS):
        return False
    return assesses_any_team(actor) or (bool(actor.team) and actor.team == team)


def require_team(actor: User, team: str) -> None:
    if not may_assess_team(actor, team):
        raise PermissionDenied()


def require_assessor(actor: User) -> None:
    if not actor.can(Perm.COMPETENCY_ASSESS):
        raise PermissionDenied()


def visible_round(session: Session, actor: User, round_id: int) -> AssessmentRound:
    """The round, for someone who may run it; 404 for everyone else (rounds of other teams
    do not exist for a team lead)."""
    found = session.get(AssessmentRound, round_id)
    if found is None or not may_assess_team(actor, found.team):
        raise RoundNotFound()
    return found


def own_roster_entry(session: Session, actor: User) -> RosterAgent | None:
    """The roster entry linked to this login (None for the system actor or a non-agent)."""
    if actor.id is None or not actor.is_active:
        return None
    return session.scalar(select(RosterAgent).where(RosterAgent.user_id == actor.id))
