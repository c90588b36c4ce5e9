"""Figures for a six-step evaluation, read from the call records instead of typed in: the
trial team and a comparison team, before and after, for each metric the evaluation
compares (its own statistics then test them — difference in differences)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.calls.kpis import CallCounts, Period, slice_counts
from seci.stats.descriptive import sd_from_sums


@dataclass(frozen=True)
class CallFigure:
    metric: str  # fcr, satisfaction, repeat_complaints, handling_time (tacit.metrics)
    team_role: str  # trial, comparison
    phase: str  # before, after
    period: str
    n: int
    successes: int | None = None
    mean: float | None = None
    sd: float | None = None


def _figures(counts: CallCounts, team_role: str, phase: str, period: Period
             ) -> list[CallFigure]:
    label = f"{period.start.isoformat() if period.start else ''}~" \
            f"{period.end.isoformat() if period.end else ''}"
    found = []
    if counts.n:
        found.append(CallFigure("fcr", team_role, phase, label, counts.n, counts.fcr))
    if counts.rated:
        found.append(CallFigure("satisfaction", team_role, phase, label, counts.rated,
                                counts.satisfied))
    if counts.complaints:
        found.append(CallFigure("repeat_complaints", team_role, phase, label,
                                counts.complaints, counts.repeat_complaints))
    sd = sd_from_sums(counts.n, counts.duration_sum, counts.duration_squares)
    if sd is not None:
        found.append(CallFigure("handling_time", team_role, phase, label, counts.n,
                                mean=counts.duration_sum / counts.n, sd=sd))
    return found


def evaluation_figures(session: Session, *, actor: User, trial_team: str,
                       comparison_team: str | None, before: Period, after: Period
                       ) -> list[CallFigure]:
    """The evaluation's figures from the calls the actor may see: first-contact
    resolution (resolved of calls), satisfaction (rated 4–5 of rated), repeat complaints
    (complaints with a repeat call of complaints), handling time (mean and sd)."""
    found = []
    teams = [("trial", trial_team)] + ([("comparison", comparison_team)]
                                       if comparison_team else [])
    for role, team in teams:
        for phase, period in (("before", before), ("after", after)):
            rows = slice_counts(session, actor=actor, by=[], period=period,
                                filters={"team": team})
            found += _figures(rows[0].counts if rows else CallCounts(), role, phase, period)
    return found
