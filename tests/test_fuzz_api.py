"""The whole REST API fuzzed from its own OpenAPI document (schemathesis + hypothesis).

Every operation gets generated requests, valid and invalid, each sent in-process as an
admin, an agent and an anonymous caller. Each answer must not be a server error (no 5xx,
ever) and must conform to the document: a documented status code, the documented content
type and a body that matches the response schema (timestamps included: they carry a UTC
offset).

By default a few examples per operation, so the module stays within a few minutes on two
cores. For a longer hunt (see docs/api.md):

    SECI_FUZZ_EXAMPLES=100 SECI_FUZZ_COVERAGE=1 .venv/bin/pytest tests/test_fuzz_api.py -n 2

``SECI_FUZZ_EXAMPLES`` is the number of random requests per operation and role;
``SECI_FUZZ_COVERAGE=1`` adds schemathesis' coverage phase (boundary values, missing and
wrongly typed fields for every parameter: hundreds of requests per operation). Add
``SECI_TEST_DATABASE_URL=...`` for PostgreSQL. A failure prints the request as a curl
command.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from schemathesis import checks as builtin
from schemathesis.config import SchemathesisConfig
from schemathesis.python.asgi import ASGIClient
from schemathesis.specs.openapi import checks as openapi
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from seci.app import create_app
from tests.factories import World, bearer, make_article

EXAMPLES = int(os.environ.get("SECI_FUZZ_EXAMPLES", "3"))
COVERAGE = os.environ.get("SECI_FUZZ_COVERAGE", "") == "1"
ROLES = ("admin", "agent", None)  # None: anonymous, no Authorization header


def _document() -> dict[str, Any]:
    """The OpenAPI document as the app serves it (building it needs no database)."""
    return create_app(sessionmaker(bind=create_engine("sqlite://")),
                      background=False).openapi()


schema = schemathesis.openapi.from_dict(_document(), config=SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"enabled": COVERAGE}}}))

CheckFunction = Callable[..., Any]
CHECKS: list[CheckFunction] = [
    builtin.not_a_server_error,
    openapi.status_code_conformance,
    openapi.content_type_conformance,
    openapi.response_schema_conformance,
]

# Conformance checks that cannot pass for an operation yet, with the reason. Never
# `not_a_server_error`: a 5xx is always a bug.
EXCLUDED: dict[str, list[CheckFunction]] = {}


@pytest.fixture
def fuzz_client(app: FastAPI, client: TestClient, db: Session,
                world: World) -> ASGIClient:
    """Requests go to the test's app (its lifespan runs under ``client``); one published
    article gives the path parameters something real to hit now and then."""
    make_article(db, world)
    return ASGIClient(app)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_api_conforms_and_never_fails(case: schemathesis.Case, fuzz_client: ASGIClient,
                                      db: Session, world: World) -> None:
    if case.path.endswith("/events"):
        # Server-sent events hold the connection open for up to `wait` seconds.
        case.query = {**(case.query or {}), "wait": 0}
    excluded = EXCLUDED.get(f"{case.method.upper()} {case.path}", [])
    checks = [check for check in CHECKS if check not in excluded]
    for role in ROLES:
        headers = bearer(db, world, role) if role else {}
        try:
            case.call_and_validate(session=fuzz_client, base_url="http://testserver",
                                   headers=headers, checks=checks)
        except Exception as failure:
            failure.add_note(f"(sent as {role or 'anonymous'})")
            raise
