"""A six-step evaluation's figures read from the call records, then tested by the
evaluation's own statistics."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from seci.calls.evaluation import evaluation_figures
from seci.calls.kpis import Period
from seci.tacit import evaluation as ev
from tests.calls.helpers import call, run_import, write_jsonl
from tests.conftest import csrf_of
from tests.factories import World, web_login
from tests.tacit.helpers import promoted


def test_figures_by_team_and_period(db: Session, world: World, tmp_path: Path) -> None:
    before, after = "2026-09-07", "2026-09-14"
    records = [call(f"T{i}", team="A组", started_at=f"{before}T10:00:00+08:00",
                    resolved_first_contact=i < 6, duration_s=100 + 10 * i) for i in range(10)]
    records += [call(f"U{i}", team="A组", started_at=f"{after}T10:00:00+08:00",
                     resolved_first_contact=i < 9, satisfaction=3) for i in range(10)]
    records += [call(f"C{d}{i}", team="B组", started_at=f"{d}T10:00:00+08:00",
                     resolved_first_contact=i % 2 == 0)
                for d in (before, after) for i in range(10)]
    run_import(db, world, write_jsonl(tmp_path / "c.jsonl", records))
    figures = evaluation_figures(
        db, actor=world["analyst"], trial_team="A组", comparison_team="B组",
        before=Period(date(2026, 9, 7), date(2026, 9, 13)),
        after=Period(date(2026, 9, 14), date(2026, 9, 20)))
    by_key = {(f.metric, f.team_role, f.phase): f for f in figures}
    fcr_before = by_key[("fcr", "trial", "before")]
    assert (fcr_before.n, fcr_before.successes) == (10, 6)
    assert by_key[("fcr", "trial", "after")].successes == 9
    assert by_key[("fcr", "comparison", "after")].successes == 5
    # Trial before: durations 100, 110, …, 190: mean 145, sd = √(Σ(x − 145)²/9) = 30.277.
    aht = by_key[("handling_time", "trial", "before")]
    assert aht.mean == pytest.approx(145) and aht.sd == pytest.approx(30.2765, abs=1e-3)
    satisfaction_after = by_key[("satisfaction", "trial", "after")]
    assert (satisfaction_after.n, satisfaction_after.successes) == (10, 0)


def test_the_evaluation_page_fills_its_figures_from_calls(
        client: TestClient, db: Session, world: World, tmp_path: Path) -> None:
    records = [call(f"E{team}{d}{i}", team=team, started_at=f"{d}T10:00:00+08:00",
                    resolved_first_contact=(i < 8) if team == "A组" and d > "2026-09-10"
                    else i < 5)
               for team in ("A组", "B组") for d in ("2026-09-07", "2026-09-14")
               for i in range(10)]
    run_import(db, world, write_jsonl(tmp_path / "e.jsonl", records))
    contribution = promoted(db, world)
    db.commit()
    web_login(client, "analyst")
    page = client.get(f"/tacit/contributions/{contribution.id}")
    assert 'id="figures-from-calls"' in page.text
    saved = client.post(f"/tacit/contributions/{contribution.id}/figures-from-calls", data={
        "csrf_token": csrf_of(page.text), "trial_team": "A组", "comparison_team": "B组",
        "before_from": "2026-09-07", "before_to": "2026-09-13",
        "after_from": "2026-09-14", "after_to": "2026-09-20"}, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    stored = {(f.metric, f.team_role, f.phase): f for f in ev.figures(
        db, evaluation_id=ev.get_evaluation(db, contribution_id=contribution.id).id)}
    assert stored[("fcr", "trial", "after")].successes == 8
    assert stored[("fcr", "comparison", "after")].successes == 5
