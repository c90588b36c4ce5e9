"""The roster: import (all or nothing, links to logins) and turnover by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.core.errors import PermissionDenied
from seci.core.tabular import FileFormat
from seci.roster.importing import RosterImportRejected, import_roster
from seci.roster.kpis import month_starts, monthly_turnover, turnover_report
from seci.roster.models import RosterAgent
from tests.factories import World

HEADER = "工号,姓名,班组,入职日期,离职日期,阶段,账号\n"


def _csv(tmp_path: Path, *lines: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "roster.csv"
    path.write_bytes((HEADER + "".join(line + "\n" for line in lines)).encode(encoding))
    return path


def _import(db: Session, world: World, path: Path, **kw: object):  # type: ignore[no-untyped-def]
    return import_roster(db, actor=world["analyst"], path=path, fmt=FileFormat.CSV, **kw)


def test_import_creates_then_updates_and_links_logins(db: Session, world: World,
                                                      tmp_path: Path) -> None:
    path = _csv(tmp_path, "A1,张敏,A组,2024/3/1,,成熟期,agent",
                "A2,李强,B组,2026-10-08,,新员工,", encoding="gbk")
    report = _import(db, world, path)
    assert (report.created, report.updated) == (2, 0)
    a1 = db.scalar(select(RosterAgent).where(RosterAgent.agent_id == "A1"))
    assert a1 is not None and a1.user_id == world["agent"].id and a1.stage == "mature"
    again = _import(db, world, _csv(tmp_path, "A1,张敏,A组,2024-03-01,2026-11-30,成熟期,agent"))
    assert (again.created, again.updated) == (0, 1)
    db.refresh(a1)
    assert a1.left_on == date(2026, 11, 30)


def test_every_problem_is_reported_and_nothing_written(db: Session, world: World,
                                                       tmp_path: Path) -> None:
    path = _csv(tmp_path, "A1,张敏,A组,2024-02-30,,成熟期,",
                "A2,李强,B组,2025-01-01,2024-12-31,老员工,nobody",
                "A3,王五,C组,2025-01-01,,成长期,agent",
                "A3,王五,C组,2025-01-01,,成长期,agent")
    with pytest.raises(RosterImportRejected) as rejected:
        _import(db, world, path)
    problems = {(e["row"], e["column"], e["code"]) for e in rejected.value.report.errors}
    assert problems == {(2, "hired_on", "date_does_not_exist"),
                        (3, "left_on", "left_before_hired"), (3, "stage", "invalid_choice"),
                        (3, "username", "unknown_user"), (5, "agent_id", "duplicate_in_file")}
    assert db.scalar(select(RosterAgent)) is None


def test_a_login_belongs_to_one_agent(db: Session, world: World, tmp_path: Path) -> None:
    _import(db, world, _csv(tmp_path, "A1,张敏,A组,2024-03-01,,成熟期,agent"))
    with pytest.raises(RosterImportRejected) as rejected:
        _import(db, world, _csv(tmp_path, "A9,赵六,A组,2024-03-01,,成熟期,agent"))
    assert rejected.value.report.errors[0]["code"] == "user_linked_elsewhere"
    # Moving the login in one file (A1 loses it, A9 gets it) is allowed.
    _import(db, world, _csv(tmp_path, "A1,张敏,A组,2024-03-01,,成熟期,",
                            "A9,赵六,A组,2024-03-01,,成熟期,agent"))
    moved = db.scalar(select(RosterAgent).where(RosterAgent.agent_id == "A9"))
    assert moved is not None and moved.user_id == world["agent"].id


def test_turnover_by_hand() -> None:
    agents = [RosterAgent(agent_id=f"A{i}", name="x", team="A组", stage="mature",
                          hired_on=date(2025, 1, 1), left_on=None) for i in range(10)]
    agents[0].left_on = date(2026, 9, 15)  # leaves in September
    agents[1].left_on = date(2026, 10, 1)  # last working day 1 October: an October leaver
    agents.append(RosterAgent(agent_id="N", name="y", team="A组", stage="new",
                              hired_on=date(2026, 9, 20)))
    september, october = monthly_turnover(agents, month_starts(date(2026, 9, 5),
                                                               date(2026, 10, 2)))
    # September: 10 at the start, 10 − 1 + 1 = 10 at the end, 1 leaver → 1/10.
    assert (september.headcount_start, september.headcount_end, september.leavers,
            september.joiners) == (10, 10, 1, 1)
    assert september.rate == pytest.approx(0.1)
    # October: 10 at the start, 9 at the end, 1 leaver → 1/9.5.
    assert october.rate == pytest.approx(1 / 9.5)


def test_agents_cannot_import_or_read_turnover(db: Session, world: World,
                                               tmp_path: Path) -> None:
    with pytest.raises(PermissionDenied):
        import_roster(db, actor=world["agent"], fmt=FileFormat.CSV,
                      path=_csv(tmp_path, "A1,张,A组,2024-03-01,,成熟期,"))
    with pytest.raises(PermissionDenied):
        turnover_report(db, actor=world["agent"], start=date(2026, 9, 1), end=date(2026, 9, 30))
