"""`seci calls …` and `seci agents …`: import call records and the roster, read KPIs and
the complaint Pareto (JSON for scripts, tables for people)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn
from rich.table import Table
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.service import SYSTEM_USERNAME, find_user, system_actor
from seci.calls import kpis as k
from seci.calls.importing import CallImportRejected, CallImportReport, CallSource
from seci.calls.queries import complaint_pareto
from seci.calls.tasks import run_call_import
from seci.core.db import get_sessionmaker, session_scope
from seci.core.errors import SeciError
from seci.core.i18n import gettext
from seci.core.messages import describe_error, describe_problem, field_label
from seci.core.tabular import detect_format
from seci.mining.service import get_run
from seci.mining.tasks import run_mining
from seci.roster.importing import RosterImportRejected, RosterReport, import_roster

app = typer.Typer(help="Call records: import, KPIs, complaint Pareto.", no_args_is_help=True)
agents_app = typer.Typer(help="The agent roster: import.", no_args_is_help=True)
console = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)

AsUser = Annotated[str, typer.Option(
    "--as", help="Act as this user (their permissions and name in the audit trail); "
                 "default: the system")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Check only, write nothing")]
FromDay = Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD)")]
ToDay = Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD), inclusive")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON for scripts")]
Filters = Annotated[list[str] | None, typer.Option(
    "--filter", help="Only calls with this slice value, e.g. team=A组 (repeatable)")]


def _actor(session: Session, username: str) -> User:
    if username == SYSTEM_USERNAME:
        return system_actor()
    user = find_user(session, username=username)
    if user is None:
        err.print(gettext("User {user} not found.", user=username), markup=False)
        raise typer.Exit(2)
    return user


def _fail(error: SeciError) -> typer.Exit:
    err.print(describe_error(error), markup=False)
    return typer.Exit(1)


def _print_problems(errors: list[dict[str, Any]], count: int) -> None:
    err.print(gettext("{count} problem(s) found in the file; nothing was imported.",
                      count=count), markup=False)
    for error in errors:
        column = field_label(error["column"]) if error.get("column") else "-"
        where = (gettext("Transcripts, row {row}", row=error["row"])
                 if error.get("file") == "transcripts" else gettext("Row {row}", row=error["row"]))
        err.print(gettext("{where}, column {column}: {message} (value: {value})",
                          where=where, column=column, message=describe_problem(error),
                          value=error.get("value") or "∅"), markup=False)
    if count > len(errors):
        err.print(gettext("Only the first {n} problems are listed.", n=len(errors)))


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        err.print(gettext("Not a date: {value} (write YYYY-MM-DD).", value=text), markup=False)
        raise typer.Exit(2) from None


def _filters(values: list[str] | None) -> dict[str, str]:
    filters = {}
    for item in values or []:
        name, sep, value = item.partition("=")
        if not sep:
            err.print(gettext("Write a filter as name=value: {value}", value=item),
                      markup=False)
            raise typer.Exit(2)
        filters[name.strip()] = value.strip()
    return filters


@app.command("import")
def import_command(
    file: Annotated[Path | None, typer.Argument(exists=True, dir_okay=False, readable=True,
                                                help="Call records (.jsonl, .csv, .xlsx)")]
    = None,
    transcripts: Annotated[Path | None, typer.Option(
        "--transcripts", exists=True, dir_okay=False, readable=True,
        help="Transcripts in a file of their own (.jsonl: call_id and turns)")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="jsonl, csv or xlsx")] = None,
    dry_run: DryRun = False,
    as_user: AsUser = SYSTEM_USERNAME,
) -> None:
    """Import call records; all or nothing, every invalid row listed (exit status 1)."""
    if file is None and transcripts is None:
        err.print(gettext("Give a file of call records, --transcripts, or both."))
        raise typer.Exit(2)
    try:
        source = CallSource(
            calls=file, calls_format=detect_format(file.name, fmt) if file else None,
            transcripts=transcripts,
            transcripts_format=detect_format(transcripts.name) if transcripts else None)
        with session_scope() as session:
            actor = _actor(session, as_user)
        report = _import_with_progress(actor, source, dry_run)
    except CallImportRejected as rejected:
        _print_problems(rejected.report.as_dict()["errors"], rejected.report.error_count)
        raise typer.Exit(1) from None
    except SeciError as error:
        raise _fail(error) from None
    _print_call_report(report)


def _import_with_progress(actor: User, source: CallSource, dry_run: bool) -> CallImportReport:
    labels = {"reading": gettext("Reading calls"), "transcripts": gettext("Reading transcripts"),
              "checking": gettext("Checking"), "writing": gettext("Writing"),
              "thresholds": gettext("Updating over-long thresholds")}
    with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task(labels["reading"], total=None)

        def progress(phase: str, done: int, total: int | None) -> None:
            bar.update(task, description=labels.get(phase, phase), completed=done, total=total)

        return run_call_import(get_sessionmaker(), actor=actor, source=source,
                               dry_run=dry_run, progress=progress)


def _print_call_report(report: CallImportReport) -> None:
    counts = {"rows": report.rows, "created": report.created, "updated": report.updated,
              "transcripts": report.transcripts, "masked": report.masked}
    if report.dry_run:
        console.print(gettext("Dry run: {rows} calls are valid; {created} would be created, "
                              "{updated} updated; {masked} personal numbers would be masked.",
                              **counts))
    else:
        console.print(gettext("Imported {rows} calls: {created} new, {updated} updated, "
                              "{transcripts} separate transcripts; {masked} personal numbers "
                              "masked.", **counts))


@app.command("kpis")
def kpis_command(
    by: Annotated[str, typer.Option("--by", help="Slices, comma-separated: "
                                    "day|week|month, team, queue, region, product, agent, "
                                    "channel, stage")] = "week",
    start: FromDay = None,
    end: ToDay = None,
    filters: Filters = None,
    as_json: AsJson = False,
    as_user: AsUser = SYSTEM_USERNAME,
) -> None:
    """KPIs per slice, each with its n and 95 % interval."""
    try:
        with session_scope() as session:
            rows = k.slice_counts(
                session, actor=_actor(session, as_user),
                by=[b.strip() for b in by.split(",") if b.strip()],
                period=k.Period(_day(start), _day(end)), filters=_filters(filters))
    except SeciError as error:
        raise _fail(error) from None
    dicts = [row.as_dict() for row in rows]
    if as_json:
        print(json.dumps(dicts, ensure_ascii=False))
        return
    _print_kpi_table(dicts, [b.strip() for b in by.split(",") if b.strip()])


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def _print_kpi_table(rows: list[dict[str, Any]], keys: list[str]) -> None:
    table = Table(show_lines=False)
    for key in keys:
        table.add_column(field_label(key))
    for title in (gettext("Calls"), gettext("FCR"), gettext("Satisfaction"),
                  gettext("Complaint rate"), gettext("Repeat calls (7 days)"), gettext("AHT (s)")):
        table.add_column(title, justify="right")
    for row in rows:
        sat, aht, fcr = row["satisfaction_mean"], row["aht_s"], row["fcr"]
        table.add_row(*(str(row[key]) for key in keys), str(row["n_calls"]),
                      _percent(fcr), "–" if sat is None else f"{sat:.2f}",
                      _percent(row["complaint_rate"]), _percent(row["repeat_7d_rate"]),
                      "–" if aht is None else f"{aht:.0f}")
    console.print(table)


@app.command("pareto")
def pareto_command(
    start: FromDay = None,
    end: ToDay = None,
    filters: Filters = None,
    as_json: AsJson = False,
    as_user: AsUser = SYSTEM_USERNAME,
) -> None:
    """Complaints per category, largest first, with share and cumulative share."""
    try:
        with session_scope() as session:
            rows = complaint_pareto(session, actor=_actor(session, as_user),
                                    period=k.Period(_day(start), _day(end)),
                                    filters=_filters(filters))
    except SeciError as error:
        raise _fail(error) from None
    items = [{"category": r.category, "count": r.count, "share": r.share,
              "cumulative_share": r.cumulative_share} for r in rows]
    if as_json:
        print(json.dumps(items, ensure_ascii=False))
        return
    table = Table()
    for title in (gettext("Category"), gettext("Complaints"), gettext("Share"),
                  gettext("Cumulative")):
        table.add_column(title)
    for r in rows:
        table.add_row(r.category or gettext("(no category)"), str(r.count),
                      _percent(r.share), _percent(r.cumulative_share))
    console.print(table)


@agents_app.command("import")
def agents_import_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    fmt: Annotated[str | None, typer.Option("--format", help="jsonl, csv or xlsx")] = None,
    dry_run: DryRun = False,
    as_user: AsUser = SYSTEM_USERNAME,
) -> None:
    """Import the agent roster; all or nothing, every invalid row listed (exit status 1)."""
    try:
        with session_scope() as session:
            report = import_roster(session, actor=_actor(session, as_user), path=file,
                                   fmt=detect_format(file.name, fmt), dry_run=dry_run)
    except RosterImportRejected as rejected:
        _print_problems(rejected.report.errors, rejected.report.error_count)
        raise typer.Exit(1) from None
    except SeciError as error:
        raise _fail(error) from None
    _print_roster_report(report)


def _print_roster_report(report: RosterReport) -> None:
    counts = {"rows": report.rows, "created": report.created, "updated": report.updated}
    if report.dry_run:
        console.print(gettext("Dry run: {rows} agents are valid; {created} would be created, "
                              "{updated} updated.", **counts))
    else:
        console.print(gettext("Imported {rows} agents: {created} new, {updated} updated.",
                              **counts))


@app.command("mine")
def mine_command(
    start: FromDay = None,
    end: ToDay = None,
    as_json: AsJson = False,
    search: Annotated[bool, typer.Option("--search/--no-search",
                                         help="Ask search whether it answers each gap's "
                                              "example questions")] = True,
    as_user: AsUser = SYSTEM_USERNAME,
) -> None:
    """Mine the transcripts: golden scripts, bursts, knowledge gaps, agent matching and
    over-long calls (features of new calls are extracted first)."""
    labels = {"extracting": gettext("Reading transcripts"), "loading": gettext("Loading calls"),
              "scripts": gettext("Golden scripts"), "bursts": gettext("Bursts"),
              "gaps": gettext("Knowledge gaps"), "matching": gettext("Agent matching"),
              "long_calls": gettext("Over-long calls")}
    try:
        with session_scope() as session:
            actor = _actor(session, as_user)
        with Progress(TextColumn("{task.description}"), TextColumn("{task.completed}"),
                      console=err, transient=True) as bar:
            task = bar.add_task(labels["extracting"], total=None)

            def progress(phase: str, done: int = 0, _total: int | None = None) -> None:
                bar.update(task, description=labels.get(phase, phase), completed=done)

            run_id = run_mining(get_sessionmaker(), actor=actor,
                                period=k.Period(_day(start), _day(end)), progress=progress,
                                search=search)
        with session_scope() as session:
            run = get_run(session, actor=actor, run_id=run_id)
            findings = dict(run.findings)
    except SeciError as error:
        raise _fail(error) from None
    if as_json:
        print(json.dumps(findings, ensure_ascii=False, default=str))
        return
    _print_findings(findings)


def _golden_line(g: dict[str, Any]) -> str:
    return f"{g['effect_fcr'] * 100:+.1f} pp  {g['topic']}  {g['phrase']}"


def _burst_line(b: dict[str, Any]) -> str:
    return f"×{b['ratio']:.1f}  {b['week']} {b['region']} {b['topic']}"


def _gap_line(g: dict[str, Any]) -> str:
    return f"{g['topic']}  FCR {g['fcr'] * 100:.0f}%  {g['calls']}"


def _print_findings(findings: dict[str, Any]) -> None:
    console.print(gettext("{calls} calls mined.", calls=findings.get("calls", 0)))
    sections: list[tuple[str, str, Callable[[dict[str, Any]], str]]] = [
        (gettext("Golden scripts"), "golden_scripts", _golden_line),
        (gettext("Bursts"), "hot_topics", _burst_line),
        (gettext("Knowledge gaps"), "knowledge_gaps", _gap_line)]
    for title, key, line in sections:
        console.print(f"\n[bold]{title}[/bold]")
        for item in findings.get(key, [])[:10]:
            if key != "knowledge_gaps" or item.get("is_gap"):
                console.print("  " + line(item), markup=False)
