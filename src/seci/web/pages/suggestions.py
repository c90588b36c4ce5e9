"""Suggestion box pages (金点子): submit and my suggestions, the department inbox, one
suggestion with its answer and reward, the statistics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from seci.accounts.service import users_by_id
from seci.core.errors import FieldErrors
from seci.core.http import CurrentUser, SessionDep
from seci.suggestions import access, queries, service, stats
from seci.suggestions.departments import departments_of
from seci.web.pages.common import Form, field, messages_by_field, redirect
from seci.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/suggestions", response_class=HTMLResponse)
def box(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    """Submit a suggestion; what I filed and what became of it."""
    return _box_page(request, db, user)


def _box_page(request: Request, db: SessionDep, user: CurrentUser, *,
              values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
              status_code: int = 200) -> HTMLResponse:
    return render(request, "suggestions/box.html", {
        "categories": service.list_categories(db),
        "mine": queries.my_suggestions(db, user=user),
        "is_overdue": service.is_overdue,
        "answers_suggestions": access.answers_suggestions(user),
        "values": values or {}, "errors": errors or {},
    }, user=user, status_code=status_code)


SUBMIT_FIELDS = ("title", "body", "category", "anonymous")


@router.post("/suggestions")
def submit(request: Request, db: SessionDep, user: CurrentUser, form: Form) -> Response:
    values = {name: field(form, name) for name in SUBMIT_FIELDS}
    try:
        suggestion = service.submit_suggestion(
            db, author=user, title=values["title"], body=values["body"],
            category=values["category"], anonymous=values["anonymous"] == "on")
    except FieldErrors as error:  # shown at the fields, nothing typed is lost
        return _box_page(request, db, user, values=values,
                         errors=messages_by_field(error, SUBMIT_FIELDS), status_code=422)
    return redirect(f"/suggestions/{suggestion.id}", "suggestion_sent")


@router.get("/suggestions/inbox", response_class=HTMLResponse)
def inbox(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    """Suggestions routed to my departments, earliest deadline first."""
    return render(request, "suggestions/inbox.html", {
        "open": queries.department_inbox(db, user=user),
        "recent": [s for s in queries.department_inbox(db, user=user, open_only=False)
                   if s.status != "submitted"][:20],
        "departments": sorted(departments_of(user)),
        "is_overdue": service.is_overdue,
    }, user=user)


@router.get("/suggestions/stats", response_class=HTMLResponse)
def statistics(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    """Adoption rate, time to answer, per team and per month; the overdue list."""
    return render(request, "suggestions/stats.html", {
        "stats": stats.suggestion_stats(db, user=user),
        "overdue": queries.overdue_suggestions(db, user=user),
    }, user=user)


@router.get("/suggestions/{suggestion_id}", response_class=HTMLResponse)
def detail(request: Request, db: SessionDep, user: CurrentUser, suggestion_id: int
           ) -> HTMLResponse:
    return _detail_page(request, db, user, suggestion_id)


def _detail_page(request: Request, db: SessionDep, user: CurrentUser, suggestion_id: int, *,
                 values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                 status_code: int = 200) -> HTMLResponse:
    s = service.get_visible_suggestion(db, user=user, suggestion_id=suggestion_id)
    people = users_by_id(db, [i for i in (s.author_id, s.answered_by_id, s.rewarded_by_id)
                              if i is not None])
    return render(request, "suggestions/detail.html", {
        "s": s, "people": people, "overdue": service.is_overdue(s),
        "show_author": access.author_visible(user, s),
        "may_answer": access.may_answer(user, s),
        "may_reward": access.may_reward(user, s),
        "values": values or {}, "errors": errors or {},
    }, user=user, status_code=status_code)


@router.post("/suggestions/{suggestion_id}/answer")
def answer(request: Request, db: SessionDep, user: CurrentUser, form: Form,
           suggestion_id: int) -> Response:
    reason = field(form, "reason")
    try:
        service.answer_suggestion(db, suggestion_id=suggestion_id, actor=user,
                                  adopt=field(form, "decision") == "adopt", reason=reason)
    except FieldErrors as error:
        return _detail_page(request, db, user, suggestion_id, values={"reason": reason},
                            errors=messages_by_field(error, ("reason",)), status_code=422)
    return redirect(f"/suggestions/{suggestion_id}", "suggestion_answered")


@router.post("/suggestions/{suggestion_id}/reward")
def reward(db: SessionDep, user: CurrentUser, form: Form, suggestion_id: int) -> Response:
    bonus = field(form, "bonus_yuan", "0").strip() or "0"
    service.reward_suggestion(db, suggestion_id=suggestion_id, actor=user,
                              bonus_yuan=int(bonus) if bonus.isdigit() else -1,
                              red_flower=field(form, "red_flower") == "on",
                              citation=field(form, "citation"))
    return redirect(f"/suggestions/{suggestion_id}", "suggestion_rewarded")


@router.post("/suggestions/{suggestion_id}/withdraw")
def withdraw(db: SessionDep, user: CurrentUser, form: Form, suggestion_id: int) -> Response:
    del form  # checked for its CSRF token
    service.withdraw_suggestion(db, suggestion_id=suggestion_id, actor=user)
    return redirect(f"/suggestions/{suggestion_id}", "suggestion_withdrawn")
