"""Assessment rounds: a round for a team with a deadline; each current agent of the team
is rated by themself, by the team lead(s) and by peers (anonymous to the rated agent);
each rater fills in their forms (saved as they go, then submitted); completion per team
and per rater; who is late."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.audit.service import record
from seci.core.clock import today, utcnow
from seci.core.errors import FieldErrors
from seci.people import access
from seci.people.competency import model_spec
from seci.people.errors import (
    FormNotFound,
    FormSubmitted,
    ModelNotFound,
    RoundClosed,
    TeamWithoutAgents,
)
from seci.people.models import (
    AssessmentAnswer,
    AssessmentForm,
    AssessmentRound,
    CompetencyModel,
    FormStatus,
    Relation,
    RoundStatus,
)
from seci.roster.models import RosterAgent

MAX_PEERS = 6
MAX_COMMENT = 2000


@dataclass(frozen=True)
class RoundSettings:
    model_id: int
    team: str
    title: str
    deadline: date | None
    self_weight: int = 20
    supervisor_weight: int = 40
    peer_weight: int = 40
    peers_per_agent: int = 3


def team_agents(session: Session, team: str) -> list[RosterAgent]:
    """The team's current agents (no leaving date), by work number."""
    return list(session.scalars(select(RosterAgent).where(
        RosterAgent.team == team, RosterAgent.left_on.is_(None)).order_by(RosterAgent.agent_id)))


def team_leads(session: Session, team: str) -> list[User]:
    """Active accounts of the team that hold ``calls.team`` (班组长)."""
    users = session.scalars(select(User).where(User.team == team, User.is_active.is_(True))
                            .order_by(User.id))
    return [u for u in users if u.can(Perm.CALLS_TEAM)]


def list_teams(session: Session, *, actor: User) -> list[str]:
    """Teams of the roster the actor may open rounds for."""
    access.require_assessor(actor)
    teams = session.scalars(select(RosterAgent.team).where(RosterAgent.left_on.is_(None))
                            .distinct().order_by(RosterAgent.team))
    return [t for t in teams if access.may_assess_team(actor, t)]


def _validate(settings: RoundSettings) -> None:
    errors: list[dict[str, object]] = []
    if not settings.title.strip():
        errors.append({"field": "title", "code": "required"})
    elif len(settings.title) > 120:
        errors.append({"field": "title", "code": "too_long", "max": 120})
    if settings.deadline is None:
        errors.append({"field": "deadline", "code": "required"})
    elif settings.deadline < today():
        errors.append({"field": "deadline", "code": "competency_deadline_past",
                       "value": settings.deadline.isoformat()})
    weights = (settings.self_weight, settings.supervisor_weight, settings.peer_weight)
    if any(w < 0 or w > 100 for w in weights) or sum(weights) != 100:
        errors.append({"field": "self_weight", "code": "competency_weights",
                       "value": "+".join(str(w) for w in weights)})
    if not 0 <= settings.peers_per_agent <= MAX_PEERS:
        errors.append({"field": "peers_per_agent", "code": "out_of_range",
                       "min": 0, "max": MAX_PEERS, "value": settings.peers_per_agent})
    if errors:
        raise FieldErrors(errors)


def peers_for(agents: list[RosterAgent], count: int, *, shuffle: bool = True
              ) -> dict[int, list[RosterAgent]]:
    """Peers by rotation among the agents who can log in, in a random order: the next
    ``count`` raters after the rated agent's place, so everyone rates and is rated about
    equally often (``shuffle=False``: work-number order, for tests)."""
    raters = [a for a in agents if a.user_id is not None]
    # A random order, rotated: balanced like a rotation, but a rated agent cannot work out
    # their peers from the work numbers.
    if shuffle:
        random.SystemRandom().shuffle(raters)
    chosen: dict[int, list[RosterAgent]] = {}
    for index, agent in enumerate(agents):
        others = [r for r in raters if r.id != agent.id]
        if not others:
            chosen[agent.id] = []
            continue
        position = next((i for i, r in enumerate(raters) if r.id == agent.id), -1)
        start = position if position >= 0 else index % len(others)
        chosen[agent.id] = [others[(start + k) % len(others)]
                            for k in range(min(count, len(others)))]
    return chosen


def open_round(session: Session, *, actor: User, settings: RoundSettings) -> AssessmentRound:
    """Open a round for a team: a self form for each agent who can log in, a form from
    each team lead, and peer forms by rotation."""
    access.require_team(actor, settings.team)
    model = session.get(CompetencyModel, settings.model_id)
    if model is None or model.archived:
        raise ModelNotFound()
    _validate(settings)
    agents = team_agents(session, settings.team)
    if not agents:
        raise TeamWithoutAgents(team=settings.team)
    assert settings.deadline is not None  # checked by _validate
    found = AssessmentRound(
        model_id=model.id, team=settings.team, title=settings.title.strip(),
        deadline=settings.deadline, self_weight=settings.self_weight,
        supervisor_weight=settings.supervisor_weight, peer_weight=settings.peer_weight,
        peers_per_agent=settings.peers_per_agent, opened_by_id=actor.id,
        status=RoundStatus.OPEN)
    session.add(found)
    session.flush()
    leads = team_leads(session, settings.team)
    peers = peers_for(agents, settings.peers_per_agent)
    for agent in agents:
        if agent.user_id is not None:
            session.add(AssessmentForm(round_id=found.id, rated_agent_id=agent.id,
                                       relation=Relation.SELF, rater_user_id=agent.user_id,
                                       rater_agent_id=agent.id))
        for lead in leads:
            session.add(AssessmentForm(round_id=found.id, rated_agent_id=agent.id,
                                       relation=Relation.SUPERVISOR, rater_user_id=lead.id))
        for peer in peers[agent.id]:
            session.add(AssessmentForm(round_id=found.id, rated_agent_id=agent.id,
                                       relation=Relation.PEER, rater_user_id=peer.user_id,
                                       rater_agent_id=peer.id))
    session.flush()
    record(session, actor=actor, action="competency.round_open", entity_type="competency_round",
           entity_id=found.id, summary=f"{found.team}: {found.title}")
    return found


def close_round(session: Session, *, actor: User, round_id: int) -> AssessmentRound:
    """Close a round: forms still open stay unsubmitted, results become final and each
    agent sees their own."""
    found = access.visible_round(session, actor, round_id)
    if found.status == RoundStatus.CLOSED:
        raise RoundClosed()
    found.status = RoundStatus.CLOSED
    found.closed_at = utcnow()
    session.flush()
    record(session, actor=actor, action="competency.round_close",
           entity_type="competency_round", entity_id=found.id, summary=found.title)
    return found


def list_rounds(session: Session, *, actor: User) -> list[AssessmentRound]:
    """Rounds of the teams the actor may assess, newest first."""
    access.require_assessor(actor)
    rounds = session.scalars(select(AssessmentRound).order_by(AssessmentRound.opened_at.desc(),
                                                              AssessmentRound.id.desc()))
    return [r for r in rounds if access.may_assess_team(actor, r.team)]


def get_round(session: Session, *, actor: User, round_id: int) -> AssessmentRound:
    return access.visible_round(session, actor, round_id)


# --- the rater's side -----------------------------------------------------------------

@dataclass(frozen=True)
class FormRow:
    form: AssessmentForm
    round: AssessmentRound
    rated: RosterAgent
    answered: int
    questions: int

    @property
    def late(self) -> bool:
        return (self.form.status == FormStatus.OPEN and self.round.status == RoundStatus.OPEN
                and today() > self.round.deadline)


def _question_counts(session: Session, model_ids: set[int]) -> dict[int, int]:
    return {m: len(model_spec(session, m).questions()) for m in model_ids}


def my_forms(session: Session, *, actor: User) -> list[FormRow]:
    """The forms this login fills in, of open rounds first, then by deadline."""
    if actor.id is None:
        return []
    rows: list[tuple[AssessmentForm, AssessmentRound, RosterAgent]] = [
        (f, r, a) for f, r, a in session.execute(
        select(AssessmentForm, AssessmentRound, RosterAgent)
        .join(AssessmentRound, AssessmentRound.id == AssessmentForm.round_id)
        .join(RosterAgent, RosterAgent.id == AssessmentForm.rated_agent_id)
        .where(AssessmentForm.rater_user_id == actor.id)
        .order_by(AssessmentRound.status.desc(), AssessmentRound.deadline,
                  AssessmentForm.relation.desc(), RosterAgent.agent_id))]
    answered = _answered(session, [f.id for f, _, _ in rows])
    sizes = _question_counts(session, {r.model_id for _, r, _ in rows})
    return [FormRow(f, r, a, answered.get(f.id, 0), sizes[r.model_id]) for f, r, a in rows]


def _answered(session: Session, form_ids: list[int]) -> dict[int, int]:
    if not form_ids:
        return {}
    return {int(f): int(n) for f, n in session.execute(
        select(AssessmentAnswer.form_id, func.count()).where(
            AssessmentAnswer.form_id.in_(form_ids)).group_by(AssessmentAnswer.form_id))}


def own_form(session: Session, *, actor: User, form_id: int, for_update: bool = False
             ) -> AssessmentForm:
    """A form, for its rater only (404 for anybody else: who rates whom stays private).
    ``for_update``: lock the form's row (PostgreSQL; SQLite has one writer at a time) and read
    it as it is now: the page saves as the rater goes, so a save and the submit can arrive
    together, and the second must see the answers the first inserted (it inserted the same
    answers again and failed on their unique key, a 500)."""
    form = session.execute(
        select(AssessmentForm).where(AssessmentForm.id == form_id).with_for_update()
        .execution_options(populate_existing=True)).scalar_one_or_none() if for_update \
        else session.get(AssessmentForm, form_id)
    if form is None or actor.id is None or not actor.is_active \
            or form.rater_user_id != actor.id:
        raise FormNotFound()
    return form


def form_answers(session: Session, form_id: int) -> dict[int, int]:
    return {int(q): int(s) for q, s in session.execute(
        select(AssessmentAnswer.question_id, AssessmentAnswer.score)
        .where(AssessmentAnswer.form_id == form_id))}


def save_form(session: Session, *, actor: User, form_id: int, scores: Mapping[int, int | None],
              comment: str | None = None, submit: bool = False) -> AssessmentForm:
    """Save a rater's answers as they go (1–5 per question; None clears one), and submit
    when every question is answered. Late forms are still accepted while the round is open."""
    form = own_form(session, actor=actor, form_id=form_id, for_update=True)
    found = session.get(AssessmentRound, form.round_id)
    assert found is not None
    if found.status != RoundStatus.OPEN:
        raise RoundClosed()
    if form.status == FormStatus.SUBMITTED:
        raise FormSubmitted()
    question_ids = [q.id for q in model_spec(session, found.model_id).questions()
                    if q.id is not None]
    errors: list[dict[str, object]] = []
    for question_id, score in scores.items():
        if question_id not in question_ids:
            errors.append({"field": f"q{question_id}", "code": "competency_unknown_question",
                           "value": question_id})
        elif score is not None and not 1 <= score <= 5:
            errors.append({"field": f"q{question_id}", "code": "out_of_range",
                           "min": 1, "max": 5, "value": score})
    if comment is not None and len(comment) > MAX_COMMENT:
        errors.append({"field": "comment", "code": "too_long", "max": MAX_COMMENT})
    if errors:
        raise FieldErrors(errors)
    existing = {a.question_id: a for a in session.scalars(
        select(AssessmentAnswer).where(AssessmentAnswer.form_id == form.id))}
    for question_id, score in scores.items():
        answer = existing.get(question_id)
        if score is None:
            if answer is not None:
                session.delete(answer)
                del existing[question_id]
        elif answer is None:
            existing[question_id] = AssessmentAnswer(form_id=form.id, question_id=question_id,
                                                     score=score)
            session.add(existing[question_id])
        else:
            answer.score = score
    if comment is not None:
        form.comment = comment.strip()
    form.saved_at = utcnow()
    if submit:
        missing = [q for q in question_ids if q not in existing]
        if missing:
            raise FieldErrors([{"field": f"q{q}", "code": "required"} for q in missing])
        form.status = FormStatus.SUBMITTED
        form.submitted_at = utcnow()
    session.flush()
    return form


# --- completion and reminders -----------------------------------------------------------

@dataclass(frozen=True)
class RaterProgress:
    rater: User
    total: int
    submitted: int
    late: int  # open forms past the deadline


@dataclass(frozen=True)
class Completion:
    forms: int
    submitted: int
    by_relation: dict[str, tuple[int, int]]  # relation → (submitted, forms)
    raters: list[RaterProgress]
    agents_without_login: list[RosterAgent]  # rated, but cannot rate themselves

    @property
    def share(self) -> float | None:
        return self.submitted / self.forms if self.forms else None


def completion(session: Session, *, actor: User, round_id: int) -> Completion:
    """Submitted forms of all, per relation and per rater; a rater is late when the
    deadline has passed and a form of theirs is still open."""
    found = access.visible_round(session, actor, round_id)
    forms = list(session.scalars(select(AssessmentForm).where(
        AssessmentForm.round_id == found.id)))
    raters = {u.id: u for u in session.scalars(select(User).where(
        User.id.in_({f.rater_user_id for f in forms if f.rater_user_id is not None})))}
    past_deadline = found.status == RoundStatus.OPEN and today() > found.deadline
    by_relation: dict[str, tuple[int, int]] = {}
    per_rater: dict[int, list[int]] = {}
    for f in forms:
        done = f.status == FormStatus.SUBMITTED
        s, n = by_relation.get(f.relation, (0, 0))
        by_relation[f.relation] = (s + done, n + 1)
        if f.rater_user_id is not None:
            tally = per_rater.setdefault(f.rater_user_id, [0, 0, 0])
            tally[0] += 1
            tally[1] += done
            tally[2] += (not done) and past_deadline
    progress = sorted((RaterProgress(raters[uid], t, s, late)
                       for uid, (t, s, late) in per_rater.items() if uid in raters),
                      key=lambda p: (p.submitted - p.total, p.rater.display_name))
    self_rated = {f.rated_agent_id for f in forms if f.relation == Relation.SELF}
    rated_ids = {f.rated_agent_id for f in forms}
    no_login = [a for a in session.scalars(select(RosterAgent).where(
        RosterAgent.id.in_(rated_ids - self_rated)).order_by(RosterAgent.agent_id))
        if a.user_id is None]
    return Completion(forms=len(forms), submitted=sum(f.status == FormStatus.SUBMITTED
                                                       for f in forms),
                      by_relation=by_relation, raters=progress, agents_without_login=no_login)


def late_raters(session: Session, *, actor: User, round_id: int) -> list[RaterProgress]:
    """Raters with open forms after the deadline: whom to remind."""
    return [p for p in completion(session, actor=actor, round_id=round_id).raters if p.late]


def reminders(session: Session, *, actor: User) -> list[tuple[AssessmentRound, RaterProgress]]:
    """Across the open rounds the actor may see: every rater still owing forms (late or
    not), the late first — the reminder list."""
    rows: list[tuple[AssessmentRound, RaterProgress]] = []
    for found in list_rounds(session, actor=actor):
        if found.status != RoundStatus.OPEN:
            continue
        for progress in completion(session, actor=actor, round_id=found.id).raters:
            if progress.submitted < progress.total:
                rows.append((found, progress))
    return sorted(rows, key=lambda row: (-row[1].late, row[0].deadline))
