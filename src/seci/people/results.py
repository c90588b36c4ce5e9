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

A round is read with one query for its submitted forms and one for all their answers, into
a form × question array; the sources' item means come from one ``np.bincount`` over
(agent, item, relation); every figure after that goes through the functions below and
``seci.stats`` (``math.fsum`` sums, ``cronbach_alpha``, ``t_interval_from_values``), so the
results are those of the per-form computation, to the last bit (benchmarks/bench_competency).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
import numpy.typing as npt
from sqlalchemy import Select, select
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
    terms: list[float] = []
    total = 0
    for source, value in means.items():
        if value is not None:
            weight = weights.get(source, 0)
            if weight > 0:
                terms.append(weight * value)
                total += weight
    return math.fsum(terms) / total if total else None


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


RELATIONS = (Relation.SELF, Relation.SUPERVISOR, Relation.PEER)  # the order of arrays
_SELF, _SUPERVISOR, _PEER = RELATIONS  # (an enum member looked up once, not per score)


def _score(by_source: Mapping[str, float | None], weights: Mapping[str, int]) -> Score:
    supervisor, peer = by_source.get(_SUPERVISOR), by_source.get(_PEER)
    return Score(self=by_source.get(_SELF), supervisor=supervisor, peer=peer,
                 others=weighted_score({_SUPERVISOR: supervisor, _PEER: peer}, weights),
                 combined=weighted_score(by_source, weights))


def _mean_score(scores: Sequence[Score]) -> Score:
    def avg(values: list[float | None]) -> float | None:
        return mean([v for v in values if v is not None])
    return Score(self=avg([s.self for s in scores]), supervisor=avg([s.supervisor for s in scores]),
                 peer=avg([s.peer for s in scores]), others=avg([s.others for s in scores]),
                 combined=avg([s.combined for s in scores]))


def _int_matrix(session: Session, query: Select[int, int, int]) -> npt.NDArray[np.int64]:
    """The rows of a query of three integer columns as an (n, 3) array, through the driver's
    cursor: a round of 2,000 agents has ~330,000 answers, and SQLAlchemy's Row objects for
    them cost more CPU than the driver's fetch itself (the statement's only values are the
    round's id and constants, rendered as literals)."""
    bind = session.connection()
    sql = str(query.compile(dialect=bind.dialect, compile_kwargs={"literal_binds": True}))
    cursor = bind.connection.cursor()
    try:
        cursor.execute(sql)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return np.fromiter(chain.from_iterable(rows), dtype=np.int64,
                       count=len(rows) * 3).reshape(len(rows), 3)


@dataclass(frozen=True)
class _Sheets:
    """A round's submitted forms and their answers as arrays (forms in id order)."""

    form_ids: list[int]
    rated: list[int]  # roster id of the rated agent, per form
    relations: list[str]
    comments: list[str]
    scores: npt.NDArray[np.float64]  # form × question of the model; NaN: not answered


def _load(session: Session, round_id: int, question_ids: Sequence[int]) -> _Sheets:
    """One query for the submitted forms, one for all their answers."""
    submitted = (AssessmentForm.round_id == round_id,
                 AssessmentForm.status == FormStatus.SUBMITTED.value)
    forms = session.execute(select(
        AssessmentForm.id, AssessmentForm.rated_agent_id, AssessmentForm.relation,
        AssessmentForm.comment).where(*submitted).order_by(AssessmentForm.id)).all()
    scores = np.full((len(forms), len(question_ids)), np.nan)
    form_ids = [int(f.id) for f in forms]
    if forms and question_ids:
        answers = _int_matrix(session, select(
            AssessmentAnswer.form_id, AssessmentAnswer.question_id, AssessmentAnswer.score)
            .join(AssessmentForm, AssessmentForm.id == AssessmentAnswer.form_id)
            .where(*submitted))
        ids = np.asarray(question_ids, dtype=np.int64)
        order = np.argsort(ids)
        column = order[np.clip(np.searchsorted(ids, answers[:, 1], sorter=order), 0,
                               len(ids) - 1)]
        known = ids[column] == answers[:, 1]  # answers to questions of the model only
        row = np.searchsorted(np.asarray(form_ids, dtype=np.int64), answers[:, 0])
        scores[row[known], column[known]] = answers[known, 2]
    return _Sheets(form_ids, [int(f.rated_agent_id) for f in forms],
                   [str(f.relation) for f in forms], [f.comment or "" for f in forms], scores)


def _source_means(sheets: _Sheets, agent_index: Mapping[int, int], item_of_question:
                  npt.NDArray[np.intp], items: int) -> npt.NDArray[np.float64]:
    """agent × item × relation (``RELATIONS``): the mean of that source's answers to the
    item's questions over its submitted forms (Σx / n of the answers; NaN for none)."""
    agents = len(agent_index)
    shape = (agents, items, len(RELATIONS))
    if not sheets.form_ids or not items:
        return np.full(shape, np.nan)
    relation_code = {r.value: i for i, r in enumerate(RELATIONS)}
    form_agent = np.array([agent_index.get(a, -1) for a in sheets.rated], dtype=np.intp)
    form_relation = np.array([relation_code.get(r, -1) for r in sheets.relations],
                             dtype=np.intp)
    rows, columns = np.nonzero(~np.isnan(sheets.scores))
    keep = (form_agent[rows] >= 0) & (form_relation[rows] >= 0)
    rows, columns = rows[keep], columns[keep]
    cell = ((form_agent[rows] * items + item_of_question[columns]) * len(RELATIONS)
            + form_relation[rows])
    size = agents * items * len(RELATIONS)
    # Integer scores: the float sums are exact, as math.fsum's are.
    totals = np.bincount(cell, weights=sheets.scores[rows, columns], minlength=size)
    counts = np.bincount(cell, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, totals / np.maximum(counts, 1), np.nan)
    return means.reshape(shape)


def person_result(found: AssessmentRound, spec: ModelSpec, agent: RosterAgent,
                  source_means: npt.NDArray[np.float64], forms: Sequence[tuple[str, str]]
                  ) -> PersonResult:
    """One person's scores (see the module's formulas) from the means of each source per
    item (item × relation, ``RELATIONS`` order; NaN: no answer) and their submitted forms
    as (relation, comment)."""
    weights = round_weights(found)
    present = [(r, relation) for r, relation in enumerate(RELATIONS)
               if any(f == relation for f, _ in forms)]
    table: list[list[float]] = source_means.tolist()
    items: list[ItemScore] = []
    dimensions: list[DimensionScore] = []
    index = 0
    for dimension in spec.dimensions:
        item_scores: list[Score] = []
        for item in dimension.items:
            row = table[index]
            by_source: dict[str, float | None] = {
                relation: None if math.isnan(row[r]) else row[r] for r, relation in present}
            score = _score(by_source, weights)
            item_scores.append(score)
            items.append(ItemScore(item.id or 0, item.name, dimension.name, score))
            index += 1
        dimensions.append(DimensionScore(dimension.id or 0, dimension.name,
                                         _mean_score(item_scores)))
    overall = _mean_score([i.score for i in items])
    counts = {r.value: sum(1 for relation, _ in forms if relation == r) for r in Relation}
    comments = [(relation, text) for relation, text in forms if text]
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


def dimension_alpha(spec: ModelSpec, dimension_index: int, scores: npt.NDArray[np.float64]
                    ) -> tuple[float | None, int]:
    """Cronbach's α of a dimension's questions over the complete submitted forms (rows of
    ``scores``, form × the model's questions, NaN: not answered); with the number of forms
    used."""
    start = sum(len(item.questions) for dimension in spec.dimensions[:dimension_index]
                for item in dimension.items)
    width = sum(len(item.questions) for item in spec.dimensions[dimension_index].items)
    block = scores[:, start:start + width]
    complete = block[~np.isnan(block).any(axis=1)]
    return cronbach_alpha(complete.tolist()), len(complete)


def compute_team_result(session: Session, found: AssessmentRound) -> TeamResult:
    """Everything of a round, without a permission check (callers check)."""
    spec = model_spec(session, found.model_id)
    questions = spec.questions()
    sheets = _load(session, found.id, [q.id or 0 for q in questions])
    agents = list(session.scalars(select(RosterAgent).where(RosterAgent.id.in_(
        select(AssessmentForm.rated_agent_id).where(AssessmentForm.round_id == found.id)))
        .order_by(RosterAgent.agent_id)))
    agent_index = {agent.id: i for i, agent in enumerate(agents)}
    item_of_question = np.array([i for i, item in enumerate(spec.items())
                                 for _ in item.questions], dtype=np.intp)
    means = _source_means(sheets, agent_index, item_of_question, len(spec.items()))
    forms_of: dict[int, list[tuple[str, str]]] = {}
    for agent_id, relation, comment in zip(sheets.rated, sheets.relations, sheets.comments,
                                           strict=True):
        forms_of.setdefault(agent_id, []).append((relation, comment))
    people = [person_result(found, spec, agent, means[index], forms_of.get(agent.id, []))
              for index, agent in enumerate(agents)]
    rated = [p for p in people if p.rated]
    items = []
    for index, item in enumerate(spec.items()):
        items.append(_team_figure(item.name, [p.items[index].score for p in rated]))
    dimensions = []
    for index, dimension in enumerate(spec.dimensions):
        figure = _team_figure(dimension.name, [p.dimensions[index].score for p in rated])
        alpha, rows = dimension_alpha(spec, index, sheets.scores)
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
