"""Pages of the contribution pipeline: the board, submitting, a contribution with its
history and the forms of each step."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.accounts.service import list_queues
from seci.calls.evaluation import evaluation_figures
from seci.calls.kpis import Period
from seci.core.clock import today
from seci.core.config import get_settings
from seci.core.errors import FieldErrors
from seci.core.http import CurrentUser, SessionDep
from seci.core.messages import describe_problem, field_label
from seci.knowledge.lookups import load_lookups
from seci.knowledge.upload import read_upload
from seci.knowledge.validation import date_problem, parse_date
from seci.tacit import evaluation as ev
from seci.tacit import improvement, mining, promotion, screening, wording
from seci.tacit.detail import contribution_detail
from seci.tacit.errors import FigureImportFailed
from seci.tacit.figures_csv import import_figures
from seci.tacit.metrics import METRICS, PHASES, TEAM_ROLES, MetricKind
from seci.tacit.models import CLOSED, Kind, Source, Status, Step
from seci.web.pages.common import Form, field, ids, optional_int, redirect
from seci.web.templating import render

router = APIRouter(include_in_schema=False)
BOARD_STEPS = (Step.MINING, Step.SCREENING, Step.PROMOTION, Step.EVALUATION,
               Step.INCENTIVES)


def problem_lines(errors: list[dict[str, object]]) -> list[str]:
    """'第 3 行 · 成功数: …' for numbered rows, 'field: …' otherwise."""
    lines = []
    for error in errors:
        text = f"{field_label(str(error.get('field', '')))}: {describe_problem(error)}"
        row = error.get("row")
        lines.append(wording.row_prefix(int(str(row))) + text if row is not None else text)
    return lines


@router.get("/tacit", response_class=HTMLResponse)
def board(request: Request, db: SessionDep, user: CurrentUser, stuck_days: str | None = None
          ) -> HTMLResponse:
    """The pipeline board: a column per step, time per step, stuck items, process issues."""
    promotion.sync_promotions(db)
    threshold = optional_int(stuck_days) or improvement.DEFAULT_STUCK_DAYS
    rows = mining.list_contributions(db)
    columns: dict[Step, list[object]] = {step: [] for step in BOARD_STEPS}
    for c in rows:
        if c.status not in CLOSED or c.status == Status.EVALUATED:
            columns[c.step].append(c)
    timing = improvement.timings(db, stuck_after_days=threshold)
    issues = improvement.list_issues(db)
    look = load_lookups(db, [c.author_id for c in rows] + [i.raised_by_id for i in issues])
    return render(request, "tacit/board.html", {
        "columns": columns, "closed": [c for c in rows if c.status in CLOSED
                                       and c.status != Status.EVALUATED],
        "timing": timing, "stuck_ids": {i.contribution.id for i in timing.stuck},
        "threshold": threshold, "issues": issues, "look": look, "steps": list(Step),
    }, user=user)


@router.get("/tacit/new", response_class=HTMLResponse)
def new_contribution(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    return _new_page(request, db, user, {}, [])


def _new_page(request: Request, db: SessionDep, user: User, values: dict[str, object],
              errors: list[dict[str, object]]) -> HTMLResponse:
    people = list(db.scalars(select(User).where(User.is_active.is_(True))
                             .order_by(User.display_name))) \
        if user.can(Perm.TACIT_RECORD_FOR) else []
    return render(request, "tacit/new.html", {
        "kinds": list(Kind), "sources": list(Source), "queues": list_queues(db),
        "people": people, "values": values, "error_text": problem_lines(errors),
    }, user=user, status_code=422 if errors else 200)


@router.post("/tacit/new")
def submit_contribution(request: Request, db: SessionDep, user: CurrentUser, form: Form
                        ) -> Response:
    author_id = optional_int(field(form, "author_id"))
    author = db.get(User, author_id) if author_id else user
    data = mining.ContributionInput(
        title=field(form, "title"), content=field(form, "content"), kind=field(form, "kind"),
        source=field(form, "source", "self"), method_name=field(form, "method_name"),
        queue_ids=ids(form, "queue_ids"))
    try:
        contribution = mining.submit_contribution(db, data=data, actor=user,
                                                  author=author or user)
    except FieldErrors as error:
        values: dict[str, object] = {k: field(form, k) for k in (
            "title", "content", "kind", "source", "method_name", "author_id")}
        values["queue_ids"] = data.queue_ids
        return _new_page(request, db, user, values, error.errors)
    return redirect(f"/tacit/contributions/{contribution.id}", "contribution_submitted")


@router.get("/tacit/contributions/{contribution_id}", response_class=HTMLResponse)
def contribution_page(request: Request, db: SessionDep, user: CurrentUser,
                      contribution_id: int) -> HTMLResponse:
    return _detail_page(request, db, user, contribution_id, [])


def _detail_page(request: Request, db: SessionDep, user: User, contribution_id: int,
                 errors: list[dict[str, object]]) -> HTMLResponse:
    detail = contribution_detail(db, contribution_id=contribution_id, user=user)
    similar = screening.similar_articles(
        db, engine=request.app.state.search_engine, user=user,
        contribution=detail.contribution) if detail.actions.screen else []
    evaluators = [u for u in db.scalars(select(User).where(User.is_active.is_(True))
                                        .order_by(User.display_name))
                  if u.can(Perm.TACIT_EVALUATE)] if detail.actions.promote else []
    return render(request, "tacit/contribution.html", {
        "d": detail, "c": detail.contribution, "similar": similar, "evaluators": evaluators,
        "results": [(r, wording.describe(r), wording.name_of_test(r),
                     wording.comparison_name(r)) for r in detail.results],
        "metrics": METRICS, "proportion": MetricKind.PROPORTION, "team_roles": TEAM_ROLES,
        "phases": PHASES, "steps": [s for s in Step if s in detail.days_per_step],
        "today": today(), "default_due": today() + timedelta(days=60),
        "error_text": problem_lines(errors),
    }, user=user, status_code=422 if errors else 200)


def _day(form: Form, name: str) -> date:
    try:
        value = parse_date(field(form, name))
    except ValueError as error:
        raise FieldErrors([{"field": name, "code": date_problem(error),
                            "value": field(form, name)}]) from None
    if value is None:
        raise FieldErrors([{"field": name, "code": "required"}])
    return value


def _scores(form: Form) -> screening.Screening:
    def score(name: str) -> int:
        return optional_int(field(form, name)) or 0

    return screening.Screening(category=field(form, "category"), timely=score("timely"),
                               usable=score("usable"), accurate=score("accurate"),
                               generality=score("generality"))


@router.post("/tacit/contributions/{contribution_id}/screen")
def screen(request: Request, db: SessionDep, user: CurrentUser, form: Form,
           contribution_id: int) -> Response:
    decision, reason = field(form, "decision"), field(form, "reason")
    try:
        scores = _scores(form)
        if decision == "reject":
            screening.reject(db, contribution_id=contribution_id, actor=user,
                             screening=scores, reason=reason)
        elif decision == "merge":
            screening.merge_into_article(
                db, contribution_id=contribution_id, actor=user, screening=scores,
                article_id=optional_int(field(form, "article_id")) or 0, reason=reason)
        elif decision == "route":
            screening.route_to_department(
                db, contribution_id=contribution_id, actor=user, screening=scores,
                department=field(form, "department"), due=_day(form, "answer_due"),
                reason=reason)
        else:
            screening.start_trial(db, contribution_id=contribution_id, actor=user,
                                  screening=scores, team=field(form, "team"),
                                  starts=_day(form, "trial_from"),
                                  ends=_day(form, "trial_to"), reason=reason)
    except FieldErrors as error:
        return _detail_page(request, db, user, contribution_id, error.errors)
    return redirect(f"/tacit/contributions/{contribution_id}", "contribution_screened")


@router.post("/tacit/contributions/{contribution_id}/route")
def follow_up_or_answer(request: Request, db: SessionDep, user: CurrentUser, form: Form,
                        contribution_id: int) -> Response:
    try:
        if field(form, "action") == "answer":
            screening.record_answer(db, contribution_id=contribution_id, actor=user,
                                    answer=field(form, "text"))
        else:
            screening.follow_up(db, contribution_id=contribution_id, actor=user,
                                note=field(form, "text"))
    except FieldErrors as error:
        return _detail_page(request, db, user, contribution_id, error.errors)
    return redirect(f"/tacit/contributions/{contribution_id}", "saved")


@router.post("/tacit/contributions/{contribution_id}/end-trial")
def end_trial(request: Request, db: SessionDep, user: CurrentUser, form: Form,
              contribution_id: int) -> Response:
    try:
        screening.end_trial_unsuccessfully(db, contribution_id=contribution_id, actor=user,
                                           reason=field(form, "reason"))
    except FieldErrors as error:
        return _detail_page(request, db, user, contribution_id, error.errors)
    return redirect(f"/tacit/contributions/{contribution_id}", "saved")


@router.post("/tacit/contributions/{contribution_id}/promote")
def promote(request: Request, db: SessionDep, user: CurrentUser, form: Form,
            contribution_id: int) -> Response:
    try:
        promotion.promote(db, contribution_id=contribution_id, actor=user,
                          evaluation_owner_id=optional_int(field(form, "owner_id")) or 0,
                          evaluation_due=_day(form, "due_date"),
                          comparison_team=field(form, "comparison_team"))
    except FieldErrors as error:
        return _detail_page(request, db, user, contribution_id, error.errors)
    return redirect(f"/tacit/contributions/{contribution_id}", "contribution_promoted")


def _float(form: Form, name: str) -> float | None:
    text = field(form, name).strip()
    try:
        return float(text) if text else None
    except ValueError:
        return None


@router.post("/tacit/contributions/{contribution_id}/figures")
def save_figures(request: Request, db: SessionDep, user: CurrentUser, form: Form,
                 contribution_id: int) -> Response:
    """The figures grid: one row per metric, team and phase that has a count."""
    rows = []
    for metric in METRICS.values():
        for team in TEAM_ROLES:
            for phase in PHASES:
                key = f"{metric.code}.{team}.{phase}"
                n = optional_int(field(form, f"{key}.n"))
                if n is None:
                    continue
                rows.append(ev.FigureInput(
                    metric=metric.code, team_role=team, phase=phase, n=n,
                    period=field(form, f"{key}.period"),
                    successes=optional_int(field(form, f"{key}.successes")),
                    mean=_float(form, f"{key}.mean"), sd=_float(form, f"{key}.sd")))
    try:
        if not rows:
            raise FieldErrors([{"field": "n", "code": "required"}])
        ev.save_figures(db, contribution_id=contribution_id, actor=user, rows=rows)
    except FieldErrors as error:
        return _detail_page(request, db, user, contribution_id, error.errors)
    return redirect(f"/tacit/contributions/{contribution_id}", "figures_saved")


@router.post("/tacit/contributions/{contribution_id}/figures-from-calls")
def figures_from_calls(request: Request, db: SessionDep, user: CurrentUser, form: Form,
                       contribution_id: int) -> Response:
    """The figures read from the call records: trial and comparison team, two periods."""
    try:
        periods = {name: _day(form, name) for name in (
            "before_from", "before_to", "after_from", "after_to")}
        if not field(form, "trial_team"):
            raise FieldErrors([{"field": "team", "code": "required"}])
        found = evaluation_figures(
            db, actor=user, trial_team=field(form, "trial_team"),
            comparison_team=field(form, "comparison_team") or None,
            before=Period(periods["before_from"], periods["before_to"]),
            after=Period(periods["after_from"], periods["after_to"]))
        if not found:
            raise FieldErrors([{"field": "n", "code": "required"}])
        ev.save_figures(db, contribution_id=contribution_id, actor=user, source="calls",
                        rows=[ev.FigureInput(metric=f.metric, team_role=f.team_role,
                                             phase=f.phase, n=f.n, successes=f.successes,
                                             mean=f.mean, sd=f.sd, period=f.period)
                              for f in found])
    except FieldErrors as error:
        return _detail_page(request, db, user, contribution_id, error.errors)
    return redirect(f"/tacit/contributions/{contribution_id}", "figures_saved")


@router.post("/tacit/contributions/{contribution_id}/figures.csv")
async def upload_figures(request: Request, db: SessionDep, user: CurrentUser, form: Form,
                         contribution_id: int) -> Response:
    upload = form.get("file")
    try:
        if upload is None or isinstance(upload, str):
            raise FieldErrors([{"field": "file", "code": "required"}])
        data = await read_upload(upload, get_settings().import_max_bytes)
        await run_in_threadpool(lambda: import_figures(
            db, contribution_id=contribution_id, actor=user, data=data))
    except (FieldErrors, FigureImportFailed) as error:
        return _detail_page(request, db, user, contribution_id, error.errors)
    return redirect(f"/tacit/contributions/{contribution_id}", "figures_saved")


@router.post("/tacit/contributions/{contribution_id}/close")
def close_evaluation(request: Request, db: SessionDep, user: CurrentUser, form: Form,
                     contribution_id: int) -> Response:
    try:
        ev.close_evaluation(db, contribution_id=contribution_id, actor=user,
                            verdict=field(form, "verdict"),
                            conclusion=field(form, "conclusion"))
    except FieldErrors as error:
        return _detail_page(request, db, user, contribution_id, error.errors)
    return redirect(f"/tacit/contributions/{contribution_id}", "evaluation_closed")


@router.post("/tacit/issues")
def raise_issue(db: SessionDep, user: CurrentUser, form: Form) -> Response:
    improvement.raise_issue(db, step=field(form, "step"),
                            description=field(form, "description"), actor=user)
    return redirect("/tacit#improvement", "issue_raised")


@router.post("/tacit/issues/{issue_id}/resolve")
def resolve_issue(db: SessionDep, user: CurrentUser, form: Form, issue_id: int) -> Response:
    improvement.resolve_issue(db, issue_id=issue_id, resolution=field(form, "resolution"),
                              actor=user)
    return redirect("/tacit#improvement", "saved")
