"""Managers' page for the queues' opening hours: per queue around the clock (全天 24 小时)
or ranges per weekday ("08:00-20:00", several separated by commas), validated at each
day, audited, and answered with 409 when someone else saved the hours meanwhile."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from seci.accounts.models import Queue, User
from seci.accounts.service import list_queues, queues_by_code
from seci.assistant.errors import StaleHours, UnknownQueue
from seci.assistant.queues import (
    Opening,
    hours_fingerprint,
    is_open,
    local_now,
    openings,
    update_hours,
)
from seci.core.errors import FieldErrors
from seci.core.http import SessionDep
from seci.core.i18n import N_, gettext
from seci.core.messages import describe_problem
from seci.web.pages.assistant_rules import Configurer
from seci.web.pages.common import Form, field, redirect
from seci.web.templating import render

router = APIRouter(include_in_schema=False)

DAY_NAMES = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
ALWAYS, BY_DAY = "always", "days"
_RANGE = re.compile(r"(\d{1,2}):(\d{2})\s*[-–—~至到]\s*(\d{1,2}):(\d{2})")
_SEPARATORS = " ,;、"


# --- reading and writing the hours as text ---------------------------------------------------


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _minute(hours: str, minutes: str) -> int | None:
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and m):
        return None
    return h * 60 + m


def parse_day(text: str) -> list[tuple[int, int]]:
    """"08:00-12:00, 13:30-20:00" → [(480, 720), (810, 1200)]; empty → closed that day.
    Raises FieldErrors (field "") for bad times, a range that closes before it opens and
    overlapping ranges."""
    norm = unicodedata.normalize("NFKC", text).strip()
    found = _RANGE.findall(norm)
    if _RANGE.sub("", norm).strip(_SEPARATORS) or (norm and not found):
        raise FieldErrors([{"field": "", "code": "bad_hours", "value": text.strip()}])
    ranges = []
    for h1, m1, h2, m2 in found:
        opens, closes = _minute(h1, m1), _minute(h2, m2)
        label = f"{h1}:{m1}-{h2}:{m2}"
        if opens is None or closes is None or opens == 24 * 60:
            raise FieldErrors([{"field": "", "code": "bad_hours", "value": label}])
        if closes <= opens:
            raise FieldErrors([{"field": "", "code": "closes_before_opens", "value": label}])
        ranges.append((opens, closes))
    ranges.sort()
    for (_, first_closes), (second_opens, _) in pairwise(ranges):
        if second_opens < first_closes:
            raise FieldErrors([{"field": "", "code": "overlapping_hours",
                                "value": text.strip()}])
    return ranges


def day_texts(hours: Sequence[Opening]) -> list[str]:
    """The form's seven fields: each weekday's ranges as text."""
    return [", ".join(f"{hhmm(h.opens_minute)}-{hhmm(h.closes_minute)}"
                      for h in hours if h.weekday == day) for day in range(7)]


def hours_from_form(form: FormData) -> tuple[list[Opening], dict[str, str]]:
    """The openings the form asks for, and error messages by field (day0 … day6, mode)."""
    if field(form, "mode") == ALWAYS:
        typed = any(field(form, f"day{day}").strip() for day in range(7))
        # Typed hours under "24 hours" would be dropped without a word: ask instead.
        return [], {"mode": describe_problem({"code": "hours_with_always"})} if typed else {}
    hours: list[Opening] = []
    errors: dict[str, str] = {}
    for day in range(7):
        try:
            hours += [Opening(day, opens, closes)
                      for opens, closes in parse_day(field(form, f"day{day}"))]
        except FieldErrors as error:
            errors[f"day{day}"] = " ".join(describe_problem(p) for p in error.errors)
    if not hours and not errors:
        errors["mode"] = describe_problem({"code": "no_hours"})
    return hours, errors


def describe_hours(hours: Sequence[Opening]) -> str:
    """"Mon–Fri 08:00–20:00 · Sat 09:00–12:00"; no hours: around the clock (全天 24 小时).
    Consecutive days with the same ranges are written once."""
    if not hours:
        return gettext("24 hours, every day")
    texts = [", ".join(f"{hhmm(h.opens_minute)}–{hhmm(h.closes_minute)}"
                       for h in hours if h.weekday == day) for day in range(7)]
    parts, day = [], 0
    while day < 7:
        last = day
        while last + 1 < 7 and texts[last + 1] == texts[day]:
            last += 1
        if texts[day]:
            days = gettext(DAY_NAMES[day]) if last == day \
                else f"{gettext(DAY_NAMES[day])}–{gettext(DAY_NAMES[last])}"
            parts.append(f"{days} {texts[day]}")
        day = last + 1
    return " · ".join(parts)


# --- pages -----------------------------------------------------------------------------------


def _queue(db: Session, code: str) -> Queue:
    queue = queues_by_code(db).get(code)
    if queue is None:
        raise UnknownQueue(queue=code)
    return queue


def _edit_page(request: Request, db: Session, user: User, *, queue: Queue,
               values: dict[str, Any], errors: dict[str, str] | None = None,
               conflict: str | None = None, status_code: int = 200) -> HTMLResponse:
    return render(request, "assistant/hours_edit.html", {
        "queue": queue, "values": values, "errors": errors or {}, "conflict": conflict,
        "day_names": [gettext(d) for d in DAY_NAMES], "always": ALWAYS, "by_day": BY_DAY,
    }, user=user, status_code=status_code)


def _values_of(hours: Sequence[Opening]) -> dict[str, Any]:
    return {"mode": BY_DAY if hours else ALWAYS, "days": day_texts(hours),
            "expected": hours_fingerprint(hours)}


@router.get("/assistant/hours", response_class=HTMLResponse)
def hours_page(request: Request, db: SessionDep, user: Configurer, queue: str | None = None
               ) -> HTMLResponse:
    """Every queue's hours in words and whether it is open now; ``queue``: just saved."""
    now = local_now()
    rows = []
    for q in list_queues(db):
        hours = openings(db, q.id)
        rows.append({"queue": q, "hours": describe_hours(hours), "open": is_open(hours, now)})
    return render(request, "assistant/hours.html", {"rows": rows, "saved": queue}, user=user)


@router.get("/assistant/hours/{code}", response_class=HTMLResponse)
def edit_hours_page(request: Request, db: SessionDep, user: Configurer, code: str
                    ) -> HTMLResponse:
    queue = _queue(db, code)
    return _edit_page(request, db, user, queue=queue,
                      values=_values_of(openings(db, queue.id)))


@router.post("/assistant/hours/{code}", response_class=HTMLResponse)
def save_hours(request: Request, db: SessionDep, user: Configurer, code: str, form: Form
               ) -> Response:
    queue = _queue(db, code)
    expected = field(form, "expected")
    values: dict[str, Any] = {"mode": field(form, "mode", BY_DAY), "expected": expected,
                              "days": [field(form, f"day{d}") for d in range(7)]}
    hours, errors = hours_from_form(form)
    if errors:
        return _edit_page(request, db, user, queue=queue, values=values, errors=errors,
                          status_code=422)
    try:
        update_hours(db, actor=user, queue=queue, hours=hours, expected=expected)
    except StaleHours:
        # The manager keeps what they typed and sees what was saved meanwhile.
        db.rollback()
        current = openings(db, queue.id)
        return _edit_page(request, db, user, queue=queue,
                          values=values | {"expected": hours_fingerprint(current)},
                          conflict=describe_hours(current), status_code=409)
    return redirect("/assistant/hours", "hours_saved", queue=queue.code)
