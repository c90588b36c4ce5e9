"""Jinja2 environment: message catalog, labels, safe Markdown, CSRF token."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from seci import __version__
from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.core.config import get_settings
from seci.core.i18n import LOCALES, get_locale, gettext, ngettext
from seci.knowledge.agent_notes import render_marked
from seci.knowledge.render import plain_snippet, render_markdown
from seci.web.labels import audit_summary, field_value, flash_message, label, shipped_note
from seci.web.navigation import menu_for

TEMPLATE_DIR = Path(__file__).parent / "templates"


def _local_time(value: datetime | None) -> str:
    if value is None:
        return ""
    offset = get_settings().tz.utcoffset(value) or timedelta()
    return (value + offset).strftime("%Y-%m-%d %H:%M")


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _markdown(text: str) -> Markup:
    return Markup(render_markdown(text))  # noqa: S704 - sanitised by nh3 in render_markdown


def agent_only_label() -> str:
    return gettext("For agents only: never shown to customers")


def _article_body(text: str) -> Markup:
    """An article body for staff, its agent-only parts marked (knowledge.agent_notes)."""
    return Markup(render_marked(text, agent_only_label()))  # noqa: S704 - parts sanitised


@lru_cache
def templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    engine = Jinja2Templates(env=env)
    # Not "newstyle": our gettext formats {placeholders} itself (str.format, like the rest
    # of SECI); the result is a plain string and is autoescaped like any other value.
    env.install_gettext_callables(gettext, ngettext, newstyle=False)  # type: ignore[attr-defined]
    env.globals.update(
        label=label,
        field_value=field_value,
        shipped_note=shipped_note,
        audit_summary=audit_summary,
        Perm=Perm,
        locales=LOCALES,
        version=__version__,
        urlencode=urlencode,
    )
    env.filters.update(
        markdown=_markdown,
        article_body=_article_body,
        snippet=plain_snippet,
        local_time=_local_time,
        day=_day,
    )
    return engine


def here_url(request: Request) -> str:
    """This page's path and query string, without the one-time ``flash`` (where the language
    switch comes back to)."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "flash"]
    return request.url.path + ("?" + urlencode(query) if query else "")


def render(request: Request, name: str, context: dict[str, Any] | None = None,
           *, user: User | None = None, status_code: int = 200) -> HTMLResponse:
    """Render a page with what every layout needs."""
    base = {
        "user": user,
        "locale": get_locale(),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "flash": flash_message(request.query_params.get("flash")),
        "path": request.url.path,
        "here": here_url(request),
        "nav": menu_for(user, request.url.path) if user is not None else None,
    }
    return templates().TemplateResponse(request, name, base | (context or {}),
                                        status_code=status_code)
