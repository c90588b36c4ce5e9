"""ASGI middleware: request ids, request locale, security headers, a concurrency limit."""

from __future__ import annotations

import asyncio
import re
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from seci.core.config import get_settings
from seci.core.http import LOCALE_COOKIE
from seci.core.i18n import normalise_locale, set_locale
from seci.ops.logs import REQUEST_ID, request_id_from

# Pages use no inline script or style; the Swagger page needs its inline bootstrap.
_CSP_BASE = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
             "form-action 'self'; base-uri 'self'")
_CSP = _CSP_BASE + "; frame-ancestors 'none'"
# The customer chat is the one page other sites may frame (the widget's iframe): it holds
# no staff session, and its requests carry only the conversation's own token.
EMBEDDABLE_PATHS = frozenset({"/chat"})
_NONE = "'none'"
# The article editor (Toast UI, vendored) lays out its toolbar, popups and table handles with
# style attributes; scripts stay as strict as everywhere. Stored bodies never carry styles:
# they are Markdown, rendered through nh3's allow-list (knowledge/render.py).
_CSP_EDITOR = (_CSP_BASE.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
               + "; frame-ancestors 'none'")
_EDITOR_PATHS = re.compile(r"^/kb/(new-article|articles/\d+/edit)$")
_CSP_DOCS = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
             "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'")


def embed_csp(origins: str) -> str:
    """The chat page's policy: framed only by the configured origins ('*' any)."""
    allowed = " ".join(o for o in origins.split() if o == "*" or _is_origin(o))
    return f"{_CSP_BASE}; frame-ancestors {allowed or _NONE}"


def _is_origin(value: str) -> bool:
    scheme, _, rest = value.partition("://")
    return scheme in {"http", "https"} and bool(rest) and not any(
        c in rest for c in ";,'\" ")


def security_headers(path: str) -> list[tuple[bytes, bytes]]:
    """Content-Security-Policy and friends for a response to ``path``."""
    if path in {"/api/docs", "/api/redoc"}:
        policy, frame = _CSP_DOCS, [(b"x-frame-options", b"DENY")]
    elif _EDITOR_PATHS.match(path):
        policy, frame = _CSP_EDITOR, [(b"x-frame-options", b"DENY")]
    elif path in EMBEDDABLE_PATHS:
        # No X-Frame-Options: it cannot name several origins; frame-ancestors does.
        policy, frame = embed_csp(get_settings().assistant_embed_origins), []
    else:
        policy, frame = _CSP, [(b"x-frame-options", b"DENY")]
    return [(b"content-security-policy", policy.encode()),
            (b"x-content-type-options", b"nosniff"), *frame,
            (b"referrer-policy", b"same-origin")]


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


# Probes of a load balancer or systemd must get an answer from a busy process too: they do
# no work that needs a thread or a connection held long.
UNQUEUED_PATHS = frozenset({"/healthz", "/readyz"})


def with_headers(send: Send, extra: list[tuple[bytes, bytes]]) -> Send:
    """``send`` that adds ``extra`` headers to the response's start."""

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), *extra]
        await send(message)

    return send_with_headers


class RequestId:
    """Names each request (the proxy's ``X-Request-ID`` when well formed, else a new id):
    every log line written while serving it carries the id, and so does the response, so a
    user's error report and the server's log meet."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(_header(scope, b"x-request-id") or None)
        token = REQUEST_ID.set(request_id)
        try:
            await self.app(scope, receive,
                           with_headers(send, [(b"x-request-id", request_id.encode())]))
        finally:
            REQUEST_ID.reset(token)


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
        if (scope["type"] != "http" or path.startswith("/static/") or path.endswith("/events")
                or path in UNQUEUED_PATHS):
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
        await self.app(scope, receive,
                       with_headers(send, security_headers(scope.get("path", ""))))
