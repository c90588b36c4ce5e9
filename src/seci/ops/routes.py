"""``/healthz`` (the process answers) and ``/readyz`` (it can serve: database, schema, Redis)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from seci.core.config import get_settings
from seci.ops.health import OK, readiness

router = APIRouter(tags=["operations"])

NO_CACHE = {"Cache-Control": "no-store"}


@router.get("/healthz", responses={200: {"description": "The process is alive"}})
def healthz() -> JSONResponse:
    """Liveness: answers without touching the database (restart the process if it fails)."""
    return JSONResponse({"status": OK}, headers=NO_CACHE)


@router.get("/readyz", responses={
    200: {"description": "Ready: every check is `ok`"},
    503: {"description": "Not ready: `checks` names what is not, and why"}})
def readyz(request: Request) -> JSONResponse:
    """Readiness: the database answers, its migrations are at the code's head and, with
    SECI_REDIS_URL, Redis answers."""
    checks = readiness(request.app.state.sessionmaker, redis_url=get_settings().redis_url)
    failing = sorted(name for name, result in checks.items() if result != OK)
    body: dict[str, Any] = {"status": OK if not failing else "not_ready",
                            "not_ready": failing, "checks": checks}
    return JSONResponse(body, status_code=503 if failing else 200, headers=NO_CACHE)
