"""Call analytics pages: the dashboard (KPI tiles, control chart, funnel, Pareto, heat
map), drill-down lists, a call with its transcript, imports with progress, the team
lead's and the agent's own pages, thresholds and the printable monthly report."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from seci.accounts.roles import Perm
from seci.analytics.process import key_process_speed, suggestion_figures
from seci.calls import charts as ch
from seci.calls import compare, queries, thresholds
from seci.calls.access import own_agent_ids, require_import
from seci.calls.columns import CALL_TEMPLATE_EXAMPLE, FLAT_CALL_COLUMNS
from seci.calls.dashboard import default_period, kpi_tiles, latest_day
from seci.calls.errors import BadSlice, NotEnoughCalls
from seci.calls.importing import recent_imports, submit_call_import
from seci.calls.kpis import KPIS, RATE_KPIS, Period, slice_counts
from seci.calls.team import team_overview
from seci.core.config import get_settings
from seci.core.errors import PermissionDenied, SeciError
from seci.core.http import (
    READS_FIRST,
    WRITES,
    CurrentUser,
    SessionDep,
    client_ip,
    start_writing,
)
from seci.core.i18n import gettext
from seci.core.messages import describe_error, describe_problem, label
from seci.core.tabular import FileFormat, detect_format
from seci.jobs import service as jobs
from seci.jobs.models import Job
from seci.jobs.routes import job_read, runner_of
from seci.jobs.uploads import discard, new_upload_dir, safe_name, save_stream
from seci.quality.queries import agent_qa_summary
from seci.roster.importing import (
    ROSTER_COLUMNS,
    ROSTER_TEMPLATE_EXAMPLE,
    RosterImportRejected,
    import_roster,
)
from seci.roster.kpis import stage_counts, turnover_report
from seci.web.charts import Chart, Table
from seci.web.exports import TemplateFormat, import_template_response, xlsx_response
from seci.web.labels import describe_job_error
from seci.web.pages import call_charts as cc
from seci.web.pages.common import Form, field, redirect
from seci.web.templating import render

router = APIRouter(include_in_schema=False)

FILTER_NAMES = ("team", "queue", "region", "product")
CHART_IDS = ("control", "funnel", "pareto", "heatmap")


@dataclass
class DashboardQuery:
    """The dashboard's settings as they come from its filter form (all optional)."""

    start: date | None = None
    end: date | None = None
    kpi: str = "fcr"
    grain: str = "week"
    unit: str = "agent"
    heat_rows: str = "region"
    baseline_from: date | None = None
    baseline_to: date | None = None
    rules: str = "western_electric"
    filters: dict[str, str] = dataclass_field(default_factory=dict)

    def query_string(self, **changes: Any) -> str:
        values = {"from": self.start, "to": self.end, "kpi": self.kpi, "grain": self.grain,
                  "unit": self.unit, "heat_rows": self.heat_rows,
                  "baseline_from": self.baseline_from, "baseline_to": self.baseline_to,
                  "rules": self.rules, **self.filters, **changes}
        return urlencode({k: v.isoformat() if isinstance(v, date) else v
                          for k, v in values.items() if v not in (None, "")})


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _choice(params: Any, name: str, allowed: tuple[str, ...], default: str) -> str:
    value = params.get(name)
    return value if isinstance(value, str) and value in allowed else default


def dashboard_query(request: Request) -> DashboardQuery:
    params = request.query_params

    def choice(name: str, allowed: tuple[str, ...], default: str) -> str:
        return _choice(params, name, allowed, default)

    return DashboardQuery(
        start=_day(params.get("from")), end=_day(params.get("to")),
        kpi=choice("kpi", ch.CHART_KPIS, "fcr"), grain=choice("grain", ("day", "week", "month"),
                                                             "week"),
        unit=choice("unit", ch.UNITS, "agent"),
        heat_rows=choice("heat_rows", ch.HEAT_ROWS, "region"),
        baseline_from=_day(params.get("baseline_from")),
        baseline_to=_day(params.get("baseline_to")),
        rules=choice("rules", tuple(ch.RULE_SETS), "western_electric"),
        filters={name: params[name] for name in FILTER_NAMES if params.get(name)})


def _period(db: SessionDep, user: CurrentUser, q: DashboardQuery) -> Period:
    if q.start or q.end:
        if q.start and q.end and q.end < q.start:
            q.start, q.end = q.end, q.start
        return Period(q.start, q.end)
    period = default_period(db, actor=user)
    q.start, q.end = period.start, period.end
    return period


def _try(build: Any) -> tuple[Any, str | None]:
    """A chart, or the plain reason there is none (not enough calls)."""
    try:
        return build(), None
    except (NotEnoughCalls, BadSlice) as error:
        return None, describe_error(error)


def _dashboard_charts(db: SessionDep, user: CurrentUser, q: DashboardQuery, period: Period
                      ) -> tuple[dict[str, Chart], dict[str, str]]:
    export = "/calls/dashboard/export/{}.xlsx?" + q.query_string()
    baseline = (Period(q.baseline_from, q.baseline_to)
                if q.baseline_from or q.baseline_to else None)
    built: dict[str, Chart] = {}
    missing: dict[str, str] = {}

    def control() -> Chart:
        result = ch.kpi_control_chart(db, actor=user, kpi=q.kpi, grain=q.grain, period=period,
                                      filters=q.filters, baseline=baseline, rules=q.rules)
        return cc.control_chart(result, chart_id="chart-control", period=period,
                                filters=q.filters, export_url=export.format("control"))

    def funnel() -> Chart:
        result = ch.kpi_funnel(db, actor=user, kpi=q.kpi, unit=q.unit, period=period,
                               filters=q.filters)
        names = (queries.agent_names(db, [p.unit for p in result.points])
                 if q.unit == "agent" else {})
        return cc.funnel_chart(result, chart_id="chart-funnel", period=period,
                               filters=q.filters, names=names,
                               export_url=export.format("funnel"))

    def pareto() -> Chart:
        rows = queries.complaint_pareto(db, actor=user, period=period, filters=q.filters)
        if not rows:
            raise NotEnoughCalls(n=0, need=1)
        return cc.pareto_chart(rows, chart_id="chart-pareto", period=period,
                               filters=q.filters, export_url=export.format("pareto"))

    def heatmap() -> Chart:
        heat_kpi = q.kpi if q.kpi != "fcr" else "complaint_rate"
        result = ch.kpi_heatmap(db, actor=user, kpi=heat_kpi, x=q.grain, y=q.heat_rows,
                                period=period, filters=q.filters)
        return cc.heatmap_chart(result, chart_id="chart-heatmap", filters=q.filters,
                                export_url=export.format("heatmap"))

    for name, build in (("control", control), ("funnel", funnel), ("pareto", pareto),
                        ("heatmap", heatmap)):
        chart, reason = _try(build)
        if chart is not None:
            built[name] = chart
        elif reason:
            missing[name] = reason
    return built, missing


def _require_analyst(user: CurrentUser) -> None:
    if not user.can(Perm.CALLS_ANALYZE):
        raise PermissionDenied()


@router.get("/calls", response_class=HTMLResponse)
def calls_home(user: CurrentUser) -> Response:
    """Each role lands on its own desk."""
    if user.can(Perm.CALLS_ANALYZE):
        return redirect("/calls/dashboard")
    if user.can(Perm.CALLS_TEAM):
        return redirect("/calls/team")
    return redirect("/calls/me")


def _filter_choices(db: SessionDep, user: CurrentUser) -> dict[str, list[str]]:
    return {name: queries.slice_values(db, actor=user, name=name) for name in FILTER_NAMES}


@router.get("/calls/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    """KPI tiles with their change, the control chart, funnel, Pareto and heat map."""
    _require_analyst(user)
    q = dashboard_query(request)
    period = _period(db, user, q)
    if period.start is None:
        return render(request, "calls/dashboard.html", {"empty": True, "q": q}, user=user)
    built, missing = _dashboard_charts(db, user, q, period)
    return render(request, "calls/dashboard.html", {
        "empty": False, "q": q, "period": period,
        "tiles": kpi_tiles(db, actor=user, period=period, filters=q.filters),
        "charts": built, "missing": missing, "choices": _filter_choices(db, user),
        "kpis": ch.CHART_KPIS, "units": ch.UNITS, "heat_rows": ch.HEAT_ROWS,
        "rate_kpis": RATE_KPIS, "list_url": cc.list_url({"from": period.start,
                                                          "to": period.end,
                                                          "filters": q.filters}),
    }, user=user)


@router.get("/calls/dashboard/export/{chart}.xlsx")
def dashboard_export(chart: str, request: Request, db: SessionDep, user: CurrentUser
                     ) -> Response:
    """A dashboard chart's table as an Excel workbook."""
    _require_analyst(user)
    if chart not in CHART_IDS:
        raise BadSlice(value=chart, allowed=", ".join(CHART_IDS))
    q = dashboard_query(request)
    built, _ = _dashboard_charts(db, user, q, _period(db, user, q))
    if chart not in built:
        raise NotEnoughCalls(n=0, need=1)
    found = built[chart]
    return xlsx_response(found.table, f"{found.title}.xlsx", label("kpi", q.kpi))


# --- drill-down and one call ---------------------------------------------------------------

def _flag(value: str | None) -> bool | None:
    return {"true": True, "false": False}.get(value or "")


@router.get("/calls/list", response_class=HTMLResponse)
def call_list(request: Request, db: SessionDep, user: CurrentUser,
              page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> HTMLResponse:
    """The calls behind a figure: every chart point, bar and cell links here."""
    params = request.query_params
    slices: dict[str, Any] = {}
    for name in ("day", "week", "month"):
        if (day := _day(params.get(name))) is not None:
            slices[name] = day
    for item in params.getlist("filter"):
        name, sep, value = item.partition("=")
        if sep and name in (*ch.UNITS, "channel"):
            slices[name] = value
    category = params.get("complaint_category")
    call_filter = queries.CallFilter(
        period=Period(_day(params.get("from")), _day(params.get("to"))), slices=slices,
        fcr=_flag(params.get("fcr")), complaint=_flag(params.get("complaint")),
        complaint_category=(queries.NO_CATEGORY if category == "-" else category),
        repeat_7d=_flag(params.get("repeat_7d")), over_long=_flag(params.get("over_long")))
    rows, total = queries.list_calls(db, actor=user, call_filter=call_filter, page=page)
    pages = max(1, -(-total // queries.PAGE_SIZE))
    base = [(k, v) for k, v in params.multi_items() if k != "page"]
    return render(request, "calls/list.html", {
        "calls": rows, "total": total, "page": page, "pages": pages,
        "names": queries.agent_names(db, sorted({c.agent_id for c in rows})),
        "conditions": _conditions(params, slices),
        "page_url": lambda n: "/calls/list?" + urlencode([*base, ("page", n)]),
    }, user=user)


def _conditions(params: Any, slices: dict[str, Any]) -> list[str]:
    """What the list shows, in words ("Week 2026-09-07 · Team A组 · not resolved")."""
    words = [f"{label('grain', k) if k in ('day', 'week', 'month') else k}: {v}"
             for k, v in slices.items()]
    if params.get("from") or params.get("to"):
        words.insert(0, f"{params.get('from', '…')} – {params.get('to', '…')}")
    flags = {"fcr": (gettext("resolved at first contact"), gettext("not resolved")),
             "complaint": (gettext("complaints"), gettext("no complaint")),
             "repeat_7d": (gettext("called again within 7 days"), gettext("no repeat call")),
             "over_long": (gettext("over-long"), gettext("not over-long"))}
    for name, (yes, no) in flags.items():
        value = _flag(params.get(name))
        if value is not None:
            words.append(yes if value else no)
    if params.get("complaint_category"):
        category = params["complaint_category"]
        words.append(gettext("category {name}", name=gettext("(no category)")
                             if category == "-" else category))
    return words


@router.get("/calls/c/{call_id}", response_class=HTMLResponse, dependencies=WRITES)
def call_page(call_id: str, request: Request, db: SessionDep, user: CurrentUser
              ) -> HTMLResponse:
    """One call: its record and its transcript (the view is audited)."""
    call = queries.get_call(db, actor=user, call_id=call_id)
    turns = queries.read_transcript(db, actor=user, call_id=call_id, ip=client_ip(request))
    return render(request, "calls/call.html", {
        "call": call, "turns": turns,
        "agent_name": queries.agent_names(db, [call.agent_id]).get(call.agent_id,
                                                                     call.agent_id),
    }, user=user)


# --- imports -----------------------------------------------------------------------------

def _import_page(request: Request, db: SessionDep, user: CurrentUser, *,
                 error: str | None = None, roster_report: dict[str, Any] | None = None,
                 status_code: int = 200) -> HTMLResponse:
    runner = runner_of(request)
    return render(request, "calls/import.html", {
        "jobs": [job_read(j, runner) for j in recent_imports(db, actor=user)],
        "error": error, "roster_report": _described(roster_report),
        "max_mb": get_settings().call_import_max_bytes // 1_048_576,
    }, user=user, status_code=status_code)


def _described(report: dict[str, Any] | None) -> dict[str, Any] | None:
    if report is not None:
        for problem in report.get("errors", []):
            problem["message"] = describe_problem(problem)
    return report


@router.get("/calls/import", response_class=HTMLResponse)
def import_page(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    return _import_page(request, db, user)


@router.get("/calls/import/template")
def call_import_template(user: CurrentUser, format: TemplateFormat = FileFormat.XLSX
                         ) -> Response:
    """The flat call-record file (CSV/xlsx) with its headers and one example row."""
    require_import(user)
    return import_template_response(FLAT_CALL_COLUMNS.names, CALL_TEMPLATE_EXAMPLE,
                                    FileFormat(format), gettext("Call import template"))


@router.get("/calls/import/roster-template")
def roster_import_template(user: CurrentUser, format: TemplateFormat = FileFormat.XLSX
                           ) -> Response:
    """The roster file with its headers and one example row."""
    require_import(user)
    return import_template_response(ROSTER_COLUMNS.names, ROSTER_TEMPLATE_EXAMPLE,
                                    FileFormat(format), gettext("Roster import template"))


def _upload(form: Any, name: str) -> UploadFile | None:
    value = form.get(name)
    return value if isinstance(value, UploadFile) and value.filename else None


@router.post("/calls/import", response_class=HTMLResponse, dependencies=READS_FIRST)
async def import_upload(request: Request, db: SessionDep, user: CurrentUser, form: Form,
                        background: BackgroundTasks) -> Response:
    """Save the uploads and queue the import; the job page shows its progress. The files
    (up to 4 GiB) are received and copied to disk before the request becomes a writer:
    on SQLite the write lock would otherwise stop every other write meanwhile."""
    require_import(user)  # before a byte is copied; the service checks again
    calls, transcripts = _upload(form, "file"), _upload(form, "transcripts")
    directory = await run_in_threadpool(new_upload_dir)
    limit = get_settings().call_import_max_bytes
    try:
        paths: list[Path | None] = []
        for upload, default in ((calls, "calls.jsonl"), (transcripts, "transcripts.jsonl")):
            if upload is None:
                paths.append(None)
                continue
            target = directory / safe_name(upload.filename or "", default)
            await run_in_threadpool(save_stream, upload.file, target, limit)
            paths.append(target)

        def queue_import() -> Job:
            start_writing(db)
            return submit_call_import(
                db, actor=user, upload_dir=directory, calls=paths[0], transcripts=paths[1],
                dry_run=field(form, "dry_run") == "on",
                calls_name=calls.filename or "" if calls else "",
                transcripts_name=transcripts.filename or "" if transcripts else "")

        job = await run_in_threadpool(queue_import)
    except SeciError as error:
        discard(directory)
        db.rollback()
        return _import_page(request, db, user, error=describe_error(error),
                            status_code=error.status_code)
    except BaseException:
        discard(directory)
        raise
    runner = runner_of(request)
    if runner is not None:
        background.add_task(runner.wake)
    return redirect(f"/calls/import/{job.id}")


@router.post("/calls/import/roster", response_class=HTMLResponse)
async def roster_upload(request: Request, db: SessionDep, user: CurrentUser,
                        form: Form) -> HTMLResponse:
    upload = _upload(form, "roster")
    if upload is None:
        return _import_page(request, db, user, status_code=422,
                            error=gettext("Choose a file to import."))
    directory = await run_in_threadpool(new_upload_dir)
    try:
        target = directory / safe_name(upload.filename or "", "roster.csv")
        await run_in_threadpool(save_stream, upload.file, target,
                                get_settings().import_max_bytes)
        report = await run_in_threadpool(lambda: import_roster(
            db, actor=user, path=target, fmt=detect_format(target.name),
            filename=upload.filename or "", dry_run=field(form, "dry_run") == "on"))
    except RosterImportRejected as rejected:
        db.rollback()
        return _import_page(request, db, user, roster_report=rejected.report.as_dict(),
                            status_code=422)
    except SeciError as error:
        db.rollback()
        return _import_page(request, db, user, error=describe_error(error),
                            status_code=error.status_code)
    finally:
        discard(directory)
    return _import_page(request, db, user, roster_report=report.as_dict())


@router.get("/calls/import/{job_id}", response_class=HTMLResponse)
def import_job(job_id: int, request: Request, db: SessionDep, user: CurrentUser
               ) -> HTMLResponse:
    """An import's progress (the page follows it) and, when done, its report."""
    job = job_read(jobs.get_job(db, job_id=job_id, actor=user), runner_of(request))
    report = (job.result or (job.error or {}).get("report"))
    return render(request, "calls/job.html", {
        "job": job, "report": _described(dict(report) if report else None),
        "error_text": (describe_job_error(job.error)
                       if job.error and "report" not in job.error else None),
    }, user=user)


# --- the team lead's and the agent's pages -------------------------------------------------

def _weeks_back(end: date | None, weeks: int) -> Period:
    if end is None:
        return Period()
    sunday = end + timedelta(days=6 - end.weekday())
    return Period(sunday - timedelta(days=7 * weeks - 1), sunday)


@router.get("/calls/team", response_class=HTMLResponse)
def team_page(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    """A team lead's team: each agent's KPIs with funnel limits, reading and 纠错."""
    if not (user.can(Perm.CALLS_TEAM) or user.can(Perm.CALLS_ANALYZE)):
        raise PermissionDenied()
    team = request.query_params.get("team") if user.can(Perm.CALLS_ANALYZE) else user.team
    teams = queries.slice_values(db, actor=user, name="team")
    team = team or (teams[0] if teams else None)
    period = _weeks_back(latest_day(db, actor=user), 4)
    context: dict[str, Any] = {"team": team, "teams": teams, "period": period,
                               "agents": [], "funnel": None, "funnel_missing": None}
    if team and period.start:
        context.update(team_overview(db, actor=user, team=team, period=period))
        context["qa"] = agent_qa_summary(
            db, actor=user, agent_ids=[a.agent_id for a in context["agents"]], period=period)
        funnel, reason = _try(lambda: cc.funnel_chart(
            ch.kpi_funnel(db, actor=user, kpi="fcr", unit="agent", period=period,
                          filters={"team": team}),
            chart_id="chart-team-funnel", period=period, filters={"team": team},
            names=queries.agent_names(db, [a.agent_id for a in context["agents"]]),
            export_url=None))
        context.update(funnel=funnel, funnel_missing=reason)
    return render(request, "calls/team.html", context, user=user)


@router.get("/calls/me", response_class=HTMLResponse)
def my_page(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    """An agent's own numbers, week by week, and their latest calls."""
    period = _weeks_back(latest_day(db, actor=user), 12)
    rows = (slice_counts(db, actor=user, by=["week"], period=period)
            if period.start else [])
    calls, total = queries.list_calls(db, actor=user, call_filter=queries.CallFilter(
        period=period), page_size=20)
    chart = None
    if rows:
        chart = Chart("chart-me", "line", gettext("My first-contact resolution by week"), {
            "x": [r.keys["week"].isoformat() for r in rows],
            "series": [{"name": label("kpi", "fcr"),
                        "values": [KPIS["fcr"](r.counts).value for r in rows]}],
            "percent": True, "y_name": label("kpi", "fcr")},
            Table(headers=[label("grain", "week"), gettext("Calls"), label("kpi", "fcr"),
                           label("kpi", "satisfaction_mean"), label("kpi", "aht_s")],
                  rows=[[r.keys["week"].isoformat(), r.counts.n,
                         KPIS["fcr"](r.counts).value,
                         KPIS["satisfaction_mean"](r.counts).value,
                         KPIS["aht_s"](r.counts).value] for r in rows],
                  formats=[None, "integer", "percent", "decimal", "integer"]),
            height="short")
    own = sorted(own_agent_ids(db, user))
    return render(request, "calls/me.html", {
        "qa": agent_qa_summary(db, actor=user, agent_ids=own, period=period) if own else {},
        "rows": rows, "calls": calls, "total": total, "chart": chart, "period": period,
        "tiles": kpi_tiles(db, actor=user, period=period) if period.start else [],
    }, user=user)


# --- before/after and A/B -------------------------------------------------------------------

@router.get("/calls/compare", response_class=HTMLResponse)
def compare_page(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    """Before/after (per slice, with a comparison group) or A/B, as tests in words."""
    _require_analyst(user)
    params = request.query_params
    kpi = _choice(params, "kpi", tuple(KPIS), "fcr")
    mode = _choice(params, "mode", ("periods", "groups"), "periods")
    split = params.get("split") or None
    filters = {name: params[name] for name in FILTER_NAMES if params.get(name)}
    form = {key: params.get(key, "") for key in (
        "before_from", "before_to", "after_from", "after_to", "from", "to", "split",
        "control_team", "a", "b")}
    result, problem = None, None
    try:
        if mode == "periods" and all(_day(params.get(k)) for k in (
                "before_from", "before_to", "after_from", "after_to")):
            control = ("team", params["control_team"]) if params.get("control_team") else None
            result = compare.compare_periods(
                db, actor=user, kpi=kpi, filters=filters, split=split, control=control,
                before=Period(_day(params.get("before_from")), _day(params.get("before_to"))),
                after=Period(_day(params.get("after_from")), _day(params.get("after_to"))))
        elif mode == "groups" and split and params.get("a") and params.get("b"):
            result = compare.compare_groups(
                db, actor=user, kpi=kpi, split=split, first=params["a"], second=params["b"],
                period=Period(_day(params.get("from")), _day(params.get("to"))),
                filters=filters)
    except SeciError as error:
        problem = describe_error(error)
    return render(request, "calls/compare.html", {
        "kpi": kpi, "mode": mode, "form": form, "filters": filters, "result": result,
        "problem": problem, "kpis": tuple(KPIS), "splits": compare.SPLITS,
        "choices": _filter_choices(db, user), "rate_kpis": RATE_KPIS,
    }, user=user)


# --- thresholds and the monthly report -----------------------------------------------------

@router.get("/calls/thresholds", response_class=HTMLResponse)
def thresholds_page(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    _require_analyst(user)
    return render(request, "calls/thresholds.html", {
        "thresholds": thresholds.list_thresholds(db),
        "can_edit": user.can(Perm.CALLS_CONFIGURE)}, user=user)


@router.post("/calls/thresholds")
def thresholds_save(db: SessionDep, user: CurrentUser, form: Form) -> Response:
    product = field(form, "product")
    text = field(form, "manual_s").strip()
    seconds = int(text) if text.isdigit() and 0 < int(text) <= 86400 else None
    thresholds.set_manual_threshold(db, actor=user, product=product, seconds=seconds)
    return redirect("/calls/thresholds", "saved")


@router.get("/calls/report", response_class=HTMLResponse)
def monthly_report(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    """The month on one printable page: KPIs with their change, charts, Pareto, people."""
    _require_analyst(user)
    month = _month(request.query_params.get("month"), latest_day(db, actor=user))
    if month is None:
        return render(request, "calls/report.html", {"empty": True}, user=user)
    end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    period = Period(month, end)
    q = DashboardQuery(start=month - timedelta(weeks=12), end=end, kpi="fcr")
    built, missing = _dashboard_charts(db, user, q, Period(q.start, q.end))
    return render(request, "calls/report.html", {
        "empty": False, "month": month, "period": period,
        "tiles": kpi_tiles(db, actor=user, period=period),
        "charts": built, "missing": missing,
        "speed": key_process_speed(db, actor=user, start=month, end=end),
        "suggestions": (suggestion_figures(db, actor=user, start=month, end=end)
                        if user.can(Perm.SUGGESTION_STATS) else None),
        "turnover": turnover_report(db, actor=user, start=month, end=end, by_team=True),
        "stages": sorted(stage_counts(db, actor=user, on=end).items()),
        "stability": ch.performance_stability(db, actor=user, period=Period(
            month - timedelta(weeks=8), end))[:10],
    }, user=user)


def _month(text: str | None, last: date | None) -> date | None:
    if text:
        try:
            return date.fromisoformat(text + "-01").replace(day=1)
        except ValueError:
            pass
    return last.replace(day=1) if last else None
