"""The `seci` command: database, server, demo, and each domain's commands."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from seci.accounts.cli import app as user_app
from seci.assistant.cli import eval_assistant
from seci.calls.cli import agents_app
from seci.calls.cli import app as calls_app
from seci.cli_locale import LocalisedGroup, cli_locale
from seci.core.config import get_settings
from seci.core.errors import SeciError
from seci.core.i18n import gettext, set_locale
from seci.core.messages import describe_error, label
from seci.knowledge.cli import app as kb_app
from seci.ops.cli import backup, restore
from seci.retrieval.cli import app as eval_app
from seci.retrieval.cli import search_app

app = typer.Typer(help="SECI knowledge management for contact centres.", no_args_is_help=True,
                  cls=LocalisedGroup)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(kb_app, name="kb")
app.add_typer(user_app, name="user")
app.add_typer(eval_app, name="eval")
app.add_typer(search_app, name="search")
app.add_typer(calls_app, name="calls")
app.add_typer(agents_app, name="agents")
eval_app.command("assistant")(eval_assistant)
app.command("backup")(backup)
app.command("restore")(restore)
console = Console(soft_wrap=True, highlight=False)


@app.callback()
def _setup() -> None:
    set_locale(cli_locale())


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Create or migrate the database (SECI_DATABASE_URL, default SQLite in SECI_DATA_DIR)."""
    from seci.accounts.service import seed_queues
    from seci.core import migrate
    from seci.core.db import session_scope

    migrate.upgrade(revision=revision)
    if revision == "head":
        # The eight queues of the hotline (idempotent): users and imports refer to them.
        with session_scope() as session:
            seed_queues(session)
    console.print(gettext("Database is up to date: {url}",
                          url=_redacted(get_settings().sqlalchemy_url)))


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Step the schema back (e.g. before reinstalling an older SECI)."""
    from seci.core import migrate

    migrate.downgrade(revision=revision)


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


WORKER_START_SECONDS = 60


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
    workers: Annotated[int, typer.Option(help="Server processes")] = 1,
) -> None:
    """Run the web server (pages, REST API and its docs at /api/docs)."""
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from seci.ops.logs import logging_config

    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    console.print(gettext("SECI is running at http://{host}:{port}/", host=host, port=port))
    # SECI_LOG_FORMAT=json: uvicorn's and SECI's records as JSON lines, in every worker.
    log_config = logging_config("json") if settings.log_format == "json" else LOGGING_CONFIG
    # A new worker process imports SECI (the CLI module, then the app) before it can answer
    # the supervisor's health check: ~3 s of CPU, over uvicorn's 5 s default on a busy
    # machine, where the supervisor then kills and restarts its own workers in a loop.
    uvicorn.run("seci.asgi:app", host=host, port=port, workers=workers, log_level="info",
                log_config=log_config, timeout_worker_healthcheck=WORKER_START_SECONDS)


@app.command()
def worker(
    burst: Annotated[bool, typer.Option("--burst", help="Stop when no job is left")] = False,
) -> None:
    """Run background jobs (imports, mining): with SECI_REDIS_URL an rq worker sharing the
    queue with every other worker; without, a worker on the jobs table."""
    from seci.jobs.worker import run_worker
    from seci.ops.logs import configure_logging

    configure_logging(get_settings().log_format)
    run_worker(burst=burst)


@app.command()
def demo(
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve",
                                              help="Start the server afterwards")] = True,
    host: Annotated[str | None, typer.Option(help="Address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
) -> None:
    """Migrate, load the demo hotline (once) and start the server."""
    from seci.core import migrate
    from seci.core.db import session_scope
    from seci.demo.loader import DEMO_PASSWORD, DEMO_USERS, load_demo

    migrate.upgrade()
    try:
        with session_scope() as session:
            loaded = load_demo(session)
    except SeciError as error:  # e.g. a user named like a demo login already exists
        Console(stderr=True).print(describe_error(error), markup=False)
        raise typer.Exit(1) from None
    console.print(gettext("Demo data loaded.") if loaded
                  else gettext("Demo data already present; kept as it is."))
    if loaded:
        from seci.core.db import get_sessionmaker
        from seci.demo.calls import mine_demo_calls

        console.print(gettext("Mining the demo calls (golden scripts, bursts, gaps)…"))
        mine_demo_calls(get_sessionmaker())
        from seci.accounts.service import system_actor
        from seci.retrieval.tasks import run_calibration

        console.print(gettext("Calibrating search and the assistant on the demo KB…"))
        run_calibration(get_sessionmaker(), actor=system_actor())
    console.print(gettext("Demo logins (password {password}):", password=DEMO_PASSWORD))
    for user in DEMO_USERS:
        console.print(f"  {user.username:<11} {user.display_name}  "
                      f"({'、'.join(label('role', r) for r in user.roles)})")
    if serve_after:
        serve(host=host, port=port)


def main() -> None:
    app()
