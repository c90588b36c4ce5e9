"""Helpers shared by the HTML pages."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData

from seci.accounts.models import User
from seci.core.errors import FieldErrors
from seci.core.http import optional_user, verify_csrf
from seci.core.i18n import gettext
from seci.core.messages import describe_problem
from seci.web.templating import render


async def checked_form(request: Request,
                       _user: Annotated[User | None, Depends(optional_user)]) -> FormData:
    """The posted form, after its CSRF token was verified against the session."""
    form = await request.form()
    token = form.get("csrf_token")
    verify_csrf(request, token if isinstance(token, str) else None)
    return form


Form = Annotated[FormData, Depends(checked_form)]


def field(form: FormData, name: str, default: str = "") -> str:
    value = form.get(name)
    return value if isinstance(value, str) else default


def optional_int(value: str | None) -> int | None:
    """Query parameters from GET forms arrive as '' when a select shows 'all'."""
    return int(value) if value and value.strip().isdigit() else None


def ids(form: FormData, name: str) -> list[int]:
    """All integer values of a multi-valued field (checkboxes), ignoring anything else."""
    return [int(v) for v in form.getlist(name) if isinstance(v, str) and v.isdigit()]


def redirect(url: str, flash: str | None = None, **params: object) -> RedirectResponse:
    query = {k: v for k, v in params.items() if v is not None}
    if flash:
        query["flash"] = flash
    separator = "&" if "?" in url else "?"
    target = url + (separator + urlencode(query) if query else "")
    return RedirectResponse(target, status_code=303)


def safe_next(target: str | None) -> str:
    """Only same-site paths after login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def messages_by_field(error: FieldErrors, fields: Collection[str]) -> dict[str, str]:
    """A form's problems as text by field name, to show next to each field; problems of
    other fields go under "" (the form as a whole)."""
    messages: dict[str, str] = {}
    for problem in error.errors:
        name = str(problem.get("field") or "")
        name = name if name in fields else ""
        messages[name] = " ".join(filter(None, (messages.get(name), describe_problem(problem))))
    return messages


Labeller = Callable[[str, str | None], str]


def labeller(labels: Mapping[str, Mapping[str, str]]) -> Labeller:
    """A page family's ``label(kind, code)``: the code's word from ``labels`` in the reader's
    language, the code itself when it has none, "" for None."""

    def label(kind: str, code: str | None) -> str:
        if code is None:
            return ""
        text = labels.get(kind, {}).get(code)
        return gettext(text) if text else code

    return label


def page_with_flash(request: Request, user: User, template: str, context: dict[str, Any],
                    flashes: Mapping[str, str], status_code: int = 200) -> HTMLResponse:
    """Render ``template``, with the confirmation that ``?flash=`` names (from ``flashes``)."""
    flash = flashes.get(request.query_params.get("flash", ""))
    if flash:
        context = context | {"flash": gettext(flash)}
    return render(request, template, context, user=user, status_code=status_code)
