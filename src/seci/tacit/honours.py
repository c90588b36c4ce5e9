"""Step 5, the spiritual side (精神奖励): honours with a citation, the honour wall and the
leaderboard per period and team."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.audit.service import record
from seci.core.config import get_settings
from seci.core.errors import FieldErrors, InvalidInput
from seci.tacit.models import Contribution, Honour, HonourKind, PointEntry, Status
from seci.tacit.workflow import get_contribution, require_perm

PERIOD = re.compile(r"^(?:(\d{4})-(\d{2})|(\d{4})-Q([1-4])|(\d{4})|all)$")


@dataclass(frozen=True)
class HonourInput:
    kind: str
    title: str
    citation: str
    user_id: int | None = None
    team: str | None = None
    contribution_id: int | None = None
    period: str = ""


def award_honour(session: Session, *, data: HonourInput, actor: User) -> Honour:
    """An honour for a person or a team, with the citation read out on the wall."""
    require_perm(actor, Perm.TACIT_MANAGE)
    problems: list[dict[str, object]] = []
    if data.kind not in set(HonourKind):
        problems.append({"field": "kind", "code": "invalid_choice", "value": data.kind})
    for name in ("title", "citation"):
        if not getattr(data, name).strip():
            problems.append({"field": name, "code": "required"})
    if data.user_id is None and not (data.team or "").strip():
        problems.append({"field": "user_id", "code": "required"})
    if data.user_id is not None and data.user_id == actor.id:
        problems.append({"field": "user_id", "code": "self_honour"})
    if data.user_id is not None and session.get(User, data.user_id) is None:
        problems.append({"field": "user_id", "code": "invalid_choice", "value": data.user_id})
    if problems:
        raise FieldErrors(problems)
    if data.contribution_id is not None:
        get_contribution(session, contribution_id=data.contribution_id)
    honour = Honour(kind=data.kind, title=data.title.strip()[:80], user_id=data.user_id,
                    team=(data.team or "").strip()[:80] or None,
                    contribution_id=data.contribution_id, citation=data.citation.strip(),
                    period=data.period.strip()[:20], awarded_by_id=actor.id)
    session.add(honour)
    session.flush()
    record(session, actor=actor, action="honour.award", entity_type="honour",
           entity_id=honour.id, summary=f"{honour.title} {honour.team or ''}".strip(),
           after={"kind": data.kind, "user_id": data.user_id, "team": honour.team,
                  "contribution_id": data.contribution_id})
    return honour


@dataclass(frozen=True)
class WallEntry:
    honour: Honour
    contribution: Contribution | None


def honour_wall(session: Session, *, limit: int = 100) -> list[WallEntry]:
    """Newest honours first, each with the method it was earned for."""
    rows = session.execute(
        select(Honour, Contribution)
        .outerjoin(Contribution, Contribution.id == Honour.contribution_id)
        .order_by(Honour.awarded_at.desc(), Honour.id.desc()).limit(limit))
    return [WallEntry(h, c) for h, c in rows]


def named_methods(session: Session) -> list[Contribution]:
    """Best practices whose method carries its author's or team's name."""
    return list(session.scalars(
        select(Contribution).where(Contribution.method_name.is_not(None),
                                   Contribution.status.in_([Status.EVALUATING,
                                                            Status.EVALUATED]))
        .order_by(Contribution.id.desc())))


def period_bounds(period: str) -> tuple[datetime | None, datetime | None]:
    """'2026-11', '2026-Q4', '2026' or 'all' as UTC bounds [start, end) of local days."""
    match = PERIOD.match(period.strip())
    if match is None:
        raise InvalidInput(detail=period)
    month_year, month, quarter_year, quarter, year, *_ = match.groups()
    if month_year:
        start = (int(month_year), int(month))
        months = 1
    elif quarter_year:
        start = (int(quarter_year), 3 * (int(quarter) - 1) + 1)
        months = 3
    elif year:
        start, months = (int(year), 1), 12
    else:
        return None, None
    if not 1 <= start[1] <= 12:
        raise InvalidInput(detail=period)
    end_index = start[0] * 12 + start[1] - 1 + months
    end = (end_index // 12, end_index % 12 + 1)
    return _local_midnight_utc(*start), _local_midnight_utc(*end)


def _local_midnight_utc(year: int, month: int) -> datetime:
    local = datetime(year, month, 1, tzinfo=get_settings().tz)
    return local.astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Standing:
    rank: int
    name: str  # a person's display name, or a team
    team: str | None
    points: int
    user_id: int | None = None


def leaderboard(session: Session, *, period: str = "all", team: str | None = None,
                by_team: bool = False, limit: int = 50) -> list[Standing]:
    """Points per person (or per team) in the period; equal points share a rank."""
    start, end = period_bounds(period)
    total = func.sum(PointEntry.points)
    key = PointEntry.team if by_team else PointEntry.user_id
    stmt = select(key, total).group_by(key).order_by(total.desc(), key).limit(limit)
    if start is not None and end is not None:
        stmt = stmt.where(PointEntry.awarded_at >= start, PointEntry.awarded_at < end)
    if team:
        stmt = stmt.where(PointEntry.team == team)
    if by_team:
        stmt = stmt.where(PointEntry.team.is_not(None))
    rows = session.execute(stmt).all()
    users = {} if by_team else {u.id: u for u in session.scalars(
        select(User).where(User.id.in_([r[0] for r in rows])))}
    standings: list[Standing] = []
    for position, (who, points) in enumerate(rows, start=1):
        rank = standings[-1].rank if standings and standings[-1].points == points \
            else position
        if by_team:
            standings.append(Standing(rank, str(who), str(who), int(points)))
        else:
            user = users[cast(int, who)]
            standings.append(Standing(rank, user.display_name, user.team, int(points),
                                      user.id))
    return standings


def teams(session: Session) -> list[str]:
    """Teams that appear in the ledger or among users, for filters."""
    names = set(session.scalars(select(User.team).where(User.team.is_not(None))))
    names |= set(session.scalars(select(PointEntry.team).where(PointEntry.team.is_not(None))))
    return sorted(n for n in names if n)
