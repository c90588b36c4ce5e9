"""Coaching pages (传帮带, 一对一结对子): the pairs and coach teams, a new pair, one pair's
figures against its goal and ending it; and the closed loop of a round: the re-assessment in
one step, the change per item with paired tests, the KPIs against a comparison team, and
whether another round is due (and why)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from seci.accounts.models import User
from seci.core.clock import today
from seci.core.errors import FieldErrors, SeciError
from seci.core.http import CurrentUser, SessionDep
from seci.core.messages import describe_error
from seci.people import access, coaching, competency, loop, rounds
from seci.people.models import RoundStatus
from seci.web.pages.common import Form, field, messages_by_field, redirect
from seci.web.pages.training import page, parse_day, parse_number

router = APIRouter(include_in_schema=False)

PAIR_FIELDS = ("coach", "mentee", "starts_on", "ends_on", "goal", "coach_team", "round_id",
               "target_item_id", "target_score", "target_fcr")


def _item_choices(db: SessionDep, user: User) -> list[tuple[int, str]]:
    """(item id, name) of the models the actor's rounds use."""
    seen: dict[int, str] = {}
    for found in rounds.list_rounds(db, actor=user):
        for item in competency.model_spec(db, found.model_id).items():
            if item.id is not None:
                seen.setdefault(item.id, item.name)
    return sorted(seen.items(), key=lambda pair: pair[1])


def _pairs_page(request: Request, db: SessionDep, user: User, *,
                values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                status_code: int = 200) -> HTMLResponse:
    start = today()
    return page(request, user, "coaching.html", {
        "pairs": coaching.list_pairs(db, actor=user),
        "rounds": [r for r in rounds.list_rounds(db, actor=user)
                   if r.status == RoundStatus.CLOSED],
        "items": _item_choices(db, user),
        "values": values or {"starts_on": start.isoformat(),
                             "ends_on": (start + timedelta(days=90)).isoformat()},
        "errors": errors or {},
    }, status_code)


@router.get("/competency/coaching", response_class=HTMLResponse)
def pairs(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    """The pairs (grouped by coach team) and a form for a new one."""
    access.require_assessor(user)
    return _pairs_page(request, db, user)


def _int_or_none(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


@router.post("/competency/coaching")
def create_pair(request: Request, db: SessionDep, user: CurrentUser, form: Form) -> Response:
    values = {name: field(form, name) for name in PAIR_FIELDS}
    fcr = parse_number(values["target_fcr"])
    try:
        pair = coaching.create_pair(db, actor=user, data=coaching.PairInput(
            coach=values["coach"], mentee=values["mentee"],
            starts_on=parse_day(values["starts_on"]), ends_on=parse_day(values["ends_on"]),
            goal=values["goal"], coach_team=values["coach_team"],
            round_id=_int_or_none(values["round_id"]),
            target_item_id=_int_or_none(values["target_item_id"]),
            target_score=parse_number(values["target_score"]),
            # Typed as a percentage on the page.
            target_fcr=fcr / 100 if fcr is not None else None))
    except FieldErrors as error:
        return _pairs_page(request, db, user, values=values,
                           errors=messages_by_field(error, PAIR_FIELDS), status_code=422)
    return redirect(f"/competency/coaching/{pair.id}", "pair_created")


def _pair_page(request: Request, db: SessionDep, user: User, pair_id: int, *,
               errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
               status_code: int = 200) -> HTMLResponse:
    return page(request, user, "coaching_pair.html", {
        "t": coaching.track_pair(db, actor=user, pair_id=pair_id), "errors": errors or {},
        "values": values or {}}, status_code)


@router.get("/competency/coaching/{pair_id}", response_class=HTMLResponse)
def pair(request: Request, db: SessionDep, user: CurrentUser, pair_id: int) -> HTMLResponse:
    """The mentee's competency item, exams and FCR against the pair's goal."""
    return _pair_page(request, db, user, pair_id)


@router.post("/competency/coaching/{pair_id}/end")
def end_pair(request: Request, db: SessionDep, user: CurrentUser, form: Form, pair_id: int
             ) -> Response:
    values = {name: field(form, name) for name in ("outcome", "honour_title", "succeeded")}
    try:
        coaching.end_pair(db, actor=user, pair_id=pair_id, data=coaching.PairEnd(
            succeeded=values["succeeded"] == "yes", outcome=values["outcome"],
            honour_title=values["honour_title"]))
    except FieldErrors as error:
        return _pair_page(request, db, user, pair_id, values=values, status_code=422,
                          errors=messages_by_field(error, ("outcome", "honour_title")))
    except SeciError as error:
        if error.status_code == 404:
            raise
        return _pair_page(request, db, user, pair_id, values=values,
                          errors={"": describe_error(error)}, status_code=error.status_code)
    return redirect(f"/competency/coaching/{pair_id}", "pair_ended")


# --- the closed loop ----------------------------------------------------------------------------

def _loop_page(request: Request, db: SessionDep, user: User, round_id: int,
               comparison: str | None, *, errors: dict[str, str] | None = None,
               status_code: int = 200) -> HTMLResponse:
    report = loop.loop_report(db, actor=user, round_id=round_id, comparison_team=comparison)
    context: dict[str, Any] = {
        "r": report, "comparison": comparison or "",
        "teams": [t for t in rounds.list_teams(db, actor=user) if t != report.first.team],
        "errors": errors or {},
        "deadline": (today() + timedelta(days=14)).isoformat(),
    }
    return page(request, user, "plan_loop.html", context, status_code)


@router.get("/competency/rounds/{round_id}/loop", response_class=HTMLResponse)
def loop_view(request: Request, db: SessionDep, user: CurrentUser, round_id: int,
              comparison_team: str | None = Query(None)) -> HTMLResponse:
    """Before/after of a round and its re-assessment, and whether another round is due."""
    return _loop_page(request, db, user, round_id, comparison_team)


@router.post("/competency/rounds/{round_id}/reassess")
def reassess(request: Request, db: SessionDep, user: CurrentUser, form: Form, round_id: int
             ) -> Response:
    try:
        loop.open_reassessment(db, actor=user, round_id=round_id,
                               deadline=parse_day(field(form, "deadline")),
                               title=field(form, "title"))
    except FieldErrors as error:
        return _loop_page(request, db, user, round_id, None, status_code=422,
                          errors=messages_by_field(error, ("deadline", "title")))
    except SeciError as error:
        if error.status_code == 404:
            raise
        return _loop_page(request, db, user, round_id, None, status_code=error.status_code,
                          errors={"": describe_error(error)})
    return redirect(f"/competency/rounds/{round_id}/loop", "reassessment_opened")
