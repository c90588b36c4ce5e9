"""The QA API is served by the test app even before app.py includes its router."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from seci.app import create_app
from seci.quality.routes import router as quality_api


@pytest.fixture
def app(session_factory: sessionmaker[Session]) -> FastAPI:
    application = create_app(session_factory, background=False)
    if not any(getattr(route, "path", "").startswith(quality_api.prefix)
               for route in application.routes):
        application.include_router(quality_api)
    return application
