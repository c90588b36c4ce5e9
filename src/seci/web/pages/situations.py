"""The situation lexicon for knowledge managers (检索 > 情境词库): entries, add, edit,
disable, reset, a box that shows which entries fire on a query, and a check of the lexicon
against callers' sentences pasted in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from seci.core.errors import Conflict, FieldErrors, NotFound, SeciError
from seci.core.http import CurrentUser, SessionDep
from seci.core.messages import describe_error, describe_problem, field_label
from seci.retrieval import situation_rules as sit
from seci.retrieval.engine import PRICE_WEIGHT
from seci.web.pages.common import Form, field, optional_int, redirect
from seci.web.templating import render

router = APIRouter(include_in_schema=False)
STATES = ("shipped", "edited", "local", "disabled")
FORM_FIELDS = ("pattern", "concepts", "example", "area", "note")
# Problem sentences a check lists on the page (the API returns them all).
SHOWN_PROBLEMS = 300


def _page(request: Request, db: SessionDep, user: CurrentUser, *, q: str = "",
          text: str = "", area: str = "", state: str = "", error: str | None = None,
          form: dict[str, str] | None = None, status_code: int = 200,
          check: sit.SentenceCheck | None = None, check_lines: str = "") -> HTMLResponse:
    # The service checks the permission (list_entries and try_query take the actor).
    entries = sit.list_entries(db, actor=user, text=text, area=area,
                               state=state if state in STATES else "")
    trial = None
    if q.strip():
        engine = request.app.state.search_engine
        engine.sync(db)
        trial = sit.try_query(actor=user, lexicon=engine.situations,
                              tokenize=engine.analyzer.tokens, query=q.strip(),
                              segment=engine.analyzer.cut, prices=engine.named_prices)
    return render(request, "search/situations.html", {
        "entries": entries, "areas": sit.areas(db), "states": STATES, "q": q,
        "trial": trial, "price_weight": PRICE_WEIGHT,
        "check": check, "check_lines": check_lines,
        "max_check_lines": sit.MAX_CHECK_LINES, "shown_problems": SHOWN_PROBLEMS,
        "filters": {"text": text, "area": area, "state": state},
        "error": error, "form": form or {}, "total": len(sit.list_entries(db, actor=user)),
    }, user=user, status_code=status_code)


@router.get("/kb/situations", response_class=HTMLResponse)
def situations_page(request: Request, db: SessionDep, user: CurrentUser, q: str = "",
                    text: str = "", area: str = "", state: str = "") -> HTMLResponse:
    """The lexicon, filtered, with the "try a query" box."""
    return _page(request, db, user, q=q[:500], text=text[:200], area=area[:40],
                 state=state)


def _entry_input(form: Form) -> sit.EntryInput:
    return sit.EntryInput(field(form, "pattern"), field(form, "concepts"),
                          field(form, "example"), field(form, "area"), field(form, "note"))


def _form_error(error: SeciError) -> str:
    if isinstance(error, FieldErrors):
        return " ".join(f"{field_label(str(p.get('field')))}: {describe_problem(p)}"
                        for p in error.errors)
    return describe_error(error)


@router.post("/kb/situations", response_class=HTMLResponse)
def create_situation(request: Request, db: SessionDep, user: CurrentUser, form: Form
                     ) -> Response:
    try:
        entry = sit.create_entry(db, actor=user, data=_entry_input(form))
    except (FieldErrors, Conflict) as error:
        db.rollback()
        return _page(request, db, user, error=_form_error(error), status_code=422,
                     form={name: field(form, name) for name in FORM_FIELDS})
    return redirect("/kb/situations", "saved", text=entry.key)


@router.post("/kb/situations/check", response_class=HTMLResponse)
def check_situations(request: Request, db: SessionDep, user: CurrentUser, form: Form
                     ) -> HTMLResponse:
    """Check the lexicon against callers' sentences pasted in (``key<TAB>sentence`` or a
    sentence alone); declared before ``/kb/situations/{key}``, which would take "check"."""
    lines = field(form, "lines")
    engine = request.app.state.search_engine
    engine.sync(db)
    try:
        check = sit.check_sentences(actor=user, lexicon=engine.situations, text=lines,
                                    segment=engine.analyzer.cut)
    except FieldErrors as error:
        return _page(request, db, user, error=_form_error(error), status_code=422,
                     check_lines=lines)
    return _page(request, db, user, check=check, check_lines=lines)


@router.post("/kb/situations/{key}", response_class=HTMLResponse)
def change_situation(request: Request, db: SessionDep, user: CurrentUser, key: str,
                     form: Form) -> Response:
    """Save an edit, or disable, enable or reset an entry (``action``)."""
    expected = optional_int(field(form, "lock_version")) or 0
    action = field(form, "action")
    try:
        if action in ("disable", "enable"):
            sit.set_enabled(db, actor=user, key=key, expected_lock_version=expected,
                            enabled=action == "enable")
        elif action == "reset":
            sit.reset_entry(db, actor=user, key=key, expected_lock_version=expected)
        else:
            sit.update_entry(db, actor=user, key=key, expected_lock_version=expected,
                             data=_entry_input(form))
    except (FieldErrors, Conflict, NotFound) as error:
        db.rollback()
        return _page(request, db, user, text=key, error=_form_error(error),
                     status_code=error.status_code)
    return redirect("/kb/situations", "saved", text=key)
