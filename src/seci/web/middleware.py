"""ASGI middleware: request locale and security headers."""

from __future__ import annotations

import asyncio
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from seci.core.config import get_settings
from seci.core.http import LOCALE_COOKIE
from seci.core.i18n import normalise_locale, set_locale

# Pages use no inline script or style; the Swagger page needs its inline bootstrap.
_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'self'")
_CSP_DOCS = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
             "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'")


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def pick_locale(scope: Scope) -> str:
    """?lang= → cookie → Accept-Language (API clients only) → configured default."""
    query = parse_qs(scope.get("query_string", b"").decode())
    cookie = SimpleCookie()
    cookie.load(_header(scope, b"cookie"))
    candidates = [query.get("lang", [None])[0]]
    if LOCALE_COOKIE in cookie:
        candidates.append(cookie[LOCALE_COOKIE].value)
    if scope.get("path", "").startswith("/api/"):
        accept = _header(scope, b"accept-language").split(",")[0].split(";")[0]
        candidates.append(accept or None)
    for candidate in candidates:
        if locale := normalise_locale(candidate):
            return locale
    return normalise_locale(get_settings().default_locale) or "zh_CN"


class ConcurrencyLimit:
    """Admit at most ``limit`` requests into the application at once per process.

    Each request holds a worker thread and a database connection; without a limit a burst of
    clients takes every thread, the threads wait for pooled connections and the process
    stalls. Requests beyond the limit wait here, in the event loop, holding neither.
    Static files bypass the line, and so do event streams (paths ending in ``/events``):
    a stream is open for many seconds but holds no thread or connection while it waits.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self._semaphore: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith("/static/") or path.endswith("/events"):
            await self.app(scope, receive, send)
            return
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.limit)
        async with self._semaphore:
            await self.app(scope, receive, send)


class LocaleAndHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        set_locale(pick_locale(scope))
        docs = scope.get("path", "") in {"/api/docs", "/api/redoc"}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", (_CSP_DOCS if docs else _CSP).encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
