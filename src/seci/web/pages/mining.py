"""Call mining pages: the latest findings (golden scripts, bursts, knowledge gaps, agent
matching, over-long calls) with their evidence, a run on demand, and the one-step actions
that turn a finding into knowledge."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, Response

from seci.accounts.roles import Perm
from seci.calls.kpis import Period
from seci.core.errors import NotFound, SeciError
from seci.core.http import CurrentUser, SessionDep
from seci.core.i18n import gettext
from seci.core.messages import describe_error
from seci.jobs import service as jobs
from seci.jobs.routes import job_read, runner_of
from seci.knowledge.models import Module
from seci.knowledge.modules import all_modules, module_names_by_id, path_label
from seci.mining import actions, service
from seci.mining.alerts import open_alert
from seci.mining.models import MiningRun
from seci.mining.tasks import queue_mining
from seci.web.charts import Chart, Table
from seci.web.labels import describe_job_error
from seci.web.pages.common import Form, field, redirect
from seci.web.templating import render

router = APIRouter(include_in_schema=False)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _lift_chart(scripts: list[dict[str, Any]]) -> Chart | None:
    """Pooled lift against the within-agent effect: what a naive ranking would believe and
    what holds within the same agents."""
    points = [{"x": s["naive_lift"], "y": s["effect_fcr"], "label": s["phrase"][:18],
               "url": None} for s in scripts if s.get("naive_lift") is not None]
    if not points:
        return None
    return Chart("chart-golden", "scatter", gettext("Pooled lift and within-agent effect"), {
        "points": points, "x_name": gettext("Pooled lift (naive)"),
        "y_name": gettext("Within-agent effect")},
        Table(headers=[gettext("Script"), gettext("Pooled lift (naive)"),
                       gettext("Within-agent effect")],
              rows=[[s["phrase"], s["naive_lift"], s["effect_fcr"]] for s in scripts
                    if s.get("naive_lift") is not None],
              formats=[None, "percent", "percent"]), height="short")


@router.get("/mining", response_class=HTMLResponse)
def overview(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    run = service.latest_run(db, actor=user)
    job = None
    if (job_id := request.query_params.get("job", "")).isdigit():
        try:
            job = job_read(jobs.get_job(db, job_id=int(job_id), actor=user), runner_of(request))
        except NotFound:
            job = None
    findings = run.findings if run is not None else {}
    modules = all_modules(db, include_archived=False) if user.can(Perm.ARTICLE_EDIT) else []
    by_id = {m.id: m for m in modules}
    return render(request, "mining/overview.html", {
        "run": run, "f": findings, "job": job,
        "job_error": describe_job_error(job.error) if job is not None and job.error else None,
        "module_choices": sorted(((m.id, path_label(by_id, m.id)) for m in modules),
                                 key=lambda choice: choice[1]),
        "lift_chart": _lift_chart(findings.get("golden_scripts") or []),
        "can_run": user.can(Perm.CALLS_ANALYZE),
        "can_credit": user.can(Perm.TACIT_RECORD_FOR),
        "can_contribute": user.can(Perm.TACIT_CONTRIBUTE),
        "can_draft": user.can(Perm.ARTICLE_EDIT),
        "error": request.query_params.get("error"),
    }, user=user)


@router.post("/mining/run")
def run_now(request: Request, db: SessionDep, user: CurrentUser, form: Form,
            background: BackgroundTasks) -> Response:
    service.require_mining(user)
    job = queue_mining(db, actor=user, period=Period(_day(field(form, "start")),
                                                     _day(field(form, "end"))))
    runner = runner_of(request)
    if runner is not None:
        background.add_task(runner.wake)
    return redirect("/mining", job=job.id)


def _run_of(db: SessionDep, user: CurrentUser, form: Any) -> Any:
    run_id = field(form, "run_id")
    if not run_id.isdigit():
        raise NotFound()
    return service.get_run(db, actor=user, run_id=int(run_id))


@router.post("/mining/golden")
def golden_to_practice(db: SessionDep, user: CurrentUser, form: Form) -> Response:
    run = _run_of(db, user, form)
    try:
        made = actions.golden_script_contribution(db, actor=user, run=run,
                                                  index=int(field(form, "index") or -1))
    except SeciError as error:
        db.rollback()
        return redirect("/mining", error=describe_error(error))
    return redirect(f"/tacit/contributions/{made.id}", "contribution_submitted")


@router.post("/mining/gap-article")
def gap_to_article(db: SessionDep, user: CurrentUser, form: Form) -> Response:
    run = _run_of(db, user, form)
    module = field(form, "module_id")
    try:
        article = actions.gap_draft_article(
            db, actor=user, run=run, index=int(field(form, "index") or -1),
            module_id=int(module) if module.isdigit() else 0, title=field(form, "title"))
    except SeciError as error:
        db.rollback()
        return redirect("/mining", error=describe_error(error))
    return redirect(f"/kb/articles/{article.id}/edit", "created")


@router.post("/mining/gap-contribution")
def gap_to_contribution(db: SessionDep, user: CurrentUser, form: Form) -> Response:
    run = _run_of(db, user, form)
    try:
        made = actions.gap_contribution(db, actor=user, run=run,
                                        index=int(field(form, "index") or -1))
    except SeciError as error:
        db.rollback()
        return redirect("/mining", error=describe_error(error))
    return redirect(f"/tacit/contributions/{made.id}", "contribution_submitted")


@router.get("/mining/alerts/{alert_id}", response_class=HTMLResponse)
def alert(alert_id: int, request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    """A burst alert from the inbox, with its evidence (marked seen)."""
    found = open_alert(db, user=user, alert_id=alert_id)
    if found is None:
        raise NotFound()
    run = db.get(MiningRun, found.run_id)
    bursts = (run.findings.get("hot_topics") or []) if run is not None else []
    burst = next((b for b in bursts if b["topic"] == found.topic and b["region"] == found.region
                  and b["week"] == found.week.isoformat()), None)
    return render(request, "mining/alert.html", {
        "alert": found, "burst": burst,
        "module": db.get(Module, found.module_id) if found.module_id else None,
        "module_name": path_label(module_names_by_id(db), found.module_id)
        if found.module_id else None,
        "can_read": service.may_read_findings(user)}, user=user)
