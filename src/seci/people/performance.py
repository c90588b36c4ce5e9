"""Competency against performance: each rated agent's overall (or one dimension's) combined
score against their first-contact resolution or satisfaction from the call data, or a
figure a trainer entered; Pearson and Spearman with n, 95 % interval and p-value.

The call figures cover the ``PERFORMANCE_DAYS`` days up to the day the round opened ("past
performance", source 003), from the calls each agent took in the round's team; an agent
counts only with at least ``MIN_CALLS`` calls (``MIN_RATED`` rated calls for
satisfaction). Whoever may see the round's results sees these per-agent figures of its team,
read on the system's behalf: a trainer holds no call permission of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.service import system_actor
from seci.audit.service import record
from seci.calls.kpis import Period, first_contact_resolution, satisfaction_mean, slice_counts
from seci.core.clock import as_utc
from seci.core.config import get_settings
from seci.core.errors import FieldErrors
from seci.people import access
from seci.people.errors import UnknownMeasure
from seci.people.models import AssessmentRound, PerformanceFigure
from seci.people.results import PersonResult, compute_team_result
from seci.roster.models import RosterAgent
from seci.stats.correlation import (
    MIN_CORRELATION_N,
    Correlation,
    pearson_correlation,
    spearman_correlation,
)

PERFORMANCE_DAYS = 90
MIN_CALLS = 20
MIN_RATED = 10
CALL_MEASURES = ("fcr", "satisfaction")
MAX_MEASURE = 40


@dataclass(frozen=True)
class CorrelationResult:
    measure: str
    score: str  # "overall" or a dimension's name
    points: list[tuple[RosterAgent, float, float]]  # agent, competency, performance
    pearson: Correlation | None
    spearman: Correlation | None
    need: int = MIN_CORRELATION_N

    @property
    def n(self) -> int:
        return len(self.points)


def call_figures(session: Session, found: AssessmentRound, measure: str
                 ) -> dict[str, float]:
    """Work number → FCR (share 0–1) or mean satisfaction (1–5) over the period."""
    end = as_utc(found.opened_at).astimezone(get_settings().tz).date() - timedelta(days=1)
    period = Period(start=end - timedelta(days=PERFORMANCE_DAYS - 1), end=end)
    rows = slice_counts(session, actor=system_actor(), by=["agent"], period=period,
                        filters={"team": found.team})
    figures: dict[str, float] = {}
    for row in rows:
        agent_id = str(row.keys["agent"])
        if measure == "fcr" and row.counts.n >= MIN_CALLS:
            value = first_contact_resolution(row.counts).value
        elif measure == "satisfaction" and row.counts.rated >= MIN_RATED:
            value = satisfaction_mean(row.counts).value
        else:
            continue
        if value is not None:
            figures[agent_id] = value
    return figures


def entered_measures(session: Session, round_id: int) -> list[str]:
    return list(session.scalars(select(PerformanceFigure.measure).where(
        PerformanceFigure.round_id == round_id).distinct().order_by(PerformanceFigure.measure)))


def measures(session: Session, *, actor: User, round_id: int) -> list[str]:
    """The call measures, then what trainers entered for this round."""
    access.visible_round(session, actor, round_id)
    return [*CALL_MEASURES, *entered_measures(session, round_id)]


def _entered(session: Session, round_id: int, measure: str) -> dict[str, float]:
    return {agent_id: value for agent_id, value in session.execute(
        select(RosterAgent.agent_id, PerformanceFigure.value)
        .join(RosterAgent, RosterAgent.id == PerformanceFigure.roster_agent_id)
        .where(PerformanceFigure.round_id == round_id, PerformanceFigure.measure == measure))}


def _competency(person: PersonResult, score: str) -> float | None:
    if score == "overall":
        return person.overall.combined
    for dimension in person.dimensions:
        if dimension.name == score:
            return dimension.score.combined
    return None


def competency_correlation(session: Session, *, actor: User, round_id: int, measure: str,
                           score: str = "overall") -> CorrelationResult:
    """Pearson's r and Spearman's ρ between each rated agent's combined score (overall or a
    dimension) and the measure, over agents with both; None figures when n < 4."""
    found = access.visible_round(session, actor, round_id)
    if measure in CALL_MEASURES:
        figures = call_figures(session, found, measure)
    elif measure in entered_measures(session, round_id):
        figures = _entered(session, round_id, measure)
    else:
        raise UnknownMeasure(value=measure)
    team = compute_team_result(session, found)
    if score != "overall" and score not in {d.name for d in team.spec.dimensions}:
        raise UnknownMeasure(value=score)
    points = []
    for person in team.rated_people:
        x = _competency(person, score)
        y = figures.get(person.agent.agent_id)
        if x is not None and y is not None:
            points.append((person.agent, x, y))
    xs, ys = [p[1] for p in points], [p[2] for p in points]
    return CorrelationResult(measure=measure, score=score, points=points,
                             pearson=pearson_correlation(xs, ys),
                             spearman=spearman_correlation(xs, ys))


def parse_figure_lines(text: str) -> dict[str, float]:
    """Lines of "work number, value" (comma, tab or space; full-width comma too)."""
    values: dict[str, float] = {}
    errors: list[dict[str, object]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        cleaned = line.replace("，", ",").replace("\t", ",").strip()
        if not cleaned:
            continue
        parts = [p.strip() for p in cleaned.replace(" ", ",").split(",") if p.strip()]
        try:
            if len(parts) != 2:
                raise ValueError(line)
            values[parts[0]] = float(parts[1])
        except ValueError:
            errors.append({"field": "figures", "code": "competency_bad_figure",
                           "value": number})
    if errors:
        raise FieldErrors(errors)
    return values


def set_figures(session: Session, *, actor: User, round_id: int, measure: str,
                values: dict[str, float]) -> int:
    """Replace a measure's figures for the round's agents (work number → value); returns
    how many were stored."""
    found = access.visible_round(session, actor, round_id)
    name = measure.strip()
    errors: list[dict[str, object]] = []
    if not name:
        errors.append({"field": "measure", "code": "required"})
    elif len(name) > MAX_MEASURE or name in CALL_MEASURES:
        errors.append({"field": "measure", "code": "too_long", "max": MAX_MEASURE}
                      if len(name) > MAX_MEASURE
                      else {"field": "measure", "code": "competency_reserved_measure",
                            "value": name})
    rated = {p.agent.agent_id: p.agent for p in compute_team_result(session, found).people}
    unknown = [agent_id for agent_id in values if agent_id not in rated]
    errors.extend({"field": "figures", "code": "competency_not_rated", "value": agent_id}
                  for agent_id in unknown)
    if errors:
        raise FieldErrors(errors)
    session.execute(delete(PerformanceFigure).where(PerformanceFigure.round_id == found.id,
                                                    PerformanceFigure.measure == name))
    session.add_all(PerformanceFigure(round_id=found.id, roster_agent_id=rated[a].id,
                                      measure=name, value=v) for a, v in values.items())
    session.flush()
    record(session, actor=actor, action="competency.figures", entity_type="competency_round",
           entity_id=found.id, summary=f"{name}: {len(values)}")
    return len(values)
