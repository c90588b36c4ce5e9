"""REST API of incentives: the points table and ledger, the leaderboard, honours."""

from __future__ import annotations

from fastapi import APIRouter, Query

from seci.core.http import CurrentUser, SessionDep
from seci.knowledge.lookups import load_lookups
from seci.tacit import honours, incentives
from seci.tacit.models import PointEntry, PointRule
from seci.tacit.routes import ERRORS
from seci.tacit.schemas import (
    HonourCreate,
    HonourRead,
    PointAward,
    PointEntryRead,
    PointRuleRead,
    PointRuleUpdate,
    StandingRead,
)

router = APIRouter(prefix="/api/v1", tags=["incentives"])


def _rule_read(rule: PointRule) -> PointRuleRead:
    return PointRuleRead(code=rule.code, points=rule.points, active=rule.active,
                         description=rule.description)


@router.get("/points/rules", response_model=list[PointRuleRead], responses=ERRORS)
def list_rules(db: SessionDep, _user: CurrentUser) -> list[PointRuleRead]:
    """The points table: what each reason earns."""
    return [_rule_read(r) for r in incentives.list_rules(db)]


@router.put("/points/rules/{code}", response_model=PointRuleRead, responses=ERRORS)
def set_rule(code: str, body: PointRuleUpdate, db: SessionDep, user: CurrentUser
             ) -> PointRuleRead:
    """Change or add a reason (pipeline managers)."""
    return _rule_read(incentives.set_rule(db, code=code, points=body.points,
                                          active=body.active, description=body.description,
                                          actor=user))


def _entry_read(entry: PointEntry) -> PointEntryRead:
    return PointEntryRead(id=entry.id, user_id=entry.user_id, reason_code=entry.reason_code,
                          source_type=entry.source_type, source_id=entry.source_id,
                          points=entry.points, awarded_at=entry.awarded_at)


@router.post("/points", response_model=PointEntryRead | None, responses=ERRORS)
def award(body: PointAward, db: SessionDep, user: CurrentUser) -> PointEntryRead | None:
    """A manual award by a pipeline manager; idempotent per user, reason and source.
    Null when the reason is switched off."""
    entry = incentives.award_manual_points(
        db, actor=user, user_id=body.user_id, reason_code=body.reason_code,
        source_type=body.source_type, source_id=body.source_id, points=body.points)
    return _entry_read(entry) if entry else None


@router.get("/leaderboard", response_model=list[StandingRead], responses=ERRORS)
def leaderboard(db: SessionDep, _user: CurrentUser,
                period: str = Query(default="all", description="2026-11, 2026-Q4, 2026, all"),
                team: str | None = None, by_team: bool = False,
                limit: int = Query(default=50, le=500)) -> list[StandingRead]:
    """Points per person (or per team) in a period; equal points share a rank."""
    return [StandingRead(rank=s.rank, name=s.name, team=s.team, points=s.points,
                         user_id=s.user_id)
            for s in honours.leaderboard(db, period=period, team=team or None,
                                         by_team=by_team, limit=limit)]


@router.get("/honours", response_model=list[HonourRead], responses=ERRORS)
def honour_wall(db: SessionDep, _user: CurrentUser) -> list[HonourRead]:
    """The honour wall, newest first, with the method each honour was earned for."""
    wall = honours.honour_wall(db)
    look = load_lookups(db, [e.honour.user_id for e in wall])
    return [HonourRead(id=e.honour.id, kind=e.honour.kind, title=e.honour.title,
                       user=look.user_name(e.honour.user_id), team=e.honour.team,
                       citation=e.honour.citation, period=e.honour.period,
                       contribution_id=e.honour.contribution_id,
                       method_name=e.contribution.method_name if e.contribution else None,
                       awarded_at=e.honour.awarded_at) for e in wall]


@router.post("/honours", status_code=201, response_model=HonourRead, responses=ERRORS)
def award_honour(body: HonourCreate, db: SessionDep, user: CurrentUser) -> HonourRead:
    honour = honours.award_honour(db, actor=user, data=honours.HonourInput(
        kind=body.kind, title=body.title, citation=body.citation, user_id=body.user_id,
        team=body.team, contribution_id=body.contribution_id, period=body.period))
    return next(h for h in honour_wall(db, user) if h.id == honour.id)
