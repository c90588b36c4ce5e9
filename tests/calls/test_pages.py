"""The call pages through the test client: who lands where, import with its report, a
call with its audited transcript, the xlsx download and the thresholds form."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.audit.models import AuditEvent
from seci.core.tabular import FileFormat
from seci.roster.importing import import_roster
from seci.roster.models import RosterAgent
from tests.calls.helpers import run_import
from tests.calls.test_api import _jsonl, _weeks_of_calls
from tests.conftest import csrf_of
from tests.factories import World, bearer, web_login


@pytest.fixture
def loaded(client: TestClient, db: Session, world: World) -> None:
    """Eight weeks of calls imported through the page as the analyst would."""
    web_login(client, "analyst")
    page = client.get("/calls/import")
    response = client.post("/calls/import", data={"csrf_token": csrf_of(page.text)},
                           files={"file": ("calls.jsonl", _jsonl(_weeks_of_calls()))},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    report = client.get(response.headers["location"])
    assert report.status_code == 200
    assert "320" in report.text and 'id="report"' in report.text
    db.add(RosterAgent(agent_id="A1001", name="张小云", team="A组", hired_on=date(2025, 1, 1),
                       stage="mature", user_id=world["agent"].id))
    db.commit()
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})


def test_each_role_lands_on_its_desk(client: TestClient, loaded: None) -> None:
    for user, target in (("analyst", "/calls/dashboard"), ("supervisor", "/calls/team"),
                         ("agent", "/calls/me")):
        web_login(client, user)
        assert client.get("/calls", follow_redirects=False).headers["location"] == target
        client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})


def test_dashboard_shows_tiles_and_every_chart(client: TestClient, loaded: None) -> None:
    web_login(client, "analyst")
    page = client.get("/calls/dashboard")
    assert page.status_code == 200
    for element in ('id="tile-fcr"', 'id="chart-control"', 'id="chart-funnel"',
                    'id="chart-pareto"', 'id="chart-heatmap"', "一次解决率"):
        assert element in page.text
    narrowed = client.get("/calls/dashboard", params={"team": "B组", "kpi": "aht_s"})
    assert narrowed.status_code == 200 and "X̄-S" in narrowed.text
    # Two months are too few periods for control limits: said in words, not a 500.
    months = client.get("/calls/dashboard", params={"grain": "month"})
    assert months.status_code == 200 and "n=2" in months.text
    workbook = client.get("/calls/dashboard/export/pareto.xlsx")
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.content)).worksheets[0]
    assert sheet.cell(row=2, column=1).value == "资费争议"


def test_agents_see_their_own_numbers_only(client: TestClient, db: Session,
                                          loaded: None) -> None:
    web_login(client, "agent")
    assert client.get("/calls/dashboard").status_code == 403
    mine = client.get("/calls/me")
    assert mine.status_code == 200 and "A1001-" in mine.text and "A1002-" not in mine.text
    assert client.get("/calls/c/A1002-0-0").status_code == 404
    own = client.get("/calls/c/A1001-0-0")
    assert own.status_code == 200 and "我流量咋个用得这么快哦" in own.text
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "calls.transcript_view",
                                              AuditEvent.entity_id == "A1001-0-0"))


def test_team_lead_sees_the_team_with_reading_and_flags(client: TestClient, db: Session,
                                                       world: World, loaded: None) -> None:
    world["supervisor"].team = "A组"
    db.commit()
    web_login(client, "supervisor")
    page = client.get("/calls/team")
    assert page.status_code == 200
    assert "张小云" in page.text and 'id="team-agents"' in page.text


def test_drill_down_and_report_and_thresholds(client: TestClient, loaded: None) -> None:
    web_login(client, "analyst")
    listing = client.get("/calls/list", params={"week": "2026-09-07", "fcr": "false",
                                                "filter": "team=B组"})
    assert listing.status_code == 200 and "A1002-0-" in listing.text
    assert client.get("/calls/report", params={"month": "2026-10"}).status_code == 200
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})
    web_login(client, "manager")
    page = client.get("/calls/thresholds")
    saved = client.post("/calls/thresholds", data={
        "csrf_token": csrf_of(page.text), "product": "流量套餐", "manual_s": "420"},
        follow_redirects=True)
    assert saved.status_code == 200 and "420" in saved.text


def test_compare_page_and_api(client: TestClient, db: Session, world: World,
                              loaded: None) -> None:
    web_login(client, "analyst")
    groups = client.get("/calls/compare", params={"kpi": "fcr", "mode": "groups",
                                                  "split": "team", "a": "A组", "b": "B组"})
    assert groups.status_code == 200 and 'id="comparison"' in groups.text
    periods = client.get("/calls/compare", params={
        "kpi": "aht_s", "mode": "periods", "before_from": "2026-09-07",
        "before_to": "2026-10-04", "after_from": "2026-10-05", "after_to": "2026-11-01",
        "split": "team"})
    assert periods.status_code == 200 and "q (BH)" in periods.text
    api = client.get("/api/v1/calls/compare", headers=bearer(db, world, "analyst"), params={
        "kpi": "complaint_rate", "before_from": "2026-09-07", "before_to": "2026-10-04",
        "after_from": "2026-10-05", "after_to": "2026-11-01", "control": "team=B组",
        "filter": "team=A组"})
    assert api.status_code == 200, api.text
    body = api.json()
    assert body["rows"][0]["did"]["test"] == "did_z"
    assert body["complaint_mix_table"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_import_templates_import_as_they_are(client: TestClient, db: Session, world: World,
                                                 tmp_path: Path, fmt: str) -> None:
    """The import page's templates: the importers' headers and one example row each."""
    web_login(client, "analyst")
    page = client.get("/calls/import")
    assert f"/calls/import/template?format={fmt}" in page.text
    assert f"/calls/import/roster-template?format={fmt}" in page.text
    calls = tmp_path / f"calls.{fmt}"
    calls.write_bytes(client.get(f"/calls/import/template?format={fmt}").content)
    report = run_import(db, world, calls, dry_run=True, fmt=FileFormat(fmt))
    assert report.rows == 1
    roster = tmp_path / f"roster.{fmt}"
    roster.write_bytes(client.get(f"/calls/import/roster-template?format={fmt}").content)
    roster_report = import_roster(db, actor=world["analyst"], path=roster,
                                  fmt=FileFormat(fmt), dry_run=True)
    assert roster_report.rows == 1


def test_the_import_templates_are_for_importers_only(client: TestClient, world: World) -> None:
    web_login(client, "agent")
    assert client.get("/calls/import/template?format=csv").status_code == 403
    assert client.get("/calls/import/roster-template?format=xlsx").status_code == 403
