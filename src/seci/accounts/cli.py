"""`seci user …`: create users and API tokens from the command line."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from seci.accounts import service
from seci.accounts.errors import UserNotFound
from seci.core.clock import utcnow
from seci.core.db import session_scope
from seci.core.errors import SeciError
from seci.core.i18n import gettext
from seci.core.messages import describe_error
from seci.knowledge.modules import find_by_path

app = typer.Typer(help="Users, roles and API tokens.", no_args_is_help=True)
console = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)


@app.command("create")
def create(
    username: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True,
                                          confirmation_prompt=True)],
    role: Annotated[list[str], typer.Option("--role", help="agent, editor, reviewer, manager, "
                                            "supervisor, trainer, analyst, admin")],
    queue: Annotated[list[str] | None, typer.Option("--queue", help="Queue code")] = None,
    name: Annotated[str | None, typer.Option(help="Display name")] = None,
    module: Annotated[list[str] | None, typer.Option(
        "--module", help="Business-module path the user works on, e.g. 个人业务/资费套餐")] = None,
    all_modules: Annotated[bool, typer.Option(help="Access to every business module")] = False,
) -> None:
    """Create a user with one or more roles."""
    try:
        with session_scope() as session:
            codes = {q.code: q.id for q in service.list_queues(session)}
            unknown = [q for q in queue or [] if q not in codes]
            if unknown:
                err.print(gettext("Queue {queue} not found.", queue=", ".join(unknown)),
                          markup=False)
                raise typer.Exit(1)
            modules = {path: find_by_path(session, path=path) for path in module or []}
            missing = [path for path, found in modules.items() if found is None]
            if missing:
                err.print(gettext("Business module {module} not found.",
                                  module=", ".join(missing)), markup=False)
                raise typer.Exit(1)
            user = service.create_user(
                session, username=username, password=password, display_name=name,
                roles=service.parse_roles(role), queue_ids=[codes[q] for q in queue or []],
                module_ids=[m.id for m in modules.values() if m is not None],
                all_modules=all_modules,
            )
            console.print(gettext("Created user {user}.", user=user.username), markup=False)
    except SeciError as error:
        err.print(describe_error(error), markup=False)
        raise typer.Exit(1) from None


@app.command("token")
def token(username: str, name: Annotated[str, typer.Option(help="Token label")] = "cli",
          days: Annotated[int | None, typer.Option(
              min=1, help="Days until the token expires (default: until revoked)")] = None,
          ) -> None:
    """Print a new bearer token for the REST API."""
    with session_scope() as session:
        user = service.find_user(session, username=username)
        if user is None:
            err.print(gettext("User {user} not found.", user=username), markup=False)
            raise typer.Exit(1)
        expires_at = utcnow() + timedelta(days=days) if days else None
        print(service.issue_api_token(session, user=user, name=name, expires_at=expires_at))


@app.command("password")
def password(
    username: str,
    new_password: Annotated[str, typer.Option("--password", prompt=True, hide_input=True,
                                              confirmation_prompt=True)],
) -> None:
    """Set a user's password (e.g. a locked-out administrator's); their sessions and API
    tokens end."""
    try:
        with session_scope() as session:
            user = service.find_user(session, username=username)
            if user is None:
                raise UserNotFound(user=username)
            service.update_user(session, user_id=user.id, actor=service.system_actor(),
                                changes=service.UserChanges(password=new_password))
            console.print(gettext("Password of {user} changed.", user=user.username),
                          markup=False)
    except SeciError as error:
        err.print(describe_error(error), markup=False)
        raise typer.Exit(1) from None


@app.command("list")
def list_users() -> None:
    """List users with their roles and queues."""
    with session_scope() as session:
        queues = {q.id: q.code for q in service.list_queues(session, include_archived=True)}
        table = Table("username", "name", "roles", "queues", "active")
        for user in service.list_users(session):
            table.add_row(user.username, user.display_name, ", ".join(sorted(user.roles)),
                          ", ".join(queues[q] for q in sorted(user.queue_ids) if q in queues),
                          "yes" if user.is_active else "no")
        console.print(table)
