"""Assemble the web application: API routers, pages, static assets, error handling."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker

from seci import __version__
from seci.accounts.models import User
from seci.accounts.routes import router as accounts_api
from seci.accounts.service import resolve_web_session
from seci.assistant.generation import writer_from_settings
from seci.assistant.rewriting import rewriter_from_settings
from seci.assistant.routes import router as assistant_api
from seci.audit.routes import router as audit_api
from seci.calls.routes import router as calls_api
from seci.core.config import get_settings
from seci.core.db import get_sessionmaker
from seci.core.http import SESSION_COOKIE
from seci.jobs.routes import router as jobs_api
from seci.jobs.runner import JobRunner
from seci.knowledge.routes import router as knowledge_api
from seci.knowledge.usage import ViewCounter
from seci.linkage.routes import router as linkage_api
from seci.mining.routes import router as mining_api
from seci.ops.routes import router as health_routes
from seci.people.certification_routes import router as certifications_api
from seci.people.certification_routes import stages_router as stages_api
from seci.people.exam_routes import router as exams_api
from seci.people.routes import router as people_api
from seci.quality.routes import router as quality_api
from seci.retrieval.calibration_routes import router as calibration_api
from seci.retrieval.embeddings import encoder_from_settings
from seci.retrieval.engine import BackgroundSync, SearchEngine
from seci.retrieval.routes import router as search_api
from seci.retrieval.tasks import queue_calibration_if_due
from seci.retrieval.vectors import VectorRanker
from seci.suggestions.routes import router as suggestions_api
from seci.tacit.incentive_routes import router as incentives_api
from seci.tacit.routes import router as tacit_api
from seci.tasks import LANES, TASKS
from seci.web import problems
from seci.web.middleware import ConcurrencyLimit, LocaleAndHeaders, RequestId
from seci.web.pages import router as pages
from seci.web.templating import render

STATIC_DIR = Path(__file__).parent / "web" / "static"
SWAGGER_DIR = Path(fastapi_offline.__file__).parent / "static"

DESCRIPTION = """
SECI knowledge-base API. Authenticate with `Authorization: Bearer <token>`
(get one from `POST /api/v1/auth/token` or `seci user token`). Every error is an
RFC 9457 problem document with a stable `code`.
"""


def _search_engine(background: bool) -> SearchEngine:
    """The process's search engine, with neural ranking when the settings ask for it (a
    setting that points at nothing usable stops the start with its reason)."""
    settings = get_settings()
    encoder = encoder_from_settings(settings)
    vectors = VectorRanker(encoder) if encoder is not None else None
    return SearchEngine(train_inline=not background, vectors=vectors,
                        neural_weight=settings.neural_weight)


def create_app(session_factory: sessionmaker[Session] | None = None,
               background: bool = True) -> FastAPI:
    """The application. ``background=False`` (tests) runs no threads: view counts are
    written at shutdown and the search index follows changes only when searched."""
    factory = session_factory or get_sessionmaker()
    view_counter = ViewCounter(factory, interval=5.0 if background else None)
    search_engine = _search_engine(background)
    # Each server's sync also queues a calibration refit when the KB changed.
    search_sync = BackgroundSync(
        search_engine, factory,
        housekeeping=queue_calibration_if_due if get_settings().auto_calibrate else None)
    # Optional answer phrasing (docs/assistant.md); unusable settings stop the start.
    answer_writer = writer_from_settings(get_settings())
    query_rewriter = rewriter_from_settings(get_settings(), answer_writer)
    # Heavy work (imports) runs in a worker thread, off the event loop; in tests
    # (background=False) queued jobs run when a request wakes the runner.
    job_runner = JobRunner(factory, TASKS, background=background, lanes=LANES)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        view_counter.start()
        job_runner.start()
        if background:
            search_sync.start()
        yield
        search_sync.stop()
        job_runner.stop()
        view_counter.stop()
        if answer_writer is not None:
            answer_writer.close()

    app = FastAPI(
        lifespan=lifespan,
        title="SECI",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.sessionmaker = factory
    app.state.view_counter = view_counter
    app.state.search_engine = search_engine
    app.state.answer_writer = answer_writer
    app.state.query_rewriter = query_rewriter
    app.state.job_runner = job_runner
    app.add_middleware(LocaleAndHeaders)
    app.add_middleware(ConcurrencyLimit, limit=get_settings().max_concurrent_requests)
    app.add_middleware(RequestId)  # outermost: even a request still queued has its id
    app.mount("/static/api-docs", StaticFiles(directory=SWAGGER_DIR), name="api-docs-assets")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in (accounts_api, knowledge_api, search_api, calibration_api, assistant_api,
                   suggestions_api,
                   linkage_api, tacit_api, incentives_api, calls_api, quality_api, mining_api,
                   people_api, exams_api, certifications_api, stages_api, jobs_api, audit_api,
                   health_routes, pages):
        app.include_router(router)
    problems.install(app, _error_page)
    _add_docs(app)
    return app


def _error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """The error page keeps the top bar of the logged-in user (navigation, log-out)."""
    user = None
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with request.app.state.sessionmaker() as session:
            web_session = resolve_web_session(session, token=token)
            user = session.get(User, web_session.user_id) if web_session else None
            if web_session is not None:
                request.state.csrf_token = web_session.csrf_token
    return render(request, "error.html", {"status": status, "message": message},
                  user=user, status_code=status)


def _add_docs(app: FastAPI) -> None:
    """Interactive API docs from assets shipped in a wheel: they work on an offline intranet."""

    @app.get("/api/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/v1/openapi.json",
            title="SECI API",
            swagger_js_url="/static/api-docs/swagger-ui-bundle.js",
            swagger_css_url="/static/api-docs/swagger-ui.css",
            swagger_favicon_url="/static/api-docs/favicon.png",
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get("/api/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/api/v1/openapi.json", title="SECI API",
            redoc_js_url="/static/api-docs/redoc.standalone.js",
            redoc_favicon_url="/static/api-docs/favicon.png", with_google_fonts=False,
        )
