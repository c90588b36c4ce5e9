"""Importing the agent roster from HR or the call platform: every row checked first, all
or nothing, a dry run, and re-importing an agent id updates that agent."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.audit.service import record
from seci.core.errors import InvalidInput, PermissionDenied
from seci.core.i18n import N_
from seci.core.tabular import Columns, FileFormat, RawRow, RowStream
from seci.roster.models import RosterAgent, Stage

MAX_ROWS = 100_000
MAX_REPORTED_ERRORS = 200

ROSTER_COLUMNS = Columns(
    names=("agent_id", "name", "team", "hired_on", "left_on", "stage", "username"),
    aliases={
        "工号": "agent_id", "坐席工号": "agent_id", "座席工号": "agent_id",
        "姓名": "name", "名字": "name",
        "班组": "team", "团队": "team", "组别": "team",
        "入职日期": "hired_on", "入职时间": "hired_on",
        "离职日期": "left_on", "离职时间": "left_on",
        "阶段": "stage", "成长阶段": "stage", "员工阶段": "stage",
        "账号": "username", "登录名": "username", "用户名": "username", "seci账号": "username",
    },
    required=("agent_id", "name", "team", "hired_on", "stage"),
)

# One made-up agent for the import template.
ROSTER_TEMPLATE_EXAMPLE: dict[str, str] = {
    "agent_id": "1001", "name": "王小明", "team": "A组", "hired_on": "2025-03-01",
    "left_on": "", "stage": "成长期", "username": "",
}

STAGE_NAMES = {"新员工": Stage.NEW, "成长期": Stage.GROWING, "成熟期": Stage.MATURE,
               "new": Stage.NEW, "growing": Stage.GROWING, "mature": Stage.MATURE}
_DATE = re.compile(r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?\s*$")


@dataclass
class RosterReport:
    filename: str
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_error(self, line: int, column: str, code: str, value: str = "",
                  **params: Any) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append({"row": line, "column": column, "code": code,
                                "value": value, **params})

    def as_dict(self) -> dict[str, Any]:
        return {"filename": self.filename, "dry_run": self.dry_run, "rows": self.rows,
                "created": self.created, "updated": self.updated, "ok": self.ok,
                "error_count": self.error_count, "errors": self.errors}


class RosterImportRejected(InvalidInput):
    code = "roster_import_rejected"
    message = N_("{count} problem(s) found in the file; nothing was imported.")

    def __init__(self, report: RosterReport) -> None:
        super().__init__(count=report.error_count)
        self.report = report

    def extra(self) -> dict[str, Any]:
        return {"report": self.report.as_dict()}


@dataclass
class RosterRow:
    line: int
    agent_id: str
    name: str
    team: str
    hired_on: date
    left_on: date | None
    stage: Stage
    user_id: int | None


def parse_day(value: Any) -> date | str | None:
    """A date cell: None when empty, the date, or the problem code."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DATE.match(str(value))
    if match is None:
        return "bad_date"
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return "date_does_not_exist"


def _text(raw: dict[str, Any], name: str, limit: int, line: int, report: RosterReport,
          required: bool = True) -> str:
    value = raw.get(name)
    text = "" if value is None else str(value).strip()
    if not text and required:
        report.add_error(line, name, "required")
    elif len(text) > limit:
        report.add_error(line, name, "too_long", text[:40], max=limit)
    return text


def _day(raw: dict[str, Any], name: str, line: int, report: RosterReport,
         required: bool) -> date | None:
    parsed = parse_day(raw.get(name))
    if isinstance(parsed, str):
        report.add_error(line, name, parsed, str(raw.get(name))[:40])
        return None
    if parsed is None and required:
        report.add_error(line, name, "required")
    return parsed


def _parse(raw: RawRow, users: dict[str, int], report: RosterReport) -> RosterRow | None:
    if raw.broken is not None:
        report.add_error(raw.number, "", "bad_json", raw.broken[:60])
        return None
    before = report.error_count
    values, line = raw.values, raw.number
    for column in raw.formula_columns:
        report.add_error(line, column, "formula", str(values.get(column))[:40])
    agent_id = _text(values, "agent_id", 32, line, report)
    name = _text(values, "name", 80, line, report)
    team = _text(values, "team", 40, line, report)
    hired_on = _day(values, "hired_on", line, report, required=True)
    left_on = _day(values, "left_on", line, report, required=False)
    if hired_on and left_on and left_on < hired_on:
        report.add_error(line, "left_on", "left_before_hired", left_on.isoformat())
    stage_text = _text(values, "stage", 10, line, report)
    stage = STAGE_NAMES.get(stage_text.lower()) if stage_text else None
    if stage_text and stage is None:
        report.add_error(line, "stage", "invalid_choice", stage_text[:40])
    username = _text(values, "username", 64, line, report, required=False)
    user_id = users.get(username) if username else None
    if username and user_id is None:
        report.add_error(line, "username", "unknown_user", username[:40])
    if report.error_count > before or hired_on is None or stage is None:
        return None
    return RosterRow(line, agent_id, name, team, hired_on, left_on, stage, user_id)


def _check_links(rows: list[RosterRow], session: Session, report: RosterReport) -> None:
    """An agent id appears once; a login belongs to one agent."""
    seen: dict[str, int] = {}
    linked: dict[int, str] = {
        user_id: agent_id for agent_id, user_id in session.execute(
            select(RosterAgent.agent_id, RosterAgent.user_id)
            .where(RosterAgent.user_id.is_not(None)))
        if user_id is not None}
    # A row of the file decides its agent's link: drop what the database says of it.
    in_file = {row.agent_id for row in rows}
    linked = {user_id: agent_id for user_id, agent_id in linked.items()
              if agent_id not in in_file}
    for row in rows:
        if row.agent_id in seen:
            report.add_error(row.line, "agent_id", "duplicate_in_file", row.agent_id,
                             first_row=seen[row.agent_id])
        seen.setdefault(row.agent_id, row.line)
    for row in rows:
        if row.user_id is not None:
            owner = linked.get(row.user_id)
            if owner is not None and owner != row.agent_id:
                report.add_error(row.line, "username", "user_linked_elsewhere", owner)
            linked[row.user_id] = row.agent_id


def import_roster(session: Session, *, actor: User, path: Path, fmt: FileFormat,
                  filename: str = "", dry_run: bool = False) -> RosterReport:
    """Check every row, then create or update all agents, or none."""
    if not actor.can(Perm.CALLS_IMPORT):
        raise PermissionDenied()
    report = RosterReport(filename=filename or path.name, dry_run=dry_run)
    users = {u.username: u.id for u in session.scalars(select(User))}
    rows: list[RosterRow] = []
    for raw in RowStream(path, fmt, ROSTER_COLUMNS, max_rows=MAX_ROWS):
        report.rows += 1
        row = _parse(raw, users, report)
        if row is not None:
            rows.append(row)
    _check_links(rows, session, report)
    if not report.ok:
        raise RosterImportRejected(report)
    existing = {a.agent_id: a for a in session.scalars(select(RosterAgent))}
    report.updated = sum(1 for row in rows if row.agent_id in existing)
    report.created = len(rows) - report.updated
    if not dry_run:
        _write(session, rows, existing)
        record(session, actor=actor, action="roster.import", entity_type="roster",
               summary=report.filename,
               after={k: v for k, v in report.as_dict().items() if k != "errors"})
    return report


def _write(session: Session, rows: list[RosterRow], existing: dict[str, RosterAgent]) -> None:
    # Links move first, so that a login passed from one agent to another never holds
    # two agents at once (the column is unique).
    moving = {row.user_id for row in rows if row.user_id is not None}
    for agent in existing.values():
        if agent.user_id in moving:
            agent.user_id = None
    session.flush()
    for row in rows:
        agent = existing.get(row.agent_id) or RosterAgent(agent_id=row.agent_id)
        agent.name, agent.team, agent.stage = row.name, row.team, row.stage.value
        agent.hired_on, agent.left_on, agent.user_id = row.hired_on, row.left_on, row.user_id
        session.add(agent)
    session.flush()
