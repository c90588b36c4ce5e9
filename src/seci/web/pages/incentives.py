"""Pages of incentives: the honour wall, the leaderboard and the points table."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.core.clock import today
from seci.core.http import CurrentUser, SessionDep
from seci.knowledge.lookups import load_lookups
from seci.tacit import honours, incentives
from seci.tacit.models import Contribution, HonourKind
from seci.web.pages.common import Form, field, optional_int, redirect
from seci.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/tacit/honours", response_class=HTMLResponse)
def honour_wall(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    """Honours with their citations, and the methods named after their authors."""
    wall = honours.honour_wall(db)
    methods = honours.named_methods(db)
    look = load_lookups(db, [e.honour.user_id for e in wall] + [m.author_id for m in methods])
    manage = user.can(Perm.TACIT_MANAGE)
    return render(request, "tacit/honours.html", {
        "wall": wall, "methods": methods, "look": look, "kinds": list(HonourKind),
        "people": list(db.scalars(select(User).where(User.is_active.is_(True),
                                                     User.id != user.id)
                                  .order_by(User.display_name))) if manage else [],
        "contributions": list(db.scalars(select(Contribution).order_by(
            Contribution.id.desc()).limit(100))) if manage else [],
        "teams": honours.teams(db), "period": today().strftime("%Y-%m"),
    }, user=user)


@router.post("/tacit/honours")
def award_honour(db: SessionDep, user: CurrentUser, form: Form) -> Response:
    honours.award_honour(db, actor=user, data=honours.HonourInput(
        kind=field(form, "kind"), title=field(form, "title"),
        citation=field(form, "citation"), user_id=optional_int(field(form, "user_id")),
        team=field(form, "team") or None,
        contribution_id=optional_int(field(form, "contribution_id")),
        period=field(form, "period")))
    return redirect("/tacit/honours", "honour_awarded")


@router.get("/tacit/leaderboard", response_class=HTMLResponse)
def leaderboard(request: Request, db: SessionDep, user: CurrentUser,
                period: str | None = None, team: str | None = None,
                by_team: str | None = None) -> HTMLResponse:
    """Points per person or team, this month unless another period is chosen."""
    period = (period or today().strftime("%Y-%m")).strip()
    return render(request, "tacit/leaderboard.html", {
        "standings": honours.leaderboard(db, period=period, team=team or None,
                                         by_team=by_team == "1"),
        "period": period, "team": team or "", "by_team": by_team == "1",
        "teams": honours.teams(db), "this_year": today().year,
    }, user=user)


@router.get("/tacit/points", response_class=HTMLResponse)
def points_table(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    return render(request, "tacit/points.html", {"rules": incentives.list_rules(db)},
                  user=user)


@router.post("/tacit/points")
def set_rule(db: SessionDep, user: CurrentUser, form: Form) -> Response:
    incentives.set_rule(db, code=field(form, "code"),
                        points=optional_int(field(form, "points")) or 0,
                        active=field(form, "active") == "on",
                        description=field(form, "description"), actor=user)
    return redirect("/tacit/points", "saved")
