"""Errors as RFC 9457 problem details (API) or an error page (browser)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from seci.core.errors import NotAuthenticated, SeciError
from seci.core.http import optional_user
from seci.core.i18n import gettext
from seci.core.messages import describe_error, describe_problem, field_label

PROBLEM_TYPE = "urn:seci:problem:"
PROBLEM_MEDIA_TYPE = "application/problem+json"
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
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE)


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


OVERFLOW_FROM_INPUT = ("SQLite INTEGER", "date value out of range", "must have magnitude <=")
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
    if wants_json(request):
        response: Response = problem(request, status=503, code="database_busy", detail=detail)
    else:
        response = render_error_page(request, 503, detail)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


# --- the errors in the OpenAPI document ---------------------------------------------------

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `code` names the error for programs, `detail` "
                   "says it in the user's language.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"},
                   "description": "One entry per invalid field or row"},
    },
}
UNSAFE = {"post", "put", "patch", "delete"}
# Answers any operation may give, by what the operation has (FastAPI's ``responses=`` name the
# ones particular to a route, with a more precise description).
GENERIC_ERRORS = {
    "400": "The body cannot be parsed (not UTF-8 JSON or form data) (problem details)",
    "401": "Not logged in, or the token is unknown, expired or revoked (problem details)",
    "403": "Permission denied, or a cookie session's write without its CSRF token "
           "(problem details)",
    "404": "Not found or not visible to you (problem details)",
    "422": "Invalid input (problem details with `errors`)",
    "503": "The database is busy; nothing was saved, retry after `Retry-After` seconds "
           "(problem details)",
}


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def _generic_errors(path: str, method: str, dependant: Dependant,
                    operation: dict[str, Any]) -> list[str]:
    codes = []
    if "requestBody" in operation:
        codes.append("400")
    if optional_user in set(_calls(dependant)):
        codes += ["401", "403"]
    if "{" in path:
        codes.append("404")
    if "requestBody" in operation or operation.get("parameters"):
        codes.append("422")
    if method in UNSAFE:
        codes.append("503")
    return codes


def document_errors(app: FastAPI, schema: dict[str, Any]) -> dict[str, Any]:
    """Every error an API operation answers with, in the OpenAPI document: the codes the
    operation can give (by what it has: a body, a login, a path id, a write) and their
    content, ``application/problem+json`` (FastAPI would say ``application/json`` and its
    own validation-error shape)."""
    dependants = {(context.path_format, method.lower()): context.dependant
                  for context in iter_route_contexts(app.routes)
                  if isinstance(context.original_route, APIRoute)
                  for method in context.methods or ()}
    for path, operations in schema.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            dependant = dependants.get((path, method))
            if dependant is None:
                continue
            responses = operation.setdefault("responses", {})
            for code in _generic_errors(path, method, dependant, operation):
                responses.setdefault(code, {"description": GENERIC_ERRORS[code]})
            for code, response in responses.items():
                if code[0] in "45":
                    if response.get("description") in (None, "", "Validation Error"):
                        response["description"] = GENERIC_ERRORS.get(code, "Problem details")
                    response["content"] = {PROBLEM_MEDIA_TYPE: {
                        "schema": {"$ref": "#/components/schemas/Problem"}}}
            operation["responses"] = dict(sorted(responses.items()))
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return schema


def _install_document(app: FastAPI) -> None:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(app, build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI, render_error_page: Any) -> None:
    """Register the handlers (and document the errors in the OpenAPI document);
    ``render_error_page(request, status, message)`` draws HTML."""
    _install_document(app)

    @app.exception_handler(SeciError)
    async def seci_error(request: Request, error: SeciError) -> Response:
        detail = describe_error(error)
        response: Response
        if wants_json(request):
            response = problem(request, status=error.status_code, code=error.code,
                               detail=detail, extra=_extra(error))
        elif isinstance(error, NotAuthenticated) and request.method == "GET":
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        else:
            response = render_error_page(request, error.status_code, detail)
        response.headers.update(error.headers())
        return response

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
        code = {400: "malformed_body", 404: "not_found",
                405: "method_not_allowed"}.get(error.status_code, "http_error")
        if error.status_code == 400:  # FastAPI/Starlette could not parse the body
            detail = gettext("The request body cannot be read: it is not UTF-8 JSON or "
                             "well-formed form data.")
        elif error.status_code == 404:
            detail = gettext("Not found.")
        else:
            detail = str(error.detail)
        if wants_json(request):
            return problem(request, status=error.status_code, code=code, detail=detail)
        return render_error_page(request, error.status_code, detail)  # type: ignore[no-any-return]

    @app.exception_handler(DataError)
    async def unstorable_value(request: Request, error: DataError) -> Response:
        return _value_refused(request, error, render_error_page)

    @app.exception_handler(OverflowError)
    async def overflowing_value(request: Request, error: OverflowError) -> Response:
        # A number from the request beyond SQLite's integers, or a date (or a number of
        # days) that takes a date computation beyond year 1 … 9999.
        if not any(sign in str(error) for sign in OVERFLOW_FROM_INPUT):
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
