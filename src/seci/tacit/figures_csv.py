"""Evaluation figures from a CSV file: every row checked first, then all saved or none.

Header: ``metric,team,phase,period,n,successes,mean,sd`` (team = trial | comparison,
phase = before | after); proportions fill ``successes``, means fill ``mean`` and ``sd``.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.core.errors import FieldErrors
from seci.tacit.errors import FigureImportFailed
from seci.tacit.evaluation import FigureInput, figure_problems, save_figures
from seci.tacit.models import EvaluationFigure
from seci.tacit.workflow import require_perm

COLUMNS = ("metric", "team", "phase", "period", "n", "successes", "mean", "sd")
REQUIRED = ("metric", "team", "phase", "n")
MAX_ROWS = 200


def _number(text: str, column: str, row: int, problems: list[dict[str, Any]],
            *, integer: bool) -> Any:
    text = text.strip()
    if not text:
        return None
    try:
        return int(text) if integer else float(text)
    except ValueError:
        problems.append({"row": row, "field": column, "code": "not_a_number", "value": text})
        return None


def parse_figures(data: bytes) -> list[FigureInput]:
    """Rows of the file (row 1 = the first line after the header); raises with every
    problem found, numbered."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FigureImportFailed([{"row": 0, "field": "file", "code": "not_utf8"}]) from None
    try:
        return _parse_rows(text)
    except csv.Error as exc:  # e.g. a stray quote or CR where the csv module refuses it
        raise FigureImportFailed([{"row": 0, "field": "file", "code": "bad_csv",
                                   "value": str(exc)}]) from None


def _parse_rows(text: str) -> list[FigureInput]:
    # newline="": line breaks inside quoted cells stay in the cell, a lone CR ends a row.
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    problems: list[dict[str, Any]] = [
        {"row": 0, "field": name, "code": "missing_column", "value": name}
        for name in REQUIRED if name not in header]
    problems += [{"row": 0, "field": name, "code": "unknown_column", "value": name}
                 for name in header if name not in COLUMNS]
    if problems:
        raise FigureImportFailed(problems)
    rows: list[FigureInput] = []
    for number, raw in enumerate(reader, start=1):
        if number > MAX_ROWS:
            problems.append({"row": number, "field": "file", "code": "too_many",
                             "max": MAX_ROWS})
            break
        cells = {k.strip(): (v or "") for k, v in raw.items() if k}
        found: list[dict[str, Any]] = []
        n = _number(cells.get("n", ""), "n", number, found, integer=True)
        figure = FigureInput(
            metric=cells.get("metric", "").strip(), team_role=cells.get("team", "").strip(),
            phase=cells.get("phase", "").strip(), period=cells.get("period", "").strip(),
            n=n if n is not None else 0,
            successes=_number(cells.get("successes", ""), "successes", number, found,
                              integer=True),
            mean=_number(cells.get("mean", ""), "mean", number, found, integer=False),
            sd=_number(cells.get("sd", ""), "sd", number, found, integer=False))
        found += [p | {"row": number} for p in figure_problems(figure)]
        problems += found
        rows.append(figure)
    if not rows and not problems:
        problems.append({"row": 0, "field": "file", "code": "empty_file"})
    if problems:
        raise FigureImportFailed(problems)
    return rows


def import_figures(session: Session, *, contribution_id: int, actor: User, data: bytes
                   ) -> list[EvaluationFigure]:
    """All rows or none (duplicates within the file are reported by row too). Only those
    who may enter figures get as far as having the file read."""
    require_perm(actor, Perm.TACIT_EVALUATE)
    rows = parse_figures(data)
    try:
        return save_figures(session, contribution_id=contribution_id, actor=actor,
                            rows=rows, source="csv")
    except FieldErrors as error:
        raise FigureImportFailed(error.errors) from None
