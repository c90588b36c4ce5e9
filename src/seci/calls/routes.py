"""REST API of call records under /api/v1/calls: imports, drill-down lists, transcripts,
KPIs, control charts, funnels, heat maps, the complaint Pareto and thresholds; the
roster under /api/v1/roster."""

from __future__ import annotations

from datetime import UTC, date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, File, Form, Query, Request, UploadFile, status
from starlette.concurrency import run_in_threadpool

from seci.accounts.service import users_by_id
from seci.analytics.process import key_process_speed
from seci.calls import charts, compare, queries, thresholds
from seci.calls import kpis as k
from seci.calls.access import require_import
from seci.calls.errors import BadSlice
from seci.calls.importing import recent_imports, submit_call_import
from seci.calls.models import CallRecord, TopicThreshold
from seci.calls.schemas import (
    CallPage,
    CallRead,
    ControlChartRead,
    ControlPoint,
    FunnelPointRead,
    FunnelRead,
    HeatCell,
    HeatMapRead,
    JobRead,
    KpiRow,
    ParetoRead,
    RosterAgentRead,
    SpeedRead,
    StabilityRead,
    ThresholdRead,
    ThresholdUpdate,
    TranscriptRead,
    TurnoverRead,
    TurnRead,
)
from seci.core.config import get_settings
from seci.core.http import (
    READS_FIRST,
    WRITES,
    CurrentUser,
    SessionDep,
    client_ip,
    start_writing,
)
from seci.core.tabular import FileFormat, detect_format
from seci.jobs.models import Job
from seci.jobs.routes import job_read, runner_of
from seci.jobs.uploads import discard, new_upload_dir, safe_name, save_stream
from seci.roster.importing import import_roster
from seci.roster.kpis import roster_of, turnover_report

router = APIRouter(prefix="/api/v1", tags=["calls"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not logged in (problem details)"},
    403: {"description": "Permission denied (problem details)"},
    404: {"description": "Not found or not visible to you (problem details)"},
    422: {"description": "Invalid input, e.g. an unknown slice or not enough calls "
                         "(problem details)"},
}

FromDay = Annotated[date | None, Query(alias="from", description="First local day")]
ToDay = Annotated[date | None, Query(alias="to", description="Last local day (inclusive)")]
SliceFilters = Annotated[list[str] | None, Query(
    alias="filter", description="name=value, e.g. team=A组 (repeatable)")]


def parse_filters(values: list[str] | None) -> dict[str, str]:
    filters: dict[str, str] = {}
    for item in values or []:
        name, sep, value = item.partition("=")
        if not sep:
            raise BadSlice(value=item, allowed="name=value")
        filters[name.strip()] = value.strip()
    return filters


def call_read(call: CallRecord) -> CallRead:
    return CallRead(
        call_id=call.call_id, agent_id=call.agent_id, team=call.team, queue=call.queue,
        started_at=call.started_at.replace(tzinfo=UTC), day=call.day, week=call.week,
        duration_s=call.duration_s, region=call.region, product=call.product,
        channel=call.channel, resolved_first_contact=call.fcr,
        satisfaction=call.satisfaction, complaint=call.complaint,
        complaint_category=call.complaint_category, repeat_within_7d=call.repeat_7d,
        turn_count=call.turn_count)


# --- imports ---------------------------------------------------------------------------

async def _save(upload: UploadFile | None, directory: Path, default: str) -> Path | None:
    if upload is None or not upload.filename:
        return None
    target = directory / safe_name(upload.filename, default)
    await run_in_threadpool(save_stream, upload.file, target,
                            get_settings().call_import_max_bytes)
    return target


@router.post("/calls/imports", status_code=status.HTTP_202_ACCEPTED, responses=ERRORS,
             dependencies=READS_FIRST)
async def start_call_import(
    request: Request, db: SessionDep, user: CurrentUser, background: BackgroundTasks,
    file: Annotated[UploadFile | None, File(
        description="Call records: .jsonl (with turns), .csv (UTF-8/GBK) or .xlsx")] = None,
    transcripts: Annotated[UploadFile | None, File(
        description="Transcripts apart: .jsonl lines of {call_id, turns}")] = None,
    dry_run: Annotated[bool, Form()] = False,
) -> JobRead:
    """Queue an import (all or nothing, every row checked); follow it at /api/v1/jobs/{id}.
    The files are streamed to disk and imported by a background job."""
    require_import(user)  # before a byte is copied; the service checks again
    directory = await run_in_threadpool(new_upload_dir)
    try:
        # Copied before the request becomes a writer (READS_FIRST): on SQLite the write
        # lock would otherwise stop every other write while gigabytes are copied.
        calls_path = await _save(file, directory, "calls.jsonl")
        transcripts_path = await _save(transcripts, directory, "transcripts.jsonl")

        def queue_import() -> Job:
            start_writing(db)
            return submit_call_import(
                db, actor=user, upload_dir=directory, calls=calls_path,
                transcripts=transcripts_path, dry_run=dry_run,
                calls_name=file.filename if file and file.filename else "",
                transcripts_name=transcripts.filename if transcripts and transcripts.filename
                else "")

        job = await run_in_threadpool(queue_import)
    except BaseException:
        discard(directory)
        raise
    runner = runner_of(request)
    if runner is not None:
        background.add_task(runner.wake)  # after the job row is committed
    return job_read(job, None)


@router.get("/calls/imports", responses=ERRORS)
def list_call_imports(request: Request, db: SessionDep, user: CurrentUser) -> list[JobRead]:
    """The latest imports with their reports."""
    runner = runner_of(request)
    return [job_read(job, runner) for job in recent_imports(db, actor=user)]


# --- calls and transcripts -------------------------------------------------------------

@router.get("/calls", responses=ERRORS)
def list_calls(
    db: SessionDep, user: CurrentUser, start: FromDay = None, end: ToDay = None,
    filters: SliceFilters = None,
    week: date | None = None, day: date | None = None, month: date | None = None,
    fcr: bool | None = None, complaint: bool | None = None,
    complaint_category: str | None = None, repeat_7d: bool | None = None,
    over_long: bool | None = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=queries.MAX_PAGE_SIZE)] = queries.PAGE_SIZE,
) -> CallPage:
    """The calls behind a figure (drill-down), newest first; agents get their own only."""
    slices: dict[str, Any] = parse_filters(filters)
    for name, value in (("week", week), ("day", day), ("month", month)):
        if value is not None:
            slices[name] = value
    found, total = queries.list_calls(db, actor=user, call_filter=queries.CallFilter(
        period=k.Period(start, end), slices=slices, fcr=fcr, complaint=complaint,
        complaint_category=complaint_category, repeat_7d=repeat_7d, over_long=over_long),
        page=page, page_size=page_size)
    return CallPage(total=total, page=page, page_size=page_size,
                    items=[call_read(c) for c in found])


@router.get("/calls/records/{call_id}", responses=ERRORS)
def get_call(call_id: str, db: SessionDep, user: CurrentUser) -> CallRead:
    return call_read(queries.get_call(db, actor=user, call_id=call_id))


@router.get("/calls/records/{call_id}/transcript", responses=ERRORS, dependencies=WRITES)
def get_transcript(call_id: str, request: Request, db: SessionDep, user: CurrentUser
                   ) -> TranscriptRead:
    """The call's turns, personal numbers masked; the reading is audited."""
    turns = queries.read_transcript(db, actor=user, call_id=call_id, ip=client_ip(request))
    return TranscriptRead(call_id=call_id, turns=[
        TurnRead(speaker=t.speaker, text=t.text, start_ms=t.start_ms) for t in turns])


# --- KPIs and charts ---------------------------------------------------------------------

@router.get("/calls/kpis", responses=ERRORS)
def get_kpis(
    db: SessionDep, user: CurrentUser,
    by: Annotated[str, Query(description="Comma-separated slices: day|week|month, team, "
                                         "queue, region, product, agent, channel, stage")]
    = "week",
    start: FromDay = None, end: ToDay = None, filters: SliceFilters = None,
) -> list[KpiRow]:
    """Every KPI per slice with n and 95 % intervals, over the calls you may see."""
    rows = k.slice_counts(db, actor=user, by=[b.strip() for b in by.split(",") if b.strip()],
                          period=k.Period(start, end), filters=parse_filters(filters))
    return [KpiRow(**row.as_dict()) for row in rows]


@router.get("/calls/charts/control", responses=ERRORS)
def get_control_chart(
    db: SessionDep, user: CurrentUser,
    kpi: Annotated[str, Query(description=", ".join(charts.CHART_KPIS))] = "fcr",
    grain: Annotated[str, Query(description="day, week or month")] = "week",
    start: FromDay = None, end: ToDay = None, filters: SliceFilters = None,
    baseline_from: date | None = None, baseline_to: date | None = None,
    rules: Annotated[str, Query(description="western_electric or nelson")]
    = "western_electric",
    individuals: Annotated[bool, Query(description="Chart each period as one value "
                                                   "(I-MR)")] = False,
) -> ControlChartRead:
    """A KPI over time with control limits from the baseline periods and special causes."""
    baseline = (k.Period(baseline_from, baseline_to)
                if baseline_from or baseline_to else None)
    result = charts.kpi_control_chart(
        db, actor=user, kpi=kpi, grain=grain, period=k.Period(start, end),
        filters=parse_filters(filters), baseline=baseline, rules=rules,
        individuals=individuals)
    chart = result.chart
    signals = result.signals
    return ControlChartRead(kpi=kpi, grain=grain, chart=chart.chart, center=chart.center,
                            points=[ControlPoint(
                                period=p, n=c.n, value=chart.values[i],
                                center=chart.centers[i], lower=chart.lower[i],
                                upper=chart.upper[i], in_baseline=chart.baseline[i],
                                rules=signals.get(i, []))
                                for i, (p, c) in enumerate(zip(result.periods, result.counts,
                                                               strict=True))])


@router.get("/calls/charts/funnel", responses=ERRORS)
def get_funnel(
    db: SessionDep, user: CurrentUser, kpi: str = "fcr",
    unit: Annotated[str, Query(description=", ".join(charts.UNITS))] = "agent",
    start: FromDay = None, end: ToDay = None, filters: SliceFilters = None,
) -> FunnelRead:
    """Units against funnel limits that widen as their number of calls shrinks."""
    funnel = charts.kpi_funnel(db, actor=user, kpi=kpi, unit=unit,
                               period=k.Period(start, end), filters=parse_filters(filters))
    return FunnelRead(kpi=funnel.kpi, unit=unit, target=funnel.target, points=[
        FunnelPointRead(
            unit=p.unit, n=p.n, value=p.value, z=p.z,
            position_95=p.position_95.value if p.position_95 else None,
            position_998=p.position_998.value if p.position_998 else None,
            lower_95=p.limits.lower_95 if p.limits else None,
            upper_95=p.limits.upper_95 if p.limits else None,
            lower_998=p.limits.lower_998 if p.limits else None,
            upper_998=p.limits.upper_998 if p.limits else None) for p in funnel.points])


@router.get("/calls/charts/heatmap", responses=ERRORS)
def get_heatmap(db: SessionDep, user: CurrentUser, kpi: str = "complaint_rate",
                x: str = "week", y: str = "region", start: FromDay = None,
                end: ToDay = None, filters: SliceFilters = None) -> HeatMapRead:
    """A KPI per period × region (or team, product, queue)."""
    heat = charts.kpi_heatmap(db, actor=user, kpi=kpi, x=x, y=y, period=k.Period(start, end),
                              filters=parse_filters(filters))
    return HeatMapRead(kpi=kpi, x=x, y=y, cells=[
        HeatCell(x=key[0], y=key[1], value=f.value, n=f.n) for key, f in heat.cells.items()])


@router.get("/calls/stability", responses=ERRORS)
def get_stability(db: SessionDep, user: CurrentUser, start: FromDay = None,
                  end: ToDay = None, filters: SliceFilters = None) -> list[StabilityRead]:
    """Each agent's week-to-week FCR variation against binomial chance, least stable first."""
    found = charts.performance_stability(db, actor=user, period=k.Period(start, end),
                                         filters=parse_filters(filters))
    return [StabilityRead(agent_id=a.agent_id, weeks=a.weeks, calls=a.calls, fcr=a.fcr,
                          weekly_sd=a.weekly_sd,
                          dispersion_ratio=a.dispersion.ratio if a.dispersion else None,
                          p_value=a.dispersion.p_value if a.dispersion else None)
            for a in found]


@router.get("/calls/pareto", responses=ERRORS)
def get_pareto(db: SessionDep, user: CurrentUser, start: FromDay = None, end: ToDay = None,
               filters: SliceFilters = None) -> list[ParetoRead]:
    """Complaints per category, largest first, with share and cumulative share."""
    rows = queries.complaint_pareto(db, actor=user, period=k.Period(start, end),
                                    filters=parse_filters(filters))
    return [ParetoRead(category=r.category, count=r.count, share=r.share,
                       cumulative_share=r.cumulative_share, vital_few=r.vital_few)
            for r in rows]


@router.get("/calls/process-speed", responses=ERRORS)
def get_process_speed(db: SessionDep, user: CurrentUser, start: Annotated[
        date, Query(alias="from")], end: Annotated[date, Query(alias="to")]) -> list[SpeedRead]:
    """Key-process handling speed: 纠错 handled, post-linkage chains closed, hand-offs
    accepted (median and p90 hours)."""
    return [SpeedRead(process=s.process, n=s.n, median_hours=s.median_hours,
                      p90_hours=s.p90_hours)
            for s in key_process_speed(db, actor=user, start=start, end=end)]


@router.get("/calls/compare", responses=ERRORS)
def get_comparison(
    db: SessionDep, user: CurrentUser, kpi: str,
    before_from: date, before_to: date, after_from: date, after_to: date,
    split: Annotated[str | None, Query(description=", ".join(compare.SPLITS))] = None,
    control: Annotated[str | None, Query(description="A comparison group measured in both "
                                                     "periods, e.g. team=B组")] = None,
    filters: SliceFilters = None,
) -> dict[str, Any]:
    """Before/after: the test of the change (per slice with Benjamini–Hochberg q-values),
    the difference in differences against a comparison group, the complaint mix (χ²)."""
    control_pair = None
    if control:
        name, _, value = control.partition("=")
        control_pair = (name.strip(), value.strip())
    return compare.comparison_dict(compare.compare_periods(
        db, actor=user, kpi=kpi, before=k.Period(before_from, before_to),
        after=k.Period(after_from, after_to), filters=parse_filters(filters), split=split,
        control=control_pair))


@router.get("/calls/compare/groups", responses=ERRORS)
def get_group_comparison(
    db: SessionDep, user: CurrentUser, kpi: str, split: str, a: str, b: str,
    start: FromDay = None, end: ToDay = None, filters: SliceFilters = None,
) -> dict[str, Any]:
    """A/B: one team (queue, region, topic, agent) against another over the same period."""
    return compare.comparison_dict(compare.compare_groups(
        db, actor=user, kpi=kpi, period=k.Period(start, end), split=split, first=a,
        second=b, filters=parse_filters(filters)))


# --- thresholds --------------------------------------------------------------------------

def threshold_read(t: TopicThreshold) -> ThresholdRead:
    return ThresholdRead(product=t.product, p95_s=t.p95_s, manual_s=t.manual_s,
                         threshold_s=t.threshold_s, n=t.n)


@router.get("/calls/thresholds", responses=ERRORS)
def list_thresholds(db: SessionDep, user: CurrentUser) -> list[ThresholdRead]:
    """When a call of each topic counts as over-long."""
    return [threshold_read(t) for t in thresholds.list_thresholds(db)]


@router.put("/calls/thresholds/{product}", responses=ERRORS)
def set_threshold(product: str, body: ThresholdUpdate, db: SessionDep, user: CurrentUser
                  ) -> ThresholdRead:
    """A manager's over-long threshold for a topic (null: back to the topic's p95)."""
    return threshold_read(thresholds.set_manual_threshold(
        db, actor=user, product=product, seconds=body.manual_s))


# --- roster ------------------------------------------------------------------------------

@router.get("/roster", responses=ERRORS, tags=["roster"])
def list_roster(db: SessionDep, user: CurrentUser) -> list[RosterAgentRead]:
    """The agents (a team lead: their team)."""
    agents = roster_of(db, actor=user)
    users = users_by_id(db, {a.user_id for a in agents if a.user_id is not None})
    return [RosterAgentRead(
        agent_id=a.agent_id, name=a.name, team=a.team, hired_on=a.hired_on,
        left_on=a.left_on, stage=a.stage,
        linked_user=users[a.user_id].username if a.user_id in users else None)
        for a in agents]


@router.post("/roster/imports", responses=ERRORS, tags=["roster"])
async def import_roster_file(
    db: SessionDep, user: CurrentUser,
    file: Annotated[UploadFile, File(description=".jsonl, .csv (UTF-8/GBK) or .xlsx")],
    dry_run: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    """Import the roster: every row checked, all or nothing (a few thousand rows)."""
    directory = await run_in_threadpool(new_upload_dir)
    try:
        path = await _save(file, directory, "roster.jsonl")
        assert path is not None
        report = await run_in_threadpool(
            lambda: import_roster(db, actor=user, path=path, fmt=_format_of(path),
                                  filename=file.filename or path.name, dry_run=dry_run))
    finally:
        discard(directory)
    return report.as_dict()


def _format_of(path: Path) -> FileFormat:
    return detect_format(path.name)


@router.get("/roster/turnover", responses=ERRORS, tags=["roster"])
def get_turnover(db: SessionDep, user: CurrentUser,
                 start: Annotated[date, Query(alias="from")],
                 end: Annotated[date, Query(alias="to")],
                 by_team: bool = False) -> list[TurnoverRead]:
    """Monthly staff turnover: leavers ÷ average headcount."""
    return [TurnoverRead(month=t.month, team=t.team, headcount_start=t.headcount_start,
                         headcount_end=t.headcount_end, leavers=t.leavers, joiners=t.joiners,
                         rate=t.rate)
            for t in turnover_report(db, actor=user, start=start, end=end, by_team=by_team)]
