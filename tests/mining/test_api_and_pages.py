"""Mining through the API and the pages: a run as a job, its findings, a golden script
and a gap turned into knowledge, burst alerts in the owners' inboxes."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.calls.importing import CallSource, import_calls, load_row_context
from seci.core.tabular import FileFormat
from seci.mining.models import MiningAlert, MiningRun
from seci.synthetic import GeneratorConfig, write_dataset
from seci.tacit.models import Contribution, Source
from tests.calls.helpers import NOW
from tests.conftest import csrf_of
from tests.factories import World, bearer, web_login


@pytest.fixture
def calls(db: Session, world: World, tmp_path: Path) -> None:
    write_dataset(GeneratorConfig(seed=11, weeks=9, calls_per_day=160, demo_links=False)
                  .with_mining_effects(), tmp_path)
    import_calls(db, actor=world["analyst"], context=load_row_context(db, now=NOW),
                 source=CallSource(calls=tmp_path / "calls.jsonl",
                                   calls_format=FileFormat.JSONL))
    db.commit()


def test_a_run_through_the_api_then_actions(client: TestClient, db: Session, world: World,
                                            calls: None) -> None:
    headers = bearer(db, world, "analyst")
    assert client.get("/api/v1/mining/runs/latest", headers=headers).json() is None
    started = client.post("/api/v1/mining/runs", json={}, headers=headers)
    assert started.status_code == 202, started.text
    job = client.get(f"/api/v1/jobs/{started.json()['id']}", headers=headers).json()
    assert job["status"] == "succeeded", job
    latest = client.get("/api/v1/mining/runs/latest", headers=headers).json()
    findings = latest["findings"]
    assert set(findings) >= {"golden_scripts", "hot_topics", "knowledge_gaps",
                             "agent_matching", "long_calls"}
    assert findings["hot_topics"] and findings["long_calls"]["tail_calls"] > 0
    topic = next(iter(findings["agent_matching"]))
    recommended = client.get("/api/v1/mining/recommendations", params={"topic": topic},
                             headers=headers)
    assert recommended.status_code == 200
    gaps = [i for i, g in enumerate(findings["knowledge_gaps"]) if g["is_gap"]]
    assert gaps
    made = client.post(f"/api/v1/mining/runs/{latest['id']}/gaps/{gaps[0]}/contribution",
                       headers=headers)
    assert made.status_code == 201, made.text
    contribution = db.get(Contribution, made.json()["id"])
    assert contribution is not None and contribution.source == Source.DATA_MINING
    # Editors draft the article (analysts may not write articles).
    refused = client.post(f"/api/v1/mining/runs/{latest['id']}/gaps/{gaps[0]}/article",
                          json={"module_id": world.modules["宽带"].id}, headers=headers)
    assert refused.status_code == 403
    manager = bearer(db, world, "manager")
    article = client.post(f"/api/v1/mining/runs/{latest['id']}/gaps/{gaps[0]}/article",
                          json={"module_id": world.modules["宽带"].id}, headers=manager)
    assert article.status_code == 201, article.text
    agents = bearer(db, world, "agent")
    assert client.post("/api/v1/mining/runs", json={}, headers=agents).status_code == 403
    assert client.get("/api/v1/mining/runs/latest", headers=agents).status_code == 403


def test_bursts_reach_the_owners_inbox_and_the_page(client: TestClient, db: Session,
                                                    world: World, calls: None) -> None:
    web_login(client, "analyst")
    page = client.get("/mining")
    assert page.status_code == 200 and 'id="mining-run"' in page.text
    ran = client.post("/mining/run", data={"csrf_token": csrf_of(page.text)},
                      follow_redirects=True)
    assert ran.status_code == 200 and 'id="golden-scripts"' in ran.text
    run = db.scalar(select(MiningRun).order_by(MiningRun.id.desc()))
    assert run is not None
    alert = db.scalar(select(MiningAlert).where(MiningAlert.run_id == run.id))
    assert alert is not None
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})
    owner = db.get(type(world["manager"]), alert.user_id)
    assert owner is not None
    web_login(client, owner.username)
    inbox = client.get("/inbox")
    assert f"/mining/alerts/{alert.id}" in inbox.text
    opened = client.get(f"/mining/alerts/{alert.id}")
    assert opened.status_code == 200 and alert.region in opened.text
    db.refresh(alert)
    assert alert.seen_at is not None


def test_a_run_stored_by_an_earlier_version_still_renders(client: TestClient, db: Session,
                                                          world: World) -> None:
    """Findings are stored as JSON: a run mined before a field existed shows without it."""
    db.add(MiningRun(calls=500, findings={
        "calls": 500, "weeks": ["2026-11-02"],
        "golden_scripts": [{
            "phrase": "我跟您确认一下您的需求", "topic": "话费查询", "effect_fcr": 0.08,
            "ci_low": 0.03, "ci_high": 0.13, "p_value": 0.001, "q_value": 0.01, "n_with": 120,
            "n_without": 380, "naive_lift": 0.1, "describes_outcome": False,
            "phase": "middle", "variants": ["我跟您确认一下您的需求"],
            "example_call_ids": [], "top_agents": []}],
        "hot_topics": [], "topics": [],
        "knowledge_gaps": [{
            "topic": "eSIM", "calls": 80, "fcr": 0.4, "fcr_ci": [0.3, 0.5],
            "fcr_elsewhere": 0.78, "hedge_share": 0.7, "hedge_share_elsewhere": 0.3,
            "hedge_kinds": {}, "weekly_calls": [10, 30, 40], "growth_per_week": 15.0,
            "growth_p_value": 0.01, "q_value": 0.001, "score": 9.0, "is_gap": True,
            "example_call_ids": [], "example_questions": ["手表的eSIM怎么开"],
            "search_answered_share": None, "search_log_gaps": []}],
        "agent_matching": {"话费查询": [{"agent_id": "A1001", "n": 60, "fcr": 0.8,
                                        "fcr_shrunk": 0.78, "low": 0.7, "high": 0.86,
                                        "topic_fcr": 0.75}]},
        "recommendations": {"*": {}},
        "long_calls": {"threshold_s": 600.0, "tail_calls": 25, "reasons": [{
            "phrase": "系统查询超时", "tail_share": 0.3, "other_share": 0.02, "lift": 15.0,
            "excess": 0.2, "added_seconds": 120.0, "q_value": 0.001, "tail_calls_with": 8,
            "example_call_ids": []}]}}))
    db.commit()
    web_login(client, "analyst")
    page = client.get("/mining")
    assert page.status_code == 200, page.text
    assert "我跟您确认一下您的需求" in page.text and "系统查询超时" in page.text
