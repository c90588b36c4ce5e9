"""`seci kb …`: import and export from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.service import find_user
from seci.core.config import get_settings
from seci.core.db import session_scope
from seci.core.errors import SeciError
from seci.core.i18n import gettext
from seci.core.messages import describe_error, describe_problem, field_label
from seci.knowledge.exporting import ExportFormat, export_articles_to
from seci.knowledge.importing import ImportRejected, ImportReport, import_articles
from seci.knowledge.package import is_package
from seci.knowledge.tabular import check_size, detect_format

app = typer.Typer(help="Knowledge base: import and export articles.", no_args_is_help=True)
# soft_wrap: one problem per line, whatever the terminal width (grep-able, pipe-able).
console = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)

AsUser = Annotated[str, typer.Option("--as", help="Username recorded in the audit trail")]


def _actor(session: Session, username: str) -> User:
    user = find_user(session, username=username)
    if user is None:
        err.print(gettext("User {user} not found.", user=username), markup=False)
        raise typer.Exit(2)
    return user


def _print_errors(report: ImportReport) -> None:
    err.print(gettext("{count} problem(s) found in the file; nothing was imported.",
                      count=report.error_count), markup=False)
    for error in report.errors:
        data = error.as_dict()
        column = field_label(error.column) if error.column else "-"
        err.print(gettext("Row {row}, column {column}: {message} (value: {value})",
                          row=error.row, column=column, message=describe_problem(data),
                          value=error.value or "∅"), markup=False)
    if report.error_count > len(report.errors):
        err.print(gettext("Only the first {n} problems are listed.", n=len(report.errors)))


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only, write nothing")] = False,
    as_draft: Annotated[bool, typer.Option("--draft", help="Import as drafts for review")] = False,
    fmt: Annotated[str | None, typer.Option(
        "--format", help="xlsx, csv, jsonl or zip (a knowledge package)")] = None,
    as_user: AsUser = "admin",
) -> None:
    """Import articles; exits with status 1 and lists every invalid row if any is wrong."""
    limit = get_settings().import_max_bytes
    try:
        check_size(file.stat().st_size, limit)  # before reading a huge file into memory
        with session_scope() as session:
            report = import_articles(
                session, data=file.read_bytes(), filename=file.name,
                actor=_actor(session, as_user), max_bytes=limit, fmt=fmt, dry_run=dry_run,
                as_draft=as_draft,
            )
    except ImportRejected as rejected:
        _print_errors(rejected.report)
        raise typer.Exit(1) from None
    except SeciError as error:
        err.print(describe_error(error), markup=False)
        raise typer.Exit(1) from None
    if not report.ok:
        _print_errors(report)
        raise typer.Exit(1)
    counts = {"rows": report.rows, "created": len(report.created),
              "updated": len(report.updated), "unchanged": len(report.unchanged)}
    if dry_run:
        console.print(gettext("Dry run: {rows} rows are valid; {created} would be created, "
                              "{updated} updated, {unchanged} unchanged.", **counts))
    else:
        console.print(gettext("Imported {rows} rows: {created} new, {updated} updated, "
                              "{unchanged} unchanged.", **counts))


@app.command("export")
def export_command(
    file: Annotated[Path, typer.Argument(dir_okay=False,
                                         help="Target .xlsx, .csv, .jsonl or .zip")],
    fmt: Annotated[str | None, typer.Option(
        "--format", help="xlsx, csv, jsonl or zip (a package with images and files)")] = None,
    as_user: AsUser = "admin",
) -> None:
    """Export every published article (the file can be imported again); a .zip knowledge
    package carries the images and files the articles use as well."""
    # Written next to the target and renamed when complete: a failed export leaves no
    # half-written file, nor spoils one that was there.
    partial = file.with_name(f".{file.name}.partial")
    try:
        file_format = (ExportFormat.ZIP if is_package(file.name, fmt)
                       else ExportFormat(detect_format(file.name, fmt).value))
        with session_scope() as session, partial.open("wb") as out:
            export_articles_to(session, actor=_actor(session, as_user), fmt=file_format,
                               out=out)
        partial.replace(file)
    except (SeciError, OSError) as error:
        err.print(describe_error(error) if isinstance(error, SeciError) else
                  f"{error.strerror or error}: {error.filename or file}", markup=False)
        raise typer.Exit(1) from None
    finally:
        partial.unlink(missing_ok=True)  # whatever stopped it (an unknown --as user too)
    console.print(gettext("Wrote {path}.", path=str(file)), markup=False)
