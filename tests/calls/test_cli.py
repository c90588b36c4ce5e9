"""`seci calls …` and `seci agents …` on a database of their own (see tests/test_cli.py)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.calls.helpers import call, write_jsonl
from tests.test_cli import cli_db, seci

__all__ = ["cli_db"]


def test_import_kpis_and_pareto_as_json(cli_db: str, tmp_path: Path) -> None:
    records = [call(f"C{i}", team="A组" if i % 2 else "B组",
                    resolved_first_contact=i % 3 != 0, complaint=i % 4 == 0,
                    complaint_category=("资费争议" if i % 8 == 0 else "网络质量")
                    if i % 4 == 0 else None,
                    started_at=f"2026-09-{7 + i % 10:02d}T10:00:00+08:00") for i in range(40)]
    path = write_jsonl(tmp_path / "calls.jsonl", records)
    dry = seci("calls", "import", str(path), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "试导入" in dry.output
    result = seci("calls", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "40" in result.output

    kpis = seci("calls", "kpis", "--by", "week,team", "--json")
    assert kpis.exit_code == 0, kpis.output
    rows = json.loads(kpis.stdout)
    assert [(r["week"], r["team"]) for r in rows] == [
        ("2026-09-07", "A组"), ("2026-09-07", "B组"), ("2026-09-14", "A组"),
        ("2026-09-14", "B组")]
    assert sum(r["n_calls"] for r in rows) == 40
    first = rows[0]
    assert set(first) >= {"n_calls", "fcr", "satisfaction_mean", "satisfaction_n",
                          "complaint_rate", "repeat_7d_rate"}
    ranged = json.loads(seci("calls", "kpis", "--by", "day", "--from", "2026-09-08",
                             "--to", "2026-09-08", "--json").stdout)
    assert [r["day"] for r in ranged] == ["2026-09-08"]

    pareto = json.loads(seci("calls", "pareto", "--json").stdout)
    assert [(p["category"], p["count"]) for p in pareto] == [("网络质量", 5), ("资费争议", 5)]
    assert pareto[-1]["cumulative_share"] == 1.0


def test_bad_rows_exit_1_and_are_listed(cli_db: str, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", [call("C1"), call("C2", queue="Q")])
    result = seci("calls", "import", str(path))
    assert result.exit_code == 1
    assert "第 2 行" in result.output and "Q" in result.output


def test_roster_import(cli_db: str, tmp_path: Path) -> None:
    roster = tmp_path / "roster.jsonl"
    roster.write_text(json.dumps({"agent_id": "A1", "name": "张敏", "team": "A组",
                                  "hired_on": "2024-03-01", "stage": "成熟期"},
                                 ensure_ascii=False) + "\n", encoding="utf-8")
    result = seci("agents", "import", str(roster))
    assert result.exit_code == 0, result.output
    assert "1" in result.output
