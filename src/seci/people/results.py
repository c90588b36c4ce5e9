"""Results of a round: item, dimension and overall scores per person and team, self
against others, weak items, the reliability of each dimension.

Formulas (docs/people.md):

- A source's item score (self, supervisor, peers) is the mean of that source's answers to
  the item's questions over its submitted forms.
- **Others** = (w_sup · supervisor + w_peer · peers) / (w_sup + w_peer), **combined** =
  (w_self · self + w_sup · supervisor + w_peer · peers) / Σw, each over the sources present
  (the round's weights, 20/40/40 by default; a missing source's weight is left out).
- A dimension's score is the mean of its items' scores; the overall score the mean of all
  items' scores (each item counts once, as in source 003's 3.91 over 11 items).
- The team's item score is the mean of its people's combined item scores, with a t
  interval over the people; weak items are the lowest three.
- The gap of an item is self − others (positive: rates themself higher than others do).
- Cronbach's α per dimension over the round's submitted forms (rows) and the dimension's
  questions (columns).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.people import access
from seci.people.competency import ModelSpec, model_spec
from seci.people.errors import RoundNotFound
from seci.people.models import (
    AssessmentAnswer,
    AssessmentForm,
    AssessmentRound,
    FormStatus,
    Relation,
    RoundStatus,
)
from seci.roster.models import RosterAgent
from seci.stats.intervals import t_interval_from_values
from seci.stats.reliability import MIN_ALPHA_ROWS, cronbach_alpha
from seci.stats.summaries import Interval

WEAK_ITEMS = 3
# Peers' comments reach the rated agent only when at least this many peers submitted.
MIN_PEERS_FOR_COMMENTS = 2


def mean(values: Sequence[float]) -> float | None:
    """Σx / n; None for no values."""
    return math.fsum(values) / len(values) if values else None


def weighted_score(means: Mapping[str, float | None], weights: Mapping[str, int]
                   ) -> float | None:
    """Σ wₛ·mₛ / Σ wₛ over the sources s with a mean and a positive weight; None if none."""
    present = [(weights[s], m) for s, m in means.items()
               if m is not None and weights.get(s, 0) > 0]
    total = sum(w for w, _ in present)
    if not total:
        return None
    return math.fsum(w * m for w, m in present) / total


def round_weights(found: AssessmentRound) -> dict[str, int]:
    return {Relation.SELF: found.self_weight, Relation.SUPERVISOR: found.supervisor_weight,
            Relation.PEER: found.peer_weight}


@dataclass(frozen=True)
class Score:
    """One item, dimension or the overall: by source, others, combined."""

    self: float | None
    supervisor: float | None
    peer: float | None
    others: float | None
    combined: float | None

    @property
    def gap(self) -> float | None:
        """self − others."""
        if self.self is None or self.others is None:
            return None
        return self.self - self.others


@dataclass(frozen=True)
class ItemScore:
    item_id: int
    name: str
    dimension: str
    score: Score


@dataclass(frozen=True)
class DimensionScore:
    dimension_id: int
    name: str
    score: Score


@dataclass
class PersonResult:
    agent: RosterAgent
    items: list[ItemScore]
    dimensions: list[DimensionScore]
    overall: Score
    forms: dict[str, int]  # submitted forms by relation
    comments: list[tuple[str, str]] = field(default_factory=list)  # (relation, text)

    @property
    def rated(self) -> bool:
        return self.overall.combined is not None

    def weak_items(self, count: int = WEAK_ITEMS) -> list[ItemScore]:
        """The person's lowest items by combined score."""
        scored = [i for i in self.items if i.score.combined is not None]
        return sorted(scored, key=lambda i: i.score.combined or 0.0)[:count]


@dataclass(frozen=True)
class TeamFigure:
    """A team's mean over its people (n people) with a 95 % t interval."""

    name: str
    mean: float | None
    n: int
    interval: Interval | None
    self_mean: float | None = None
    others_mean: float | None = None
    gap: float | None = None  # mean over people with both of (self − others)
    alpha: float | None = None  # dimensions only
    alpha_rows: int = 0


@dataclass
class TeamResult:
    round: AssessmentRound
    spec: ModelSpec
    people: list[PersonResult]
    items: list[TeamFigure]
    dimensions: list[TeamFigure]
    overall: TeamFigure

    @property
    def rated_people(self) -> list[PersonResult]:
        return [p for p in self.people if p.rated]

    def weak_items(self, count: int = WEAK_ITEMS) -> list[TeamFigure]:
        """The team's lowest items by mean (with their intervals)."""
        scored = [i for i in self.items if i.mean is not None]
        return sorted(scored, key=lambda i: i.mean or 0.0)[:count]


def _score(by_source: Mapping[str, float | None], weights: Mapping[str, int]) -> Score:
    others = weighted_score({s: by_source.get(s) for s in (Relation.SUPERVISOR, Relation.PEER)},
                            weights)
    return Score(self=by_source.get(Relation.SELF), supervisor=by_source.get(Relation.SUPERVISOR),
                 peer=by_source.get(Relation.PEER), others=others,
                 combined=weighted_score(by_source, weights))


def _mean_score(scores: Sequence[Score]) -> Score:
    def avg(values: list[float | None]) -> float | None:
        return mean([v for v in values if v is not None])
    return Score(self=avg([s.self for s in scores]), supervisor=avg([s.supervisor for s in scores]),
                 peer=avg([s.peer for s in scores]), others=avg([s.others for s in scores]),
                 combined=avg([s.combined for s in scores]))


@dataclass(frozen=True)
class _Loaded:
    forms: list[AssessmentForm]
    answers: dict[int, dict[int, int]]  # form → question → score


def _load(session: Session, round_id: int) -> _Loaded:
    forms = list(session.scalars(select(AssessmentForm).where(
        AssessmentForm.round_id == round_id, AssessmentForm.status == FormStatus.SUBMITTED)
        .order_by(AssessmentForm.id)))
    answers: dict[int, dict[int, int]] = {}
    if forms:
        for form_id, question_id, score in session.execute(
                select(AssessmentAnswer.form_id, AssessmentAnswer.question_id,
                       AssessmentAnswer.score).join(
                    AssessmentForm, AssessmentForm.id == AssessmentAnswer.form_id).where(
                    AssessmentForm.round_id == round_id,
                    AssessmentForm.status == FormStatus.SUBMITTED)):
            answers.setdefault(int(form_id), {})[int(question_id)] = int(score)
    return _Loaded(forms, answers)


def person_result(found: AssessmentRound, spec: ModelSpec, agent: RosterAgent,
                  forms: Sequence[AssessmentForm], answers: Mapping[int, Mapping[int, int]]
                  ) -> PersonResult:
    """One person's scores from their submitted forms (see the module's formulas)."""
    weights = round_weights(found)
    sheets: dict[str, list[Mapping[int, int]]] = {}  # relation → the answers of each form
    for form in forms:
        sheets.setdefault(form.relation, []).append(answers.get(form.id, {}))
    items: list[ItemScore] = []
    dimensions: list[DimensionScore] = []
    for dimension in spec.dimensions:
        item_scores: list[Score] = []
        for item in dimension.items:
            question_ids = [q.id for q in item.questions if q.id is not None]
            by_source: dict[str, float | None] = {}
            for relation, relation_sheets in sheets.items():
                by_source[relation] = mean([float(sheet[q]) for sheet in relation_sheets
                                            for q in question_ids if q in sheet])
            score = _score(by_source, weights)
            item_scores.append(score)
            items.append(ItemScore(item.id or 0, item.name, dimension.name, score))
        dimensions.append(DimensionScore(dimension.id or 0, dimension.name,
                                         _mean_score(item_scores)))
    overall = _mean_score([i.score for i in items])
    counts = {r.value: sum(1 for f in forms if f.relation == r) for r in Relation}
    comments = [(f.relation, f.comment) for f in forms if f.comment]
    return PersonResult(agent, items, dimensions, overall, counts, comments)


def _team_figure(name: str, scores: Sequence[Score]) -> TeamFigure:
    combined = [s.combined for s in scores if s.combined is not None]
    gaps = [s.gap for s in scores if s.gap is not None]
    return TeamFigure(
        name=name, mean=mean(combined), n=len(combined),
        interval=t_interval_from_values(combined) if len(combined) >= 2 else None,
        self_mean=mean([s.self for s in scores if s.self is not None]),
        others_mean=mean([s.others for s in scores if s.others is not None]),
        gap=mean(gaps))


def dimension_alpha(spec: ModelSpec, dimension_index: int, forms: Sequence[AssessmentForm],
                    answers: Mapping[int, Mapping[int, int]]) -> tuple[float | None, int]:
    """Cronbach's α of a dimension's questions over the complete submitted forms; with the
    number of forms used."""
    dimension = spec.dimensions[dimension_index]
    question_ids = [q.id for item in dimension.items for q in item.questions
                    if q.id is not None]
    rows = []
    for form in forms:
        sheet = answers.get(form.id, {})
        row = [sheet.get(q) for q in question_ids]
        if None not in row:
            rows.append([float(v) for v in row if v is not None])
    return cronbach_alpha(rows), len(rows)


def compute_team_result(session: Session, found: AssessmentRound) -> TeamResult:
    """Everything of a round, without a permission check (callers check)."""
    spec = model_spec(session, found.model_id)
    loaded = _load(session, found.id)
    rated_ids = set(session.scalars(select(AssessmentForm.rated_agent_id).where(
        AssessmentForm.round_id == found.id)))
    agents = list(session.scalars(select(RosterAgent).where(RosterAgent.id.in_(rated_ids))
                                  .order_by(RosterAgent.agent_id)))
    by_agent: dict[int, list[AssessmentForm]] = {}
    for form in loaded.forms:
        by_agent.setdefault(form.rated_agent_id, []).append(form)
    people = [person_result(found, spec, agent, by_agent.get(agent.id, []), loaded.answers)
              for agent in agents]
    rated = [p for p in people if p.rated]
    items = []
    for index, item in enumerate(spec.items()):
        items.append(_team_figure(item.name, [p.items[index].score for p in rated]))
    dimensions = []
    for index, dimension in enumerate(spec.dimensions):
        figure = _team_figure(dimension.name, [p.dimensions[index].score for p in rated])
        alpha, rows = dimension_alpha(spec, index, loaded.forms, loaded.answers)
        dimensions.append(TeamFigure(figure.name, figure.mean, figure.n, figure.interval,
                                     figure.self_mean, figure.others_mean, figure.gap,
                                     alpha, rows))
    overall = _team_figure("overall", [p.overall for p in rated])
    return TeamResult(found, spec, people, items, dimensions, overall)


def team_result(session: Session, *, actor: User, round_id: int) -> TeamResult:
    """The round's results for those who may run it (open rounds show results so far)."""
    found = access.visible_round(session, actor, round_id)
    return compute_team_result(session, found)


def person_of_round(session: Session, *, actor: User, round_id: int, agent_id: int
                    ) -> tuple[TeamResult, PersonResult]:
    """One person's results, for those who may run the round (with the team's figures)."""
    result = team_result(session, actor=actor, round_id=round_id)
    for person in result.people:
        if person.agent.id == agent_id:
            return result, person
    raise RoundNotFound()


@dataclass(frozen=True)
class OwnResult:
    """What the rated agent sees: self, others and combined, never who rated what."""

    round: AssessmentRound
    person: PersonResult
    team_items: list[TeamFigure]  # the team's means, to compare with (no one's own scores)
    team_dimensions: list[TeamFigure]
    team_overall: TeamFigure
    comments: list[str]


def _anonymous_view(person: PersonResult) -> PersonResult:
    """Supervisor and peer figures folded into "others"; peers' comments only when enough
    peers submitted that none can be told apart, in a fixed (alphabetical) order."""
    def hide(score: Score) -> Score:
        return Score(self=score.self, supervisor=None, peer=None, others=score.others,
                     combined=score.combined)
    return PersonResult(
        agent=person.agent,
        items=[ItemScore(i.item_id, i.name, i.dimension, hide(i.score)) for i in person.items],
        dimensions=[DimensionScore(d.dimension_id, d.name, hide(d.score))
                    for d in person.dimensions],
        overall=hide(person.overall),
        forms={"self": person.forms.get(Relation.SELF, 0),
               "others": person.forms.get(Relation.SUPERVISOR, 0)
               + person.forms.get(Relation.PEER, 0)},
        comments=[])


def own_results(session: Session, *, actor: User) -> list[OwnResult]:
    """The actor's own results of closed rounds, newest first (none before a round closes:
    results that move as each rater submits would tell who rated what)."""
    entry = access.own_roster_entry(session, actor)
    if entry is None:
        return []
    round_ids = set(session.scalars(select(AssessmentForm.round_id).where(
        AssessmentForm.rated_agent_id == entry.id)))
    rounds = list(session.scalars(select(AssessmentRound).where(
        AssessmentRound.id.in_(round_ids), AssessmentRound.status == RoundStatus.CLOSED)
        .order_by(AssessmentRound.closed_at.desc())))
    results = []
    for found in rounds:
        team = compute_team_result(session, found)
        person = next(p for p in team.people if p.agent.id == entry.id)
        peers = person.forms.get(Relation.PEER, 0)
        comments = sorted(text for relation, text in person.comments
                          if relation == Relation.SUPERVISOR
                          or (relation == Relation.PEER and peers >= MIN_PEERS_FOR_COMMENTS))
        results.append(OwnResult(found, _anonymous_view(person), team.items, team.dimensions,
                                 team.overall, comments))
    return results


def alpha_needs() -> int:
    return MIN_ALPHA_ROWS
