"""Evaluation figures: entry, CSV import (all or nothing, numbered rows), the result in
words."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy.orm import Session

from seci.core.errors import FieldErrors
from seci.tacit import evaluation as ev
from seci.tacit import wording
from seci.tacit.errors import FigureImportFailed
from seci.tacit.figures_csv import import_figures
from tests.factories import World
from tests.tacit.helpers import FIGURES, promoted

GOOD_CSV = """metric,team,phase,period,n,successes,mean,sd
fcr,trial,before,2026-08,1000,800,,
fcr,trial,after,2026-10,1000,850,,
handling_time,trial,before,2026-08,50,,300,60
handling_time,trial,after,2026-10,60,,280,50
"""


def test_csv_import_saves_every_row_and_the_result_reads_in_words(db: Session, world: World
                                                                   ) -> None:
    contribution = promoted(db, world)
    saved = import_figures(db, contribution_id=contribution.id, actor=world["analyst"],
                           data=GOOD_CSV.encode())
    assert len(saved) == 4
    evaluation = ev.get_evaluation(db, contribution_id=contribution.id)
    results = {r.metric: r for r in ev.analyse(ev.figures(db, evaluation_id=evaluation.id))}
    assert results["fcr"].improved
    assert wording.describe(results["fcr"]) == "提升5.00个百分点, p=0.003, 显著"
    assert wording.name_of_test(results["fcr"]) == "两比例z检验"
    assert results["handling_time"].improved  # shorter is better
    assert wording.describe(results["handling_time"]) == "减少20.0秒, p=0.06, 不显著"


def test_a_bad_csv_imports_nothing_and_numbers_every_problem(db: Session, world: World
                                                             ) -> None:
    contribution = promoted(db, world)
    bad = GOOD_CSV + "fcr,trial,after,2026-11,100,120,,\nspeed,pilot,later,,x,,,\n"
    with pytest.raises(FigureImportFailed) as caught:
        import_figures(db, contribution_id=contribution.id, actor=world["analyst"],
                       data=bad.encode())
    found = {(p["row"], p["field"], p["code"]) for p in caught.value.errors}
    assert (5, "successes", "successes_out_of_range") in found
    assert (5, "metric", "duplicate_figure") not in found  # checked after row problems
    assert {(6, "n", "not_a_number"), (6, "metric", "invalid_choice"),
            (6, "team", "invalid_choice"), (6, "phase", "invalid_choice")} <= found
    evaluation = ev.get_evaluation(db, contribution_id=contribution.id)
    assert ev.figures(db, evaluation_id=evaluation.id) == []


def test_a_duplicate_row_is_reported_with_the_first_one(db: Session, world: World) -> None:
    contribution = promoted(db, world)
    with pytest.raises(FieldErrors) as caught:
        ev.save_figures(db, contribution_id=contribution.id, actor=world["analyst"],
                        rows=[*FIGURES, FIGURES[0]])
    assert caught.value.errors == [{"row": 3, "field": "metric", "code": "duplicate_figure",
                                    "value": "fcr/trial/before", "first_row": 1}]


def test_missing_columns_are_reported_as_row_zero(db: Session, world: World) -> None:
    contribution = promoted(db, world)
    with pytest.raises(FigureImportFailed) as caught:
        import_figures(db, contribution_id=contribution.id, actor=world["analyst"],
                       data=b"metric,team,colour\nfcr,trial,red\n")
    assert {(p["row"], p["code"], p["field"]) for p in caught.value.errors} == {
        (0, "missing_column", "phase"), (0, "missing_column", "n"),
        (0, "unknown_column", "colour")}


def test_line_breaks_in_cells_and_bare_cr_line_ends_are_read_not_a_server_error(
        db: Session, world: World) -> None:
    contribution = promoted(db, world)
    # A quoted cell with a line break (the fuzzer's 500) and Mac-style CR line ends.
    quoted = GOOD_CSV.replace("handling_time,trial,after", '"handling\ntime",trial,after')
    with pytest.raises(FigureImportFailed) as caught:
        import_figures(db, contribution_id=contribution.id, actor=world["analyst"],
                       data=quoted.encode())
    assert {(p["row"], p["field"], p["code"]) for p in caught.value.errors} == {
        (4, "metric", "invalid_choice")}
    saved = import_figures(db, contribution_id=contribution.id, actor=world["analyst"],
                           data=GOOD_CSV.replace("\n", "\r").encode())
    assert len(saved) == 4


def test_a_file_the_csv_reader_refuses_is_a_file_problem(db: Session, world: World) -> None:
    contribution = promoted(db, world)
    huge_cell = GOOD_CSV + "fcr," + "x" * 2_000 + ",after,,1,,,\n"
    limit = csv.field_size_limit(1_000)  # the limit is per process; other readers raise it
    try:
        with pytest.raises(FigureImportFailed) as caught:
            import_figures(db, contribution_id=contribution.id, actor=world["analyst"],
                           data=huge_cell.encode())
    finally:
        csv.field_size_limit(limit)
    assert [(p["row"], p["field"], p["code"]) for p in caught.value.errors] == [
        (0, "file", "bad_csv")]


def test_with_a_comparison_team_the_test_is_difference_in_differences(
        db: Session, world: World) -> None:
    contribution = promoted(db, world)
    ev.save_figures(db, contribution_id=contribution.id, actor=world["analyst"], rows=[
        *FIGURES,
        ev.FigureInput("fcr", "comparison", "before", 1000, successes=790),
        ev.FigureInput("fcr", "comparison", "after", 1000, successes=800)])
    evaluation = ev.get_evaluation(db, contribution_id=contribution.id)
    [result] = ev.analyse(ev.figures(db, evaluation_id=evaluation.id))
    assert result.comparison == "did"
    assert wording.describe(result) == "提升4.00个百分点, p=0.11, 不显著"


def test_p_values_are_written_as_reports_write_them() -> None:
    assert wording.format_p(0.0302) == "p=0.03"
    assert wording.format_p(0.0032) == "p=0.003"
    assert wording.format_p(0.00001) == "p<0.001"
