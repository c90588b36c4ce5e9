"""Errors as RFC 9457 problem details (API) or an error page (browser)."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from seci.core.errors import NotAuthenticated, SeciError
from seci.core.i18n import gettext
from seci.core.messages import describe_error, describe_problem, field_label

PROBLEM_TYPE = "urn:seci:problem:"
logger = logging.getLogger("seci.web")


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", "")


def problem(request: Request, *, status: int, code: str, detail: str,
            extra: dict[str, Any] | None = None) -> JSONResponse:
    body = {
        "type": PROBLEM_TYPE + code,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.url.path,
        **(extra or {}),
    }
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def _translated_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e | {"message": describe_problem(e),
                 "label": field_label(str(e.get("field") or e.get("column") or ""))}
            for e in errors]


def _extra(error: SeciError) -> dict[str, Any]:
    extra = error.extra()
    if "errors" in extra:
        extra["errors"] = _translated_errors(extra["errors"])
    if "report" in extra:
        extra["report"]["errors"] = _translated_errors(extra["report"]["errors"])
    return extra


def _value_refused(request: Request, error: Exception, render_error_page: Any) -> Response:
    """A value from the request that the database cannot hold or compare: a number beyond
    its integers, a NUL character PostgreSQL refuses in text. The client's input, not a
    fault of the server: 422, and the transaction was rolled back."""
    logger.warning("refused an unstorable value on %s: %s", request.url.path,
                   str(error).splitlines()[0][:200])
    detail = gettext("A value in the request is out of range or holds a character that "
                     "cannot be stored (such as NUL).")
    if wants_json(request):
        return problem(request, status=422, code="value_out_of_range", detail=detail)
    return render_error_page(request, 422, detail)  # type: ignore[no-any-return]


RETRY_AFTER_SECONDS = 5


def is_database_busy(error: Exception) -> bool:
    """SQLite's "database is locked": a writer waited its whole turn (another process held
    the write lock longer than the busy timeout, e.g. a large import's merge)."""
    return isinstance(error, OperationalError) and "database is locked" in str(error)


def _database_busy(request: Request, render_error_page: Any) -> Response:
    """Nothing was written (the transaction was rolled back) and trying again later
    works: 503 with Retry-After, never a 500."""
    logger.warning("database busy on %s %s; answered 503", request.method, request.url.path)
    detail = gettext("The database is busy with other work (such as a large import); "
                     "nothing was saved. Try again in a moment.")
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if wants_json(request):
        response: Response = problem(request, status=503, code="database_busy", detail=detail)
    else:
        response = render_error_page(request, 503, detail)
    response.headers.update(headers)
    return response


def install(app: FastAPI, render_error_page: Any) -> None:
    """Register the handlers; ``render_error_page(request, status, message)`` draws HTML."""

    @app.exception_handler(SeciError)
    async def seci_error(request: Request, error: SeciError) -> Response:
        detail = describe_error(error)
        if wants_json(request):
            return problem(request, status=error.status_code, code=error.code, detail=detail,
                           extra=_extra(error))
        if isinstance(error, NotAuthenticated) and request.method == "GET":
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        return render_error_page(request, error.status_code, detail)  # type: ignore[no-any-return]

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        errors = [
            {"field": ".".join(str(p) for p in e.get("loc", ())[1:]) or "body",
             "code": e.get("type", "invalid"), "message": str(e.get("msg", ""))}
            for e in error.errors()
        ]
        detail = gettext("Some fields are invalid.")
        if wants_json(request):
            return problem(request, status=422, code="validation_failed", detail=detail,
                           extra={"errors": errors})
        return render_error_page(request, 422, detail)  # type: ignore[no-any-return]

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        detail = gettext("Not found.") if error.status_code == 404 else str(error.detail)
        if wants_json(request):
            return problem(request, status=error.status_code, code=code, detail=detail)
        return render_error_page(request, error.status_code, detail)  # type: ignore[no-any-return]

    @app.exception_handler(DataError)
    async def unstorable_value(request: Request, error: DataError) -> Response:
        return _value_refused(request, error, render_error_page)

    @app.exception_handler(OverflowError)
    async def overflowing_value(request: Request, error: OverflowError) -> Response:
        if "SQLite INTEGER" not in str(error):
            return await unexpected_error(request, error)
        return _value_refused(request, error, render_error_page)

    @app.exception_handler(OperationalError)
    async def operational_error(request: Request, error: OperationalError) -> Response:
        if is_database_busy(error):
            return _database_busy(request, render_error_page)
        return await unexpected_error(request, error)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, error: Exception) -> Response:
        # Logged by the server; the client gets a plain message, never a stack trace.
        logger.exception("unhandled error on %s", request.url.path, exc_info=error)
        detail = gettext("Something went wrong on the server; nothing was saved.")
        if wants_json(request):
            return problem(request, status=500, code="internal_error", detail=detail)
        return render_error_page(request, 500, detail)  # type: ignore[no-any-return]
