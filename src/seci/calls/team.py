"""A team lead's view of their team: each agent's KPIs with where they stand on the
team's funnel, how much new knowledge they have not read, and their open 纠错."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.calls.kpis import KPIS, CallCounts, Figure, Period, slice_counts
from seci.core.config import get_settings
from seci.core.errors import PermissionDenied
from seci.knowledge.models import ArticleFeedback, FeedbackStatus
from seci.knowledge.push import unread_count
from seci.roster.models import RosterAgent
from seci.stats.funnel import FunnelPosition, proportion_funnel
from seci.stats.summaries import Proportion

OPEN_FEEDBACK = (FeedbackStatus.OPEN, FeedbackStatus.ACCEPTED)


@dataclass(frozen=True)
class AgentRow:
    agent_id: str
    name: str
    stage: str | None
    user: User | None
    counts: CallCounts
    fcr_position: FunnelPosition | None  # on the team's 95 % funnel
    unread: int | None  # new knowledge not yet read (None: no SECI login linked)
    open_flags: int | None  # 纠错 filed and not yet closed

    def figure(self, kpi: str) -> Figure:
        return KPIS[kpi](self.counts)


def require_team_view(actor: User, team: str) -> None:
    """Team leads see their own team; analysts and managers any team."""
    if actor.can(Perm.CALLS_ANALYZE):
        return
    if not (actor.can(Perm.CALLS_TEAM) and actor.team == team):
        raise PermissionDenied()


def _open_flags(session: Session, user_ids: list[int]) -> dict[int, int]:
    if not user_ids:
        return {}
    rows = session.execute(select(ArticleFeedback.reporter_id, func.count()).where(
        ArticleFeedback.reporter_id.in_(user_ids),
        ArticleFeedback.status.in_(OPEN_FEEDBACK)).group_by(ArticleFeedback.reporter_id))
    return {int(user_id): int(n) for user_id, n in rows}


def team_overview(session: Session, *, actor: User, team: str, period: Period
                  ) -> dict[str, Any]:
    """The team's agents (roster and anyone who took the team's calls) with their
    figures; the team's totals."""
    require_team_view(actor, team)
    rows = slice_counts(session, actor=actor, by=["agent"], period=period,
                        filters={"team": team})
    counts = {str(r.keys["agent"]): r.counts for r in rows}
    roster = {a.agent_id: a for a in session.scalars(
        select(RosterAgent).where(RosterAgent.team == team, RosterAgent.left_on.is_(None)))}
    agent_ids = sorted(set(counts) | set(roster))
    extra = {a.agent_id: a for a in session.scalars(
        select(RosterAgent).where(RosterAgent.agent_id.in_(
            [i for i in agent_ids if i not in roster])))}
    people = roster | extra
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(
        [a.user_id for a in people.values() if a.user_id is not None])))}
    flags = _open_flags(session, list(users))
    positions = _fcr_positions(counts)
    days = get_settings().new_knowledge_days
    agents = []
    for agent_id in agent_ids:
        person = people.get(agent_id)
        user = users.get(person.user_id) if person and person.user_id else None
        agents.append(AgentRow(
            agent_id=agent_id, name=person.name if person else agent_id,
            stage=person.stage if person else None, user=user,
            counts=counts.get(agent_id, CallCounts()), fcr_position=positions.get(agent_id),
            unread=unread_count(session, user=user, days=days) if user else None,
            open_flags=flags.get(user.id, 0) if user else None))
    total = CallCounts()
    for c in counts.values():
        total = total + c
    return {"agents": agents, "total": total}


def _fcr_positions(counts: dict[str, CallCounts]) -> dict[str, FunnelPosition]:
    units = {agent: Proportion(c.fcr, c.n) for agent, c in counts.items() if c.n}
    if len(units) < 2:
        return {}
    return {p.unit: p.position_95 for p in proportion_funnel(units)
            if p.position_95 is not None}
