"""Step 4, evaluation (效果评估): a named owner enters the trial team's figures before and
after, and a comparison team's, per metric; the result is a test stated in plain words.
It cannot be closed without data."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci import stats as st
from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.audit.service import record
from seci.core.clock import utcnow
from seci.core.errors import FieldErrors
from seci.tacit.errors import (
    EvaluationClosed,
    EvaluationNeedsData,
    EvaluationNotFound,
    NotEvaluationOwner,
)
from seci.tacit.incentives import award_points
from seci.tacit.metrics import METRICS, PHASES, TEAM_ROLES, MetricKind
from seci.tacit.models import (
    Contribution,
    Evaluation,
    EvaluationFigure,
    EvaluationStatus,
    EventKind,
    Status,
    Verdict,
)
from seci.tacit.workflow import (
    add_event,
    get_contribution,
    move,
    require_not_own,
    require_perm,
    require_status,
)


@dataclass(frozen=True)
class FigureInput:
    metric: str
    team_role: str
    phase: str
    n: int
    successes: int | None = None
    mean: float | None = None
    sd: float | None = None
    period: str = ""


def get_evaluation(session: Session, *, contribution_id: int) -> Evaluation:
    evaluation = session.scalar(select(Evaluation).where(
        Evaluation.contribution_id == contribution_id))
    if evaluation is None:
        raise EvaluationNotFound(contribution=contribution_id)
    return evaluation


def figures(session: Session, *, evaluation_id: int) -> list[EvaluationFigure]:
    return list(session.scalars(select(EvaluationFigure).where(
        EvaluationFigure.evaluation_id == evaluation_id).order_by(
        EvaluationFigure.metric, EvaluationFigure.team_role.desc(),
        EvaluationFigure.phase.desc())))


def figure_problems(figure: FigureInput) -> list[dict[str, object]]:
    """What is wrong with one row (field names as in the CSV header)."""
    problems: list[dict[str, object]] = []
    metric = METRICS.get(figure.metric)
    if metric is None:
        problems.append({"field": "metric", "code": "invalid_choice", "value": figure.metric})
    if figure.team_role not in TEAM_ROLES:
        problems.append({"field": "team", "code": "invalid_choice", "value": figure.team_role})
    if figure.phase not in PHASES:
        problems.append({"field": "phase", "code": "invalid_choice", "value": figure.phase})
    if figure.n < 1:
        problems.append({"field": "n", "code": "invalid_choice", "value": figure.n})
    if metric is not None and metric.kind == MetricKind.PROPORTION:
        if figure.successes is None:
            problems.append({"field": "successes", "code": "required"})
        elif not 0 <= figure.successes <= figure.n:
            problems.append({"field": "successes", "code": "successes_out_of_range",
                             "value": figure.successes})
    if metric is not None and metric.kind == MetricKind.MEAN:
        if figure.mean is None:
            problems.append({"field": "mean", "code": "required"})
        if figure.sd is None:
            problems.append({"field": "sd", "code": "required"})
        elif figure.sd < 0:
            problems.append({"field": "sd", "code": "invalid_choice", "value": figure.sd})
        if figure.n < 2:
            problems.append({"field": "n", "code": "invalid_choice", "value": figure.n})
    return problems


def _open_evaluation_for(session: Session, contribution_id: int, actor: User
                         ) -> tuple[Contribution, Evaluation]:
    require_perm(actor, Perm.TACIT_EVALUATE)
    contribution = get_contribution(session, contribution_id=contribution_id)
    require_status(contribution, "evaluated", Status.EVALUATING)
    evaluation = get_evaluation(session, contribution_id=contribution_id)
    if evaluation.status == EvaluationStatus.CLOSED:
        raise EvaluationClosed()
    require_owner(actor, evaluation)
    return contribution, evaluation


def require_owner(actor: User, evaluation: Evaluation) -> None:
    if actor.id != evaluation.owner_id and not actor.can(Perm.TACIT_MANAGE):
        raise NotEvaluationOwner()


def save_figures(session: Session, *, contribution_id: int, actor: User,
                 rows: list[FigureInput], source: str = "form") -> list[EvaluationFigure]:
    """Enter or replace figures, all or nothing: one bad row and nothing is saved; problems
    carry the row number (1 = the first data row)."""
    contribution, evaluation = _open_evaluation_for(session, contribution_id, actor)
    problems = [problem | {"row": number}
                for number, row in enumerate(rows, start=1)
                for problem in figure_problems(row)]
    seen: dict[tuple[str, str, str], int] = {}
    for number, row in enumerate(rows, start=1):
        key = (row.metric, row.team_role, row.phase)
        if key in seen:
            problems.append({"row": number, "field": "metric", "code": "duplicate_figure",
                             "value": "/".join(key), "first_row": seen[key]})
        seen.setdefault(key, number)
    if problems:
        raise FieldErrors(problems)
    existing = {(f.metric, f.team_role, f.phase): f
                for f in figures(session, evaluation_id=evaluation.id)}
    saved = []
    for row in rows:
        figure = existing.get((row.metric, row.team_role, row.phase)) or EvaluationFigure(
            evaluation_id=evaluation.id, metric=row.metric, team_role=row.team_role,
            phase=row.phase)
        figure.period, figure.n, figure.successes = row.period.strip()[:40], row.n, \
            row.successes
        figure.mean, figure.sd = row.mean, row.sd
        figure.entered_by_id, figure.entered_at = actor.id, utcnow()
        session.add(figure)
        saved.append(figure)
    session.flush()
    # The history line says "figures entered"; the figures themselves are on the page (a
    # code such as "form: 2" here would reach readers untranslated).
    add_event(session, contribution=contribution, actor=actor, kind=EventKind.NOTE,
              note="", audit_action="evaluation.figures",
              details={"source": source, "rows": len(rows)})
    return saved


@dataclass(frozen=True)
class MetricResult:
    metric: str
    comparison: str  # did (trial vs comparison, before vs after), before_after, versus
    result: st.TestResult
    improved: bool  # the change goes the better way for this metric


def _proportion(f: EvaluationFigure) -> st.Proportion:
    assert f.successes is not None
    return st.Proportion(f.successes, f.n)


def _sample(f: EvaluationFigure) -> st.Sample:
    assert f.mean is not None
    assert f.sd is not None
    return st.Sample(f.mean, f.sd, f.n)


def analyse(found: list[EvaluationFigure]) -> list[MetricResult]:
    """Per metric, the strongest comparison the figures allow: difference in differences
    when both teams were measured before and after; else the trial team before vs after;
    else the trial team after vs the comparison team after."""
    by_metric: dict[str, dict[tuple[str, str], EvaluationFigure]] = {}
    for f in found:
        by_metric.setdefault(f.metric, {})[(f.team_role, f.phase)] = f
    results = []
    for code, cells in sorted(by_metric.items()):
        metric = METRICS.get(code)
        if metric is None:
            continue
        result = _compare(cells, metric.kind)
        if result is None:
            continue
        comparison, test = result
        improved = test.effect > 0 if metric.higher_is_better else test.effect < 0
        results.append(MetricResult(code, comparison, test, improved))
    return results


def _compare(cells: dict[tuple[str, str], EvaluationFigure], kind: MetricKind
             ) -> tuple[str, st.TestResult] | None:
    tb, ta = cells.get(("trial", "before")), cells.get(("trial", "after"))
    cb, ca = cells.get(("comparison", "before")), cells.get(("comparison", "after"))
    if kind == MetricKind.PROPORTION:
        if tb and ta and cb and ca:
            return "did", st.difference_in_differences_proportions(
                _proportion(tb), _proportion(ta), _proportion(cb), _proportion(ca))
        if tb and ta:
            return "before_after", st.two_proportion_z_test(_proportion(tb), _proportion(ta))
        if ta and ca:
            return "versus", st.two_proportion_z_test(_proportion(ca), _proportion(ta))
        return None
    if tb and ta and cb and ca:
        return "did", st.difference_in_differences_means(
            _sample(tb), _sample(ta), _sample(cb), _sample(ca))
    if tb and ta:
        return "before_after", st.welch_t_test(_sample(tb), _sample(ta))
    if ta and ca:
        return "versus", st.welch_t_test(_sample(ca), _sample(ta))
    return None


def close_evaluation(session: Session, *, contribution_id: int, actor: User, verdict: str,
                     conclusion: str) -> Evaluation:
    """The owner (or a pipeline manager) closes it on the evidence; an effective result
    earns the author the 'proven' points."""
    contribution, evaluation = _open_evaluation_for(session, contribution_id, actor)
    require_not_own(actor, contribution)
    if verdict not in set(Verdict):
        raise FieldErrors([{"field": "verdict", "code": "invalid_choice", "value": verdict}])
    if not conclusion.strip():
        raise FieldErrors([{"field": "conclusion", "code": "required"}])
    if not analyse(figures(session, evaluation_id=evaluation.id)):
        raise EvaluationNeedsData()
    evaluation.status = EvaluationStatus.CLOSED
    evaluation.verdict = verdict
    evaluation.conclusion = conclusion.strip()
    evaluation.closed_by_id, evaluation.closed_at = actor.id, utcnow()
    session.flush()
    record(session, actor=actor, action="evaluation.close", entity_type="contribution",
           entity_id=contribution.id, summary=contribution.title,
           after={"verdict": verdict})
    # The verdict is shown, translated, with the evaluation; the history keeps the words.
    move(session, contribution=contribution, to=Status.EVALUATED, actor=actor,
         note=evaluation.conclusion)
    if verdict == Verdict.EFFECTIVE:
        award_points(session, user_id=contribution.author_id, reason_code="contribution_proven",
                     source_type="contribution", source_id=contribution.id, actor=actor)
    return evaluation

