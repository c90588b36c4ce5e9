"""The call-records API: imports as jobs, drill-down, transcripts and who may see them,
KPIs, charts and the Pareto."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from seci.roster.models import RosterAgent
from tests.calls.helpers import call
from tests.factories import World, bearer


def _jsonl(records: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def _weeks_of_calls() -> list[dict[str, Any]]:
    """Eight weeks, two agents of two teams, 20 calls a week each; A1002 resolves fewer."""
    calls = []
    monday = date(2026, 9, 7)
    for week in range(8):
        for i in range(20):
            day = monday + timedelta(days=7 * week + i % 5)
            for agent, team in (("A1001", "A组"), ("A1002", "B组")):
                resolved = i % 10 != 0 if agent == "A1001" else i % 2 == 0
                complaint = i % 10 == 3
                calls.append(call(
                    f"{agent}-{week}-{i}", agent_id=agent, team=team,
                    started_at=f"{day.isoformat()}T10:{i:02d}:00+08:00",
                    duration_s=200 + 10 * i, resolved_first_contact=resolved,
                    complaint=complaint,
                    complaint_category=("资费争议" if i % 2 else "网络质量") if complaint else None,
                    region="渝中区" if i % 2 else "江北区"))
    return calls


@pytest.fixture
def imported(client: TestClient, db: Session, world: World) -> dict[str, str]:
    headers = bearer(db, world, "analyst")
    response = client.post("/api/v1/calls/imports", headers=headers,
                           files={"file": ("calls.jsonl", _jsonl(_weeks_of_calls()))})
    assert response.status_code == 202, response.text
    job = client.get(f"/api/v1/jobs/{response.json()['id']}", headers=headers).json()
    assert job["status"] == "succeeded", job
    assert job["result"]["created"] == 320
    return headers


def test_an_import_is_a_job_whose_report_lists_the_bad_rows(
        client: TestClient, db: Session, world: World) -> None:
    headers = bearer(db, world, "analyst")
    bad = _jsonl([call("C1"), call("C2", duration_s=-5)])
    response = client.post("/api/v1/calls/imports", headers=headers,
                           files={"file": ("calls.jsonl", bad)})
    assert response.status_code == 202
    job = client.get(f"/api/v1/jobs/{response.json()['id']}", headers=headers).json()
    assert job["status"] == "failed"
    assert job["error"]["code"] == "call_import_rejected"
    [problem] = job["error"]["report"]["errors"]
    assert (problem["row"], problem["column"], problem["code"]) == (2, "duration_s",
                                                                     "out_of_range")
    # Another user cannot follow it; an agent cannot import at all.
    other = bearer(db, world, "manager")
    assert client.get(f"/api/v1/jobs/{job['id']}", headers=other).status_code == 404
    refused = client.post("/api/v1/calls/imports", headers=bearer(db, world, "agent"),
                          files={"file": ("calls.jsonl", bad)})
    assert refused.status_code == 403


def test_kpis_by_week_and_team(client: TestClient, imported: dict[str, str]) -> None:
    rows = client.get("/api/v1/calls/kpis", params={"by": "week,team"},
                      headers=imported).json()
    assert len(rows) == 16
    first = rows[0]
    assert (first["week"], first["team"], first["n_calls"]) == ("2026-09-07", "A组", 20)
    assert first["fcr"] == pytest.approx(18 / 20)
    low, high = first["fcr_ci"]
    assert low < 0.9 < high
    b_team = rows[1]
    assert b_team["team"] == "B组" and b_team["fcr"] == pytest.approx(0.5)
    assert first["complaint_rate"] == pytest.approx(2 / 20)


def test_control_chart_funnel_heatmap_and_pareto(client: TestClient,
                                                 imported: dict[str, str]) -> None:
    chart = client.get("/api/v1/calls/charts/control",
                       params={"kpi": "fcr", "baseline_from": "2026-09-07",
                               "baseline_to": "2026-10-12"}, headers=imported).json()
    assert chart["chart"] == "p" and len(chart["points"]) == 8
    assert chart["center"] == pytest.approx((18 + 10) * 6 / (40 * 6))
    assert [p["in_baseline"] for p in chart["points"]] == [True] * 6 + [False] * 2
    funnel = client.get("/api/v1/calls/charts/funnel", params={"kpi": "fcr", "unit": "agent"},
                        headers=imported).json()
    positions = {p["unit"]: p["position_998"] for p in funnel["points"]}
    assert positions == {"A1001": "above", "A1002": "below"}
    heat = client.get("/api/v1/calls/charts/heatmap", headers=imported).json()
    assert {c["y"] for c in heat["cells"]} == {"渝中区", "江北区"}
    pareto = client.get("/api/v1/calls/pareto", headers=imported).json()
    assert [(r["category"], r["count"]) for r in pareto] == [("资费争议", 32)]


def test_drill_down_and_transcripts_follow_who_may_see(
        client: TestClient, db: Session, world: World, imported: dict[str, str]) -> None:
    page = client.get("/api/v1/calls", params={"week": "2026-09-07", "filter": "team=B组",
                                               "fcr": "false"}, headers=imported).json()
    assert page["total"] == 10
    call_id = page["items"][0]["call_id"]
    transcript = client.get(f"/api/v1/calls/records/{call_id}/transcript", headers=imported)
    assert transcript.status_code == 200 and transcript.json()["turns"][0]["speaker"] == "agent"
    # An agent linked to A1001 sees their own calls only.
    db.add(RosterAgent(agent_id="A1001", name="张", team="A组", hired_on=date(2025, 1, 1),
                       stage="mature", user_id=world["agent"].id))
    db.commit()
    agent = bearer(db, world, "agent")
    own = client.get("/api/v1/calls", headers=agent).json()
    assert own["total"] == 160
    assert client.get(f"/api/v1/calls/records/{call_id}/transcript",
                      headers=agent).status_code == 404
    kpis = client.get("/api/v1/calls/kpis", params={"by": "team"}, headers=agent).json()
    assert [r["team"] for r in kpis] == ["A组"]


def test_not_enough_calls_and_unknown_slices_are_clear(client: TestClient,
                                                      imported: dict[str, str]) -> None:
    response = client.get("/api/v1/calls/charts/control",
                          params={"from": "2026-09-07", "to": "2026-09-07"}, headers=imported)
    assert response.status_code == 422 and response.json()["code"] == "not_enough_calls"
    response = client.get("/api/v1/calls/kpis", params={"by": "colour"}, headers=imported)
    assert response.status_code == 422 and response.json()["code"] == "bad_slice"
