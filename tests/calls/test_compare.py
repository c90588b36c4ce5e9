"""Before/after and A/B comparisons: a hand-computed z-test, and the generator's planted
training effect recovered by the difference in differences against the comparison team."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from seci.calls.compare import compare_groups, compare_periods
from seci.calls.importing import CallSource, import_calls, load_row_context
from seci.calls.kpis import Period
from seci.core.tabular import FileFormat
from seci.synthetic import GeneratorConfig, write_dataset
from tests.calls.helpers import NOW, call, run_import, write_jsonl
from tests.factories import World


def test_a_two_team_comparison_by_hand(db: Session, world: World, tmp_path: Path) -> None:
    # A组: 8 of 10 resolved; B组: 4 of 10. Pooled p = 12/20 = 0.6;
    # SE = √(0.6 · 0.4 · (1/10 + 1/10)) = √0.048 = 0.219089; z = (0.4 − 0.8)/SE = −1.825742;
    # p = 2·(1 − Φ(1.825742)) = 0.067889.
    records = ([call(f"A{i}", team="A组", resolved_first_contact=i < 8) for i in range(10)]
               + [call(f"B{i}", team="B组", resolved_first_contact=i < 4) for i in range(10)])
    run_import(db, world, write_jsonl(tmp_path / "ab.jsonl", records))
    result = compare_groups(db, actor=world["analyst"], kpi="fcr", period=Period(),
                            split="team", first="A组", second="B组")
    [row] = result.rows
    assert row.test is not None
    assert row.test.effect == pytest.approx(-0.4)
    assert row.test.statistic == pytest.approx(-1.825742, abs=1e-6)
    assert row.test.p_value == pytest.approx(0.067889, abs=1e-6)
    assert not row.test.significant
    # Cohen's h = 2·asin(√0.4) − 2·asin(√0.8) = 1.369438 − 2.214297 = −0.844859.
    assert row.test.effect_size == pytest.approx(2 * math.asin(math.sqrt(0.4))
                                                 - 2 * math.asin(math.sqrt(0.8)))


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    folder = tmp_path_factory.mktemp("planted")
    config = GeneratorConfig(seed=17, weeks=12, calls_per_day=400, transcripts=False,
                             demo_links=False)
    return folder, write_dataset(config, folder)


def test_the_planted_training_effect_is_found_against_its_comparison_team(
        db: Session, world: World, planted: tuple[Path, object]) -> None:
    folder, truth = planted
    training = truth.training  # type: ignore[attr-defined]
    import_calls(db, actor=world["analyst"], context=load_row_context(db, now=NOW),
                 source=CallSource(calls=folder / "calls.jsonl", calls_format=FileFormat.JSONL))
    before = Period(truth.start, training.starts_on - timedelta(days=1))  # type: ignore[attr-defined]
    after = Period(training.starts_on, truth.end)  # type: ignore[attr-defined]
    result = compare_periods(db, actor=world["analyst"], kpi="satisfaction_top2",
                             before=before, after=after, filters={"team": training.team},
                             control=("team", training.comparison_team))
    [row] = result.rows
    assert row.did is not None and row.did.significant
    assert row.did.effect == pytest.approx(training.delta, abs=0.04)
    # Split by team: only the trained team's change survives Benjamini–Hochberg upwards.
    split = compare_periods(db, actor=world["analyst"], kpi="satisfaction_top2",
                            before=before, after=after, split="team")
    risen = [r.key for r in split.rows
             if r.test is not None and r.q_value is not None and r.q_value < 0.05
             and r.test.effect > 0]
    assert risen == [training.team]
