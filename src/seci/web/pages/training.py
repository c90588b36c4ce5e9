"""Training plan pages (培训计划): the trainer's overview (team progress, plans, reminders,
plans made from a round in one step, monthly plans), a plan's editor with its agents'
progress, the month's proposals from SECI's evidence, and the agent's 我的培训计划 (works
on a phone)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from seci.accounts.models import User
from seci.core.clock import stored_utc, today
from seci.core.config import get_settings
from seci.core.errors import FieldErrors, SeciError
from seci.core.http import CurrentUser, SessionDep
from seci.core.i18n import N_
from seci.core.messages import describe_error
from seci.people import access, monthly, plans, progress, rounds
from seci.people.errors import AgentNotFound, ExamItemByAttempt
from seci.people.models import RoundStatus
from seci.web.pages.common import (
    Form,
    field,
    labeller,
    messages_by_field,
    page_with_flash,
    redirect,
)

router = APIRouter(include_in_schema=False)

LABELS: dict[str, dict[str, str]] = {
    "plan_kind": {"common": N_("Common plan"), "personal": N_("Personal plan"),
                  "monthly": N_("Monthly on-job training")},
    "plan_status": {"active": N_("In progress"), "closed": N_("Closed")},
    "item_kind": {"lesson": N_("Lesson"), "article": N_("Knowledge article"),
                  "session": N_("Live session"), "exam": N_("Exam")},
    "item_source": {"manual": N_("Added by hand"), "weak_item": N_("Weak item"),
                    "search": N_("Searched without a good answer"),
                    "gap": N_("Knowledge gap from calls"), "feedback": N_("Correction (纠错)"),
                    "new_knowledge": N_("New knowledge")},
    "pair_status": {"active": N_("In progress"), "succeeded": N_("Goal reached"),
                    "ended": N_("Ended")},
    "measure": {"fcr": N_("First-contact resolution"), "satisfaction": N_("Satisfaction")},
}
FLASH = {
    "plans_made": N_("Plans made from the round's results; edit them below."),
    "plan_saved": N_("Plan saved."),
    "item_added": N_("Item added."),
    "item_removed": N_("Item removed."),
    "item_done": N_("Well done, marked as done."),
    "proposals_added": N_("The chosen proposals were added to the plan."),
    "assigned": N_("Assigned."),
    "recorded": N_("Recorded."),
    "pair_created": N_("Coaching pair formed."),
    "pair_ended": N_("Coaching pair ended."),
    "reassessment_opened": N_("Re-assessment round opened with the same model."),
}


tlabel = labeller(LABELS)


def page(request: Request, user: User, name: str, context: dict[str, Any],
         status_code: int = 200) -> HTMLResponse:
    return page_with_flash(request, user, f"competency/{name}", context | {"tlabel": tlabel},
                           FLASH, status_code)


def parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


def parse_number(value: str) -> float | None:
    try:
        return float(value.strip()) if value.strip() else None
    except ValueError:
        return None


# --- the trainer's overview ---------------------------------------------------------------

GENERATE_FIELDS = ("round_id", "threshold", "margin", "due_on")
MONTHLY_FIELDS = ("team", "month", "title")


def _plans_page(request: Request, db: SessionDep, user: User, *,
                values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                status_code: int = 200) -> HTMLResponse:
    all_plans = progress.team_progress(db, actor=user)
    made_from = {p.plan.round_id for p in all_plans} | {
        p.round_id for p in plans.list_plans(db, actor=user)}
    closed = [r for r in rounds.list_rounds(db, actor=user)
              if r.status == RoundStatus.CLOSED and r.id not in made_from]
    return page(request, user, "plans.html", {
        "summaries": progress.team_summaries(all_plans), "plans": all_plans,
        "reminders": progress.reminders(db, actor=user), "rounds": closed,
        "teams": rounds.list_teams(db, actor=user),
        "values": values or {"threshold": "3.5", "margin": "0.3",
                             "month": today().strftime("%Y-%m")},
        "errors": errors or {}, "today": today(),
    }, status_code)


@router.get("/competency/plans", response_class=HTMLResponse)
def plans_overview(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    """Team progress, the plans, reminders (overdue first), making plans from a round."""
    access.require_assessor(user)
    return _plans_page(request, db, user)


@router.post("/competency/plans/generate")
def generate(request: Request, db: SessionDep, user: CurrentUser, form: Form) -> Response:
    values = {name: field(form, name) for name in GENERATE_FIELDS}
    try:
        round_id = int(values["round_id"]) if values["round_id"].isdigit() else 0
        made = plans.generate_plans(
            db, actor=user, round_id=round_id, due_on=parse_day(values["due_on"]),
            rules=plans.PlanRules(parse_number(values["threshold"]) or -1.0,
                                  parse_number(values["margin"]) or 0.0))
    except FieldErrors as error:
        return _plans_page(request, db, user, values=values,
                           errors=messages_by_field(error, GENERATE_FIELDS), status_code=422)
    except SeciError as error:
        if error.status_code == 404:
            raise
        return _plans_page(request, db, user, values=values,
                           errors={"": describe_error(error)}, status_code=error.status_code)
    first = made.common or (made.personal[0] if made.personal else None)
    if first is None:
        return redirect("/competency/plans", "plans_made")
    return redirect(f"/competency/plans/{first.id}", "plans_made")


@router.post("/competency/plans/monthly")
def create_monthly(request: Request, db: SessionDep, user: CurrentUser, form: Form
                   ) -> Response:
    values = {name: field(form, name) for name in MONTHLY_FIELDS}
    month = parse_day(values["month"] + "-01") if len(values["month"]) == 7 else None
    try:
        if month is None:
            raise FieldErrors([{"field": "month", "code": "required"}])
        plan = plans.create_monthly_plan(db, actor=user, team=values["team"], month=month,
                                         title=values["title"])
    except FieldErrors as error:
        return _plans_page(request, db, user, values=values,
                           errors=messages_by_field(error, MONTHLY_FIELDS), status_code=422)
    return redirect(f"/competency/plans/{plan.id}/monthly", month=values["month"])


# --- one plan -----------------------------------------------------------------------------

ITEM_FIELDS = ("kind", "title", "body", "article_id", "exam_id", "session_at", "place")
PLAN_FIELDS = ("title", "description", "due_on", "status")


def _plan_page(request: Request, db: SessionDep, user: User, plan_id: int, *,
               values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
               status_code: int = 200) -> HTMLResponse:
    state = progress.plan_progress(db, actor=user, plan_id=plan_id)
    return page(request, user, "plan.html", {
        "state": state, "plan": state.plan, "values": values or {"kind": "lesson"},
        "errors": errors or {},
    }, status_code)


@router.get("/competency/plans/{plan_id}", response_class=HTMLResponse)
def plan_view(request: Request, db: SessionDep, user: CurrentUser, plan_id: int
              ) -> HTMLResponse:
    return _plan_page(request, db, user, plan_id)


def _int_or_none(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


def _session_at(value: str) -> datetime | None:
    """A datetime-local field (the centre's local time) as stored: naive UTC."""
    try:
        local = datetime.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None
    return stored_utc(local.replace(tzinfo=get_settings().tz)) if local else None


@router.post("/competency/plans/{plan_id}/items")
def add_item(request: Request, db: SessionDep, user: CurrentUser, form: Form, plan_id: int
             ) -> Response:
    values = {name: field(form, name) for name in ITEM_FIELDS}
    try:
        plans.add_item(db, actor=user, plan_id=plan_id, data=plans.ItemInput(
            kind=values["kind"], title=values["title"], body=values["body"],
            article_id=_int_or_none(values["article_id"]),
            exam_id=_int_or_none(values["exam_id"]),
            session_at=_session_at(values["session_at"]), place=values["place"]))
    except FieldErrors as error:
        return _plan_page(request, db, user, plan_id, values=values,
                          errors=messages_by_field(error, ITEM_FIELDS), status_code=422)
    return redirect(f"/competency/plans/{plan_id}", "item_added")


@router.post("/competency/plans/{plan_id}/items/{item_id}/remove")
def remove_item(db: SessionDep, user: CurrentUser, form: Form, plan_id: int, item_id: int
                ) -> Response:
    del form  # checked for its CSRF token
    plans.remove_item(db, actor=user, plan_id=plan_id, item_id=item_id)
    return redirect(f"/competency/plans/{plan_id}", "item_removed")


@router.post("/competency/plans/{plan_id}")
def save_plan(request: Request, db: SessionDep, user: CurrentUser, form: Form, plan_id: int
              ) -> Response:
    values = {name: field(form, name) for name in PLAN_FIELDS}
    try:
        plans.update_plan(db, actor=user, plan_id=plan_id, data=plans.PlanUpdate(
            title=values["title"], description=values["description"],
            due_on=parse_day(values["due_on"]), status=values["status"] or "active"))
    except FieldErrors as error:
        return _plan_page(request, db, user, plan_id,
                          errors=messages_by_field(error, PLAN_FIELDS), status_code=422)
    return redirect(f"/competency/plans/{plan_id}", "plan_saved")


@router.post("/competency/plans/{plan_id}/assign")
def assign(request: Request, db: SessionDep, user: CurrentUser, form: Form, plan_id: int
           ) -> Response:
    numbers = [n.strip() for n in field(form, "agent_ids").replace("，", ",").split(",")
               if n.strip()]
    try:
        plans.assign(db, actor=user, plan_id=plan_id, agent_ids=numbers)
    except FieldErrors as error:
        return _plan_page(request, db, user, plan_id,
                          errors=messages_by_field(error, ("agent_ids",)), status_code=422)
    return redirect(f"/competency/plans/{plan_id}", "assigned")


@router.post("/competency/plans/{plan_id}/items/{item_id}/record")
def record(request: Request, db: SessionDep, user: CurrentUser, form: Form, plan_id: int,
           item_id: int) -> Response:
    try:
        progress.record_completion(db, actor=user, item_id=item_id,
                                   agent_id=field(form, "agent_id").strip())
    except (AgentNotFound, ExamItemByAttempt) as error:
        # A work number not on the plan is the trainer's typo: said on the same page.
        return _plan_page(request, db, user, plan_id, errors={"": describe_error(error)},
                          status_code=422 if isinstance(error, AgentNotFound) else 409)
    return redirect(f"/competency/plans/{plan_id}", "recorded")


# --- the month's proposals --------------------------------------------------------------------

def _month(value: str | None) -> date:
    parsed = parse_day(f"{value}-01") if value and len(value) == 7 else None
    return parsed or today().replace(day=1)


@router.get("/competency/plans/{plan_id}/monthly", response_class=HTMLResponse)
def proposals(request: Request, db: SessionDep, user: CurrentUser, plan_id: int,
              month: str | None = Query(None)) -> HTMLResponse:
    """Lessons for the month from searches without answers, gaps, 纠错 and new knowledge."""
    plan = access.visible_plan(db, user, plan_id)
    chosen = _month(month)
    present = {i.source_ref for i in plans.plan_items(db, plan.id)}
    return page(request, user, "plan_monthly.html", {
        "plan": plan, "month": chosen.strftime("%Y-%m"), "present": present,
        "proposals": monthly.propose_monthly_content(db, actor=user, month=chosen)})


@router.post("/competency/plans/{plan_id}/monthly")
def add_proposals(db: SessionDep, user: CurrentUser, form: Form, plan_id: int) -> Response:
    month = _month(field(form, "month"))
    keys = [k for k in form.getlist("keys") if isinstance(k, str)]
    try:
        monthly.add_proposals(db, actor=user, plan_id=plan_id, month=month, keys=keys)
    except FieldErrors:
        return redirect(f"/competency/plans/{plan_id}/monthly", month=month.strftime("%Y-%m"))
    return redirect(f"/competency/plans/{plan_id}", "proposals_added")


# --- the agent's side -----------------------------------------------------------------------

@router.get("/competency/my-plans", response_class=HTMLResponse)
def my_plans(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    """我的培训计划: my plans, their lessons to read and what I have done."""
    return page(request, user, "plan_mine.html", {
        "plans": progress.my_plans(db, actor=user), "today": today()})


@router.get("/competency/my-plans/items/{item_id}", response_class=HTMLResponse)
def my_item(request: Request, db: SessionDep, user: CurrentUser, item_id: int
            ) -> HTMLResponse:
    """One lesson or item, full text, with the button to mark it done."""
    item, plan, done = progress.own_item(db, actor=user, item_id=item_id)
    return page(request, user, "plan_item.html", {"item": item, "plan": plan, "done": done})


@router.post("/competency/my-plans/items/{item_id}/done")
def mark_done(request: Request, db: SessionDep, user: CurrentUser, form: Form, item_id: int
              ) -> Response:
    del form  # checked for its CSRF token
    try:
        progress.mark_done(db, actor=user, item_id=item_id)
    except SeciError as error:
        if error.status_code == 404:
            raise
        item, plan, done = progress.own_item(db, actor=user, item_id=item_id)
        return page(request, user, "plan_item.html", {
            "item": item, "plan": plan, "done": done, "error": describe_error(error)},
            status_code=error.status_code)
    return redirect("/competency/my-plans", "item_done")
