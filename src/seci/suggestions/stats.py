"""Statistics of the suggestion box: adoption rate, time to answer, monthly counts per team.

Each figure is a named function over plain facts with its formula in the docstring, so the
tests compute the same numbers by hand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.core.config import get_settings
from seci.suggestions import access
from seci.suggestions.models import ADOPTED, ANSWERED, Suggestion, SuggestionStatus

NO_TEAM = ""
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class SuggestionFact:
    team: str  # NO_TEAM when the author had none
    status: str
    submitted_at: datetime  # naive UTC, as stored
    answered_at: datetime | None


@dataclass(frozen=True)
class Rate:
    part: int
    whole: int

    @property
    def value(self) -> float | None:
        return self.part / self.whole if self.whole else None


def adoption_rate(facts: Iterable[SuggestionFact]) -> Rate:
    """建议采纳率 = adopted (rewarded included) ÷ answered (adopted + declined).

    Open and withdrawn suggestions are not yet decided and stay out of both counts.
    """
    decided = [f for f in facts if f.status in ANSWERED]
    return Rate(sum(1 for f in decided if f.status in ADOPTED), len(decided))


def median_days_to_answer(facts: Iterable[SuggestionFact]) -> float | None:
    """Median over answered suggestions of (answered_at − submitted_at), in days."""
    days = [(f.answered_at - f.submitted_at).total_seconds() / SECONDS_PER_DAY
            for f in facts if f.status in ANSWERED and f.answered_at is not None]
    return median(days) if days else None


def local_month(moment: datetime) -> str:
    """'2026-11': the calendar month of a stored UTC time in the centre's time zone."""
    return moment.replace(tzinfo=UTC).astimezone(get_settings().tz).strftime("%Y-%m")


@dataclass(frozen=True)
class MonthlyCount:
    month: str
    team: str
    submitted: int  # filed in the month (withdrawn included)
    adopted: int  # of those, adopted (rewarded included)
    declined: int  # of those, declined


def monthly_counts(facts: Iterable[SuggestionFact]) -> list[MonthlyCount]:
    """Per (month of submission, team): filed, adopted and declined, by month then team.

    Counted by the month a suggestion was filed, so a month's figures describe that
    month's ideas even when they are answered later.
    """
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for fact in facts:
        cell = cells[(local_month(fact.submitted_at), fact.team)]
        cell[0] += 1
        cell[1] += fact.status in ADOPTED
        cell[2] += fact.status == SuggestionStatus.DECLINED
    return [MonthlyCount(month, team, *counts) for (month, team), counts in sorted(cells.items())]


@dataclass(frozen=True)
class TeamFigures:
    team: str
    submitted: int
    adoption: Rate
    median_days: float | None


def team_figures(facts: Sequence[SuggestionFact]) -> list[TeamFigures]:
    """Adoption rate and median time to answer per team, teams in name order."""
    by_team: dict[str, list[SuggestionFact]] = defaultdict(list)
    for fact in facts:
        by_team[fact.team].append(fact)
    return [TeamFigures(team, len(rows), adoption_rate(rows), median_days_to_answer(rows))
            for team, rows in sorted(by_team.items())]


@dataclass(frozen=True)
class SuggestionStats:
    total: int
    adoption: Rate
    median_days: float | None
    teams: list[TeamFigures]
    months: list[MonthlyCount]


def load_facts(session: Session, *, since: datetime | None = None,
               until: datetime | None = None) -> list[SuggestionFact]:
    """Suggestions filed in [since, until) as facts (no author: statistics are anonymous)."""
    query = select(Suggestion.team, Suggestion.status, Suggestion.submitted_at,
                   Suggestion.answered_at)
    if since is not None:
        query = query.where(Suggestion.submitted_at >= since)
    if until is not None:
        query = query.where(Suggestion.submitted_at < until)
    return [SuggestionFact(team or NO_TEAM, status, submitted, answered)
            for team, status, submitted, answered in session.execute(query)]


def suggestion_stats(session: Session, *, user: User, since: datetime | None = None,
                     until: datetime | None = None) -> SuggestionStats:
    """Every figure of the statistics page for suggestions filed in [since, until)."""
    access.require_stats(user)
    facts = load_facts(session, since=since, until=until)
    return SuggestionStats(len(facts), adoption_rate(facts), median_days_to_answer(facts),
                           team_figures(facts), monthly_counts(facts))
