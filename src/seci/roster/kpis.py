"""People figures from the roster: staff turnover (流失率) and the number of agents per
growth stage and team."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.core.errors import PermissionDenied
from seci.roster.models import RosterAgent
from seci.stats.intervals import wilson_interval


@dataclass(frozen=True)
class Turnover:
    month: date  # first day of the month
    team: str | None  # None: the whole centre
    headcount_start: int
    headcount_end: int
    leavers: int
    joiners: int

    @property
    def average_headcount(self) -> float:
        return (self.headcount_start + self.headcount_end) / 2

    @property
    def rate(self) -> float | None:
        """Monthly turnover = leavers ÷ average headcount, (start + end) / 2."""
        return self.leavers / self.average_headcount if self.average_headcount else None

    @property
    def interval(self) -> tuple[float, float] | None:
        """Wilson 95 % interval of leavers among the people employed during the month
        (start headcount + joiners): how sure the rate is for a small team."""
        exposed = self.headcount_start + self.joiners
        found = wilson_interval(min(self.leavers, exposed), exposed) if exposed else None
        return (found.lower, found.upper) if found else None


def _employed_on(agent: RosterAgent, day: date) -> bool:
    """``left_on`` (离职日期) is the agent's last working day."""
    return agent.hired_on <= day and (agent.left_on is None or agent.left_on >= day)


def month_starts(start: date, end: date) -> list[date]:
    months, current = [], start.replace(day=1)
    while current <= end:
        months.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def monthly_turnover(agents: Sequence[RosterAgent], months: Sequence[date],
                     team: str | None = None) -> list[Turnover]:
    """Turnover per month; an agent counts up to and including ``left_on``."""
    chosen = [a for a in agents if team is None or a.team == team]
    result = []
    for month in months:
        end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        result.append(Turnover(
            month, team,
            sum(1 for a in chosen if _employed_on(a, month)),
            sum(1 for a in chosen if _employed_on(a, end)),
            sum(1 for a in chosen if a.left_on is not None and month <= a.left_on <= end),
            sum(1 for a in chosen if month <= a.hired_on <= end)))
    return result


def _require_people_view(actor: User) -> None:
    if not (actor.can(Perm.CALLS_ANALYZE) or actor.can(Perm.CALLS_TEAM)):
        raise PermissionDenied()


def _visible_agents(session: Session, actor: User) -> list[RosterAgent]:
    query = select(RosterAgent)
    if not actor.can(Perm.CALLS_ANALYZE):
        query = query.where(RosterAgent.team == (actor.team or ""))
    return list(session.scalars(query.order_by(RosterAgent.team, RosterAgent.agent_id)))


def turnover_report(session: Session, *, actor: User, start: date, end: date,
                    by_team: bool = False) -> list[Turnover]:
    """Monthly turnover of the centre (or of each team) the actor may see."""
    _require_people_view(actor)
    agents = _visible_agents(session, actor)
    months = month_starts(start, end)
    if not by_team:
        return monthly_turnover(agents, months)
    return [row for team in sorted({a.team for a in agents})
            for row in monthly_turnover(agents, months, team)]


def stage_counts(session: Session, *, actor: User, on: date) -> dict[tuple[str, str], int]:
    """(team, stage) → agents employed on the day."""
    _require_people_view(actor)
    return dict(Counter((a.team, a.stage) for a in _visible_agents(session, actor)
                        if _employed_on(a, on)))


def roster_of(session: Session, *, actor: User) -> list[RosterAgent]:
    _require_people_view(actor)
    return _visible_agents(session, actor)
