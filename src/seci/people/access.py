"""Who may do what in competency assessment: the rules every service goes through.

- Competency models: holders of ``competency.model`` (trainers, managers) edit them.
- Rounds, completion, reminders, results, figures and profiles: holders of
  ``competency.assess`` — trainers and managers for any team, a team lead (who also holds
  ``calls.team``, without ``competency.model``) for the team on their account only.
- A form: only its rater fills it in.
- One's own results: the agent the roster links to the login, once the round is closed,
  without peers' identities.
- Exams (技能鉴定): holders of ``exam.manage`` (trainers, managers) keep the question bank,
  define exams and read every result and the item analysis; holders of ``exam.take``
  (agents, team leads) take exams and read their own attempts only.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.core.errors import PermissionDenied
from seci.people.errors import PairNotFound, PlanNotFound, RoundNotFound
from seci.people.models import AssessmentRound
from seci.people.training_models import CoachingPair, TrainingPlan
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



# --- training plans and coaching (people/plans.py, coaching.py, loop.py) ---------------
# Plans, assignments, coaching pairs and re-assessments follow the rounds' rule: holders of
# ``competency.assess`` for any team (trainers, managers) or their own team (team leads).
# An agent sees the plans assigned to them and marks their own items done.

def visible_plan(session: Session, actor: User, plan_id: int) -> TrainingPlan:
    """The plan, for someone who may run its team's training; 404 for everyone else."""
    found = session.get(TrainingPlan, plan_id)
    if found is None or not may_assess_team(actor, found.team):
        raise PlanNotFound()
    return found


def visible_pair(session: Session, actor: User, pair_id: int) -> CoachingPair:
    """The coaching pair, for someone who may run its team's training; 404 otherwise."""
    found = session.get(CoachingPair, pair_id)
    if found is None or not may_assess_team(actor, found.team):
        raise PairNotFound()
    return found


def require_exam_manager(actor: User) -> None:
    if not (actor.is_active and actor.can(Perm.EXAM_MANAGE)):
        raise PermissionDenied()


def may_manage_exams(actor: User) -> bool:
    return actor.is_active and actor.can(Perm.EXAM_MANAGE)


def require_exam_taker(actor: User) -> None:
    if not (actor.is_active and actor.id is not None and actor.can(Perm.EXAM_TAKE)):
        raise PermissionDenied()


# --- certification per queue and growth stages (people/certification.py, stages.py) -----
# Holders of ``cert.manage`` (managers) set a queue's requirements and the stage rules,
# grant a certification with a reason whatever the rules say, and revoke one. Evaluating
# agents, granting when the rules are met and moving an agent up a stage follow the rounds'
# rule (``competency.assess``: trainers and managers for any team, team leads their own).
# An agent sees their own certifications.

def may_manage_certification(actor: User) -> bool:
    return actor.is_active and actor.can(Perm.CERT_MANAGE)


def require_cert_manager(actor: User) -> None:
    if not may_manage_certification(actor):
        raise PermissionDenied()


def may_read_certification(actor: User) -> bool:
    return actor.is_active and (actor.can(Perm.CERT_MANAGE) or actor.can(Perm.COMPETENCY_ASSESS))


def require_cert_reader(actor: User) -> None:
    if not may_read_certification(actor):
        raise PermissionDenied()


def may_certify_team(actor: User, team: str | None) -> bool:
    """Whether the actor works with the certifications of this team's agents."""
    if not actor.is_active:
        return False
    if actor.can(Perm.CERT_MANAGE):
        return True
    return team is not None and may_assess_team(actor, team)


def require_certify_team(actor: User, team: str | None) -> None:
    if not may_certify_team(actor, team):
        raise PermissionDenied()
