"""Call records at scale: import 1M calls with transcripts, re-import them, then time the
dashboard's queries and the whole dashboard page.

Targets (issue "Call records, KPIs and statistics"):

* import of 1M calls with transcripts ≥ 5,000 calls/s on SQLite and on PostgreSQL, peak
  RSS of the importing process under 1 GB;
* the dashboard slice — first-contact resolution by week × team over all calls, with
  p-chart limits per team — p95 < 1 s on PostgreSQL, < 3 s on SQLite.

Steps per database (each in a fresh, migrated database: a SQLite file or a new PostgreSQL
database on the server of ``--pg-url``, dropped afterwards):

1. *prepare* (not timed): the eight queues, an analyst login, the generated roster;
2. *import*: a child process runs ``seci.calls.tasks.run_call_import`` — the whole import
   as the CLI runs it (stage, check, merge, commit, topic thresholds) — on the generated
   ``calls.jsonl``; calls/s = rows ÷ that call's wall time; peak RSS = the child's own
   high-water mark (``VmHWM``) plus that of any process it started;
3. *re-import*: the same file again in a new child (every call exists: the update path);
4. *measure*: a new child (as a server that starts) times, one at a time, each in a
   session of its own: the dashboard slice ``--repeat`` times (after one untimed warm-up;
   the slice alone is also timed between the import and the re-import),
   the other dashboard queries (tiles, control chart, funnel by agent, Pareto, heat map
   region × week, filter choices; and the per-team reading of the slice: one
   ``kpi_control_chart(filters={"team": t})`` per team) ``--query-repeat`` times, and
   ``GET /calls/dashboard`` through Starlette's ``TestClient`` (in-process ASGI, logged in
   as the analyst: the page's own work without a network or server loop).

The data (``seci.synthetic``, seed fixed: 13 whole weeks ending last Sunday, 44 agents in
four teams, transcripts with ~7 % of calls carrying personal numbers) is generated once
into a temporary directory and not timed. CPU used during each step is reported for the
child, the database server and everything else on the machine (other engineers' tests).

    .venv/bin/python -m benchmarks.bench_calls --db both --calls 1000000
    .venv/bin/python -m benchmarks.bench_calls --quick --db sqlite
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from benchmarks.common import (
    DEFAULT_PG_URL,
    ROOT,
    _system_busy_seconds,
    bench_database,
    load_average,
    markdown_table,
    pid_cpu_seconds,
    process_tree,
    write_json,
)

TARGET_CALLS_PER_S = 5000.0
TARGET_RSS_MB = 1024.0
TARGET_SLICE_P95_S = {"postgres": 1.0, "sqlite": 3.0}
DEFAULT_CALLS = 1_000_000
QUICK_CALLS = 50_000
SEED = 20261206
WEEKS = 13
ANALYST = "bench_analyst"
ANALYST_PASSWORD = "bench-password-1"  # a throw-away database's login
SLICE = "slice_week_team"
QUERY_LABELS = {
    SLICE: "**Slice: FCR by week × team + p-chart per team** (target)",
    "control_per_team": "Per-team control charts (`kpi_control_chart` × teams)",
    "tiles": "KPI tiles (`kpi_tiles`, 12 weeks + the 12 before)",
    "control": "Control chart, FCR by week (`kpi_control_chart`)",
    "funnel_agent": "Funnel by agent (`kpi_funnel`)",
    "pareto": "Complaint Pareto (`complaint_pareto`)",
    "heatmap": "Heat map region × week (`kpi_heatmap`)",
    "choices": "Filter choices (`slice_values` × 4)",
    "page": "Whole page `GET /calls/dashboard` (TestClient)",
}


# --- data --------------------------------------------------------------------------------

def generator_config(calls: int) -> Any:
    """Thirteen whole weeks ending last Sunday (calls may not lie in the future)."""
    from seci.synthetic import GeneratorConfig

    today = date.today()
    monday = today - timedelta(days=today.weekday())
    return GeneratorConfig(seed=SEED, start=monday - timedelta(weeks=WEEKS), weeks=WEEKS,
                           total_calls=calls, demo_links=False)


def generate(calls: int, directory: Path) -> dict[str, Any]:
    """``calls.jsonl`` and ``roster.jsonl`` in ``directory``, reused when already there;
    written by a child process, so that this one stays small (its RSS would otherwise
    be counted in the next child's before that child's exec)."""
    stamp = directory / "bench_calls.json"
    wanted = {"calls": calls, "seed": SEED, "end": str(date.today()
                                                     - timedelta(days=date.today().weekday()))}
    if stamp.exists():
        known = json.loads(stamp.read_text())
        if {k: known.get(k) for k in wanted} == wanted:
            print(f"reusing {directory / 'calls.jsonl'}", file=sys.stderr, flush=True)
            return dict(known)
    print(f"generating {calls:,} calls into {directory} …", file=sys.stderr, flush=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "benchmarks.bench_calls", "--child", "generate",
                    "--calls", str(calls), "--file", str(directory)], cwd=ROOT, check=True)
    path = directory / "calls.jsonl"
    with path.open("rb") as handle:
        lines = sum(1 for _ in handle)
    info = {**wanted, "rows": lines, "bytes": path.stat().st_size,
            "generate_s": time.perf_counter() - started}
    stamp.write_text(json.dumps(info))
    return info


# --- CPU accounting across processes that come and go -----------------------------------

def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(
            errors="replace")
    except OSError:
        return ""


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


class CpuSampler:
    """Cores used during a step by the child's process tree, by the PostgreSQL processes
    serving the benchmark's database (its backends, their parallel workers, and the
    server's own writer, checkpointer and autovacuum), and by everything else.

    Processes come and go during a step (the child, its database connections), so the
    per-process CPU times are sampled every ``interval`` seconds and the last sample of
    each counts; a process that started during the step counts from zero."""

    SERVER = ("checkpointer", "background writer", "walwriter", "autovacuum")

    def __init__(self, root: int, database: str | None, interval: float = 0.2) -> None:
        self.root = root
        self.database = database
        self.interval = interval
        self._first: dict[int, float] = {}
        self._last: dict[int, tuple[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._busy = 0.0
        self._wall = 0.0
        self._self_start = 0.0

    def _db_pids(self) -> list[int]:
        if self.database is None:
            return []
        ours: list[int] = []
        parallel: list[tuple[int, str]] = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or _comm(int(entry.name)) != "postgres":
                continue
            pid, line = int(entry.name), _cmdline(int(entry.name))
            if f" {self.database} " in line or any(s in line for s in self.SERVER):
                ours.append(pid)
            elif "parallel worker for PID" in line:
                parallel.append((pid, line))
        leaders = {str(p) for p in ours}
        for pid, line in parallel:
            match = re.search(r"parallel worker for PID (\d+)", line)
            if match and match.group(1) in leaders:
                ours.append(pid)
        return ours

    def _sample(self, first: bool = False) -> None:
        groups = {"child": [p for p in process_tree(self.root) if p != os.getpid()],
                  "db": self._db_pids()}
        for name, pids in groups.items():
            for pid in pids:
                cpu = pid_cpu_seconds(pid)
                if first:
                    self._first[pid] = cpu
                self._last[pid] = (name, cpu)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def start(self) -> None:
        self._self_start = pid_cpu_seconds(os.getpid())
        self._sample(first=True)
        self._busy = _system_busy_seconds()
        self._wall = time.perf_counter()
        self._thread.start()

    def stop(self, *, child_cpu_s: float | None = None) -> dict[str, float]:
        """Cores per group over the step; ``child_cpu_s``: the child's exact CPU time."""
        self._stop.set()
        self._thread.join()
        self._sample()
        wall = time.perf_counter() - self._wall
        busy = _system_busy_seconds() - self._busy
        used: dict[str, float] = defaultdict(float)
        for pid, (name, cpu) in self._last.items():
            used[name] += cpu - self._first.get(pid, 0.0)
        if child_cpu_s is not None:
            used["child"] = child_cpu_s
        used["bench"] = pid_cpu_seconds(os.getpid()) - self._self_start
        if not wall:
            return {"child_cores": 0.0, "db_cores": 0.0, "other_cores": 0.0,
                    "busy_cores": 0.0}
        return {"child_cores": used["child"] / wall, "db_cores": used["db"] / wall,
                "other_cores": max(0.0, busy - used["child"] - used["db"] - used["bench"])
                / wall, "busy_cores": busy / wall}


def _run_child(mode: str, url: str, database: str | None, env: dict[str, str],
               extra: list[str], out: Path) -> dict[str, Any]:
    """Run this module as a child process in ``mode``; its JSON, wall time, peak RSS and
    CPU, and the CPU of the database and of everything else meanwhile."""
    command = [sys.executable, "-m", "benchmarks.bench_calls", "--child", mode, "--url", url,
               "--child-out", str(out), *extra]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    sampler = CpuSampler(process.pid, database)
    sampler.start()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = sampler.stop(child_cpu_s=usage.ru_utime + usage.ru_stime)
    wall = time.perf_counter() - started
    if process.returncode != 0 or not out.exists():
        raise RuntimeError(f"{mode} child failed with status {process.returncode}")
    result: dict[str, Any] = json.loads(out.read_text())
    result.update(cpu)
    result["process_s"] = wall
    # wait4's ru_maxrss is no good here: it includes the RSS of the child before exec, a
    # fork of this process (with 500 MB here, a child doing nothing reports 500 MB).
    result["wait4_maxrss_mb"] = usage.ru_maxrss / 1024  # KiB on Linux
    if "self_peak_rss_mb" in result:
        result["peak_rss_mb"] = result["self_peak_rss_mb"] + result["helpers_peak_rss_mb"]
    return result


# --- the child processes -------------------------------------------------------------------

def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


class PhaseClock:
    """The import's progress callback: wall time per phase it reports (``reading``: parse,
    check, mask and stage every row; ``checking``: duplicates in the file, then the merge
    and the commit; ``thresholds``: the topics' p95 recomputed)."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self._phase: str | None = None
        self._since = time.perf_counter()

    def __call__(self, phase: str, _done: int, _total: int | None) -> None:
        if phase != self._phase:
            self.end()
            self._phase = phase

    def end(self) -> None:
        now = time.perf_counter()
        if self._phase is not None:
            self.phases[self._phase] = self.phases.get(self._phase, 0.0) + now - self._since
        self._since = now


def _child_import(url: str, path: Path, profile: Path | None) -> dict[str, Any]:
    from sqlalchemy import func, select
    from sqlalchemy.orm import sessionmaker

    from seci.accounts.service import system_actor
    from seci.calls.importing import CallSource
    from seci.calls.models import CallRecord, CallTranscript
    from seci.calls.tasks import run_call_import
    from seci.core.db import build_engine
    from seci.core.tabular import FileFormat

    engine = build_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    clock = PhaseClock()
    rss_before = _status_mb("VmRSS")
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    report = run_call_import(factory, actor=system_actor(), source=CallSource(
        calls=path, calls_format=FileFormat.JSONL, calls_name=path.name), dry_run=False,
        progress=clock)
    if profiler:
        profiler.disable()
    wall = time.perf_counter() - started
    clock.end()
    if profiler and profile:
        profile.parent.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(profile)
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(30)
        print(f"--- cProfile {profile.name} (top 30 by own time)\n{stream.getvalue()}",
              file=sys.stderr)
    with factory() as session:
        stored = session.scalar(select(func.count()).select_from(CallRecord))
        transcripts = session.scalar(select(func.count()).select_from(CallTranscript))
    engine.dispose()
    # Processes the import started and waited for (none today): their peaks count too.
    helpers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"rows": report.rows, "created": report.created, "updated": report.updated,
            "masked": report.masked, "errors": report.error_count, "import_s": wall,
            "calls_per_s": report.rows / wall if wall else 0.0, "phases": clock.phases,
            "rss_before_mb": rss_before, "self_peak_rss_mb": _status_mb("VmHWM"),
            "helpers_peak_rss_mb": helpers,
            "calls_in_db": stored, "transcripts_in_db": transcripts,
            "profiled": profiler is not None}


def dashboard_slice(session: Any, actor: Any, period: Any, kpi: str = "fcr"
                    ) -> dict[str, Any]:
    """The target's slice: one GROUP BY week, team over the period, then each team's
    p-chart (limits from all its weeks, Western Electric rules)."""
    from seci.calls.charts import rate_parts
    from seci.calls.kpis import slice_counts
    from seci.stats.control import p_chart

    rows = slice_counts(session, actor=actor, by=["week", "team"], period=period)
    by_team: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_team[str(row.keys["team"])].append(row.counts)
    charts = {}
    for team, counts in by_team.items():
        parts = [rate_parts(kpi, c) for c in counts]
        charts[team] = p_chart([s for s, _ in parts], [n for _, n in parts])
    return charts


def _timings(values: list[float], first: float) -> dict[str, Any]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"n": len(values), "first_s": first, "p50_s": statistics.median(values),
            "p95_s": p95, "max_s": ordered[-1], "min_s": ordered[0]}


def _time(build: Callable[[], Any], repeat: int) -> dict[str, Any]:
    started = time.perf_counter()
    build()
    first = time.perf_counter() - started
    values = []
    for _ in range(repeat):
        started = time.perf_counter()
        build()
        values.append(time.perf_counter() - started)
    return _timings(values, first)


def _child_measure(url: str, repeat: int, query_repeat: int, page_repeat: int,
                   slice_only: bool = False) -> dict[str, Any]:
    from fastapi.testclient import TestClient
    from sqlalchemy.orm import sessionmaker

    from seci.accounts.service import system_actor
    from seci.app import create_app
    from seci.calls import charts as ch
    from seci.calls import queries
    from seci.calls.dashboard import default_period, kpi_tiles
    from seci.calls.kpis import Period
    from seci.core.db import build_engine
    from seci.web.pages.calls import FILTER_NAMES

    engine = build_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    actor = system_actor()  # every role: the whole centre, as an analyst sees it
    with factory() as session:
        dashboard_period = default_period(session, actor=actor)
        teams = queries.slice_values(session, actor=actor, name="team")
        first_day, last_day = _day_range(session)
    everything = Period(first_day, last_day)

    def in_session(work: Callable[[Any], Any]) -> Callable[[], Any]:
        def run() -> Any:
            with factory() as session:
                result = work(session)
                session.rollback()
                return result
        return run

    work: dict[str, Callable[[Any], Any]] = {
        SLICE: lambda s: dashboard_slice(s, actor, everything),
        "control_per_team": lambda s: [ch.kpi_control_chart(
            s, actor=actor, kpi="fcr", grain="week", period=everything,
            filters={"team": t}) for t in teams],
        "tiles": lambda s: kpi_tiles(s, actor=actor, period=dashboard_period),
        "control": lambda s: ch.kpi_control_chart(s, actor=actor, kpi="fcr", grain="week",
                                                  period=dashboard_period),
        "funnel_agent": lambda s: ch.kpi_funnel(s, actor=actor, kpi="fcr", unit="agent",
                                                period=dashboard_period),
        "pareto": lambda s: queries.complaint_pareto(s, actor=actor,
                                                     period=dashboard_period),
        "heatmap": lambda s: ch.kpi_heatmap(s, actor=actor, kpi="complaint_rate", x="week",
                                            y="region", period=dashboard_period),
        "choices": lambda s: [queries.slice_values(s, actor=actor, name=name)
                              for name in FILTER_NAMES],
    }
    charts = in_session(work[SLICE])()
    timings: dict[str, Any] = {}
    for name, job in work.items():
        if slice_only and name != SLICE:
            continue
        timings[name] = _time(in_session(job), repeat if name == SLICE else query_repeat)
        print(f"  {name:18} p50 {timings[name]['p50_s']:.3f} s  p95 "
              f"{timings[name]['p95_s']:.3f} s  (first {timings[name]['first_s']:.3f} s)",
              file=sys.stderr, flush=True)
    if slice_only:
        engine.dispose()
        return {"timings": timings, "teams": teams}

    app = create_app(factory, background=False)
    with TestClient(app, base_url="http://testserver") as client:
        login = client.post("/login", data={"username": ANALYST, "password": ANALYST_PASSWORD,
                                            "next": "/"}, follow_redirects=False)
        if login.status_code != 303:
            raise RuntimeError(f"login failed: {login.status_code}")

        def page() -> None:
            response = client.get("/calls/dashboard")
            if response.status_code != 200 or 'id="chart-control"' not in response.text:
                raise RuntimeError(f"dashboard answered {response.status_code}")

        timings["page"] = _time(page, page_repeat)
        print(f"  page               p50 {timings['page']['p50_s']:.3f} s  p95 "
              f"{timings['page']['p95_s']:.3f} s", file=sys.stderr, flush=True)
    engine.dispose()
    return {"timings": timings, "teams": teams, "slice_points": sum(
        len(chart.values) for chart in charts.values()),
        "period": [str(first_day), str(last_day)],
        "dashboard_period": [str(dashboard_period.start), str(dashboard_period.end)]}


def _day_range(session: Any) -> tuple[date, date]:
    from sqlalchemy import func, select

    from seci.calls.models import CallRecord

    first, last = session.execute(select(func.min(CallRecord.day),
                                         func.max(CallRecord.day))).one()
    return (date.fromisoformat(str(first)), date.fromisoformat(str(last)))


# --- preparing a database and running the steps ------------------------------------------

def _prepare(url: str, roster: Path) -> None:
    """Migrations, the queues, the analyst who opens the dashboard, the roster."""
    from sqlalchemy.orm import Session

    from seci.accounts import service as accounts
    from seci.accounts.roles import Role
    from seci.core.db import build_engine
    from seci.core.migrate import upgrade
    from seci.core.tabular import FileFormat
    from seci.roster.importing import import_roster

    upgrade(url)
    engine = build_engine(url)
    try:
        with Session(engine) as session:
            accounts.seed_queues(session)
            accounts.create_user(session, username=ANALYST, password=ANALYST_PASSWORD,
                                 display_name="基准分析员", roles=(Role.ANALYST,))
            import_roster(session, actor=accounts.system_actor(), path=roster,
                          fmt=FileFormat.JSONL)
            session.commit()
    finally:
        engine.dispose()


@contextmanager
def _database(kind: str, pg_url: str, keep: bool) -> Iterator[tuple[str, str | None, Path]]:
    with bench_database(kind, pg_url=pg_url, keep=keep) as db:
        name = db.url.rsplit("/", 1)[-1] if kind == "postgres" else None
        yield db.url, name, db.data_dir
        if keep:
            print(f"kept {db.url}", file=sys.stderr)


def postgres_settings(url: str) -> str:
    """The server settings that decide what the figures mean (autovacuum off: statistics
    and dead rows wait for the import's own ANALYZE, or for nobody)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return ", ".join(
                f"{name} {conn.scalar(text(f'SHOW {name}'))}"
                for name in ("autovacuum", "max_parallel_workers_per_gather", "work_mem",
                             "shared_buffers", "synchronous_commit", "max_wal_size"))
    except Exception as exc:  # shown as-is in the results
        return f"unreachable ({type(exc).__name__})"
    finally:
        engine.dispose()


def _database_size_mb(url: str) -> float:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        base = Path(parsed.database or "")
        return sum(p.stat().st_size for p in base.parent.glob(base.name + "*")) / 1_048_576
    engine = create_engine(url)
    with engine.connect() as conn:
        size = conn.scalar(text("SELECT pg_database_size(current_database())"))
    engine.dispose()
    return float(size or 0) / 1_048_576


def run(kind: str, *, data: Path, info: dict[str, Any], pg_url: str, repeat: int,
        query_repeat: int, page_repeat: int, profile: Path | None, keep: bool
        ) -> dict[str, Any]:
    result: dict[str, Any] = {"db": kind, "rows": info["rows"],
                              "file_mb": info["bytes"] / 1_048_576}
    with _database(kind, pg_url, keep) as (url, name, data_dir), \
            tempfile.TemporaryDirectory(prefix="seci_bench_calls_") as tmp:
        _prepare(url, data / "roster.jsonl")
        env = {**os.environ, "SECI_DATABASE_URL": url, "SECI_DATA_DIR": str(data_dir)}
        for step in ("import", "reimport"):
            print(f"{kind}: {step} of {info['rows']:,} calls …", file=sys.stderr, flush=True)
            extra = ["--file", str(data / "calls.jsonl")]
            if profile:
                extra += ["--profile", str(profile / f"calls_{kind}_{step}.prof")]
            done = _run_child("import", url, name, env, extra, Path(tmp) / f"{step}.json")
            expected = ((info["rows"], 0) if step == "import" else (0, info["rows"]))
            if (done["created"], done["updated"]) != expected or \
                    done["calls_in_db"] != info["rows"]:
                raise RuntimeError(f"{step}: unexpected counts {done}")
            result[step] = done
            _print_import(kind, step, done)
            if step == "import":  # the slice on a table without dead rows, too
                result["measure_initial"] = _run_child(
                    "measure", url, name, env, ["--repeat", str(repeat), "--slice-only"],
                    Path(tmp) / "measure_initial.json")
        result["db_size_mb"] = _database_size_mb(url)
        print(f"{kind}: dashboard queries …", file=sys.stderr, flush=True)
        result["measure"] = _run_child(
            "measure", url, name, env,
            ["--repeat", str(repeat), "--query-repeat", str(query_repeat),
             "--page-repeat", str(page_repeat)], Path(tmp) / "measure.json")
    return result


def _print_import(kind: str, step: str, done: dict[str, Any]) -> None:
    phases = ", ".join(f"{k} {v:.1f} s" for k, v in done["phases"].items())
    print(f"{kind:8} {step:8} {done['rows']:,} calls in {done['import_s']:.1f} s -> "
          f"{done['calls_per_s']:,.0f} calls/s, peak RSS {done['peak_rss_mb']:.0f} MB "
          f"({phases}; CPU child {done['child_cores']:.2f} db {done['db_cores']:.2f} "
          f"other {done['other_cores']:.2f})", file=sys.stderr, flush=True)


# --- verdicts and tables ----------------------------------------------------------------------

def import_verdict(step: dict[str, Any]) -> str:
    ok = (step["calls_per_s"] >= TARGET_CALLS_PER_S
          and step["peak_rss_mb"] < TARGET_RSS_MB)
    return "PASS" if ok else "FAIL"


def slice_verdict(result: dict[str, Any]) -> str:
    """Judged after the re-import and right after the initial import: both must pass."""
    found = [m["timings"][SLICE]["p95_s"] for m in
             (result["measure"], result.get("measure_initial")) if m]
    ok = all(p95 < TARGET_SLICE_P95_S[result["db"]] for p95 in found)
    return "PASS" if ok else "FAIL"


def verdicts(results: list[dict[str, Any]]) -> list[str]:
    found = []
    for r in results:
        found += [import_verdict(r["import"]), import_verdict(r["reimport"]), slice_verdict(r)]
    return found


def _cpu(step: dict[str, Any]) -> str:
    return f"{step['child_cores']:.2f} / {step['db_cores']:.2f} / {step['other_cores']:.2f}"


def import_table(results: list[dict[str, Any]]) -> str:
    headers = ("Database", "Run", "Calls", "Created / updated", "Import s",
               "of which read, check, mask, stage / check, merge, commit / thresholds s",
               "Calls/s", "Peak RSS MB", "CPU child / DB / other", "Target", "Result")
    rows = []
    for r in results:
        for step in ("import", "reimport"):
            d = r[step]
            p = d["phases"]
            rows.append((
                r["db"], "initial" if step == "import" else "re-import (all updates)",
                f"{d['rows']:,}", f"{d['created']:,} / {d['updated']:,}",
                f"{d['import_s']:.1f}",
                f"{p.get('reading', 0.0):.1f} / "
                f"{p.get('checking', 0.0) + p.get('writing', 0.0):.1f} / "
                f"{p.get('thresholds', 0.0):.1f}",
                f"{d['calls_per_s']:,.0f}", f"{d['peak_rss_mb']:,.0f}", _cpu(d),
                f"≥ {TARGET_CALLS_PER_S:,.0f}/s, < {TARGET_RSS_MB:,.0f} MB",
                import_verdict(d) + (" (profiled)" if d.get("profiled") else "")))
    return markdown_table(headers, rows)


def _cell(t: dict[str, Any] | None) -> str:
    if t is None:
        return "–"
    return f"{t['p50_s']:.3f} / {t['p95_s']:.3f} ({t['first_s']:.3f}, n={t['n']})"


def query_table(results: list[dict[str, Any]]) -> str:
    headers = ("Query", *(f"{r['db']} p50 / p95 s (first, n)" for r in results))
    rows: list[tuple[str, ...]] = [
        (title, *(_cell(r["measure"]["timings"].get(name)) for r in results))
        for name, title in QUERY_LABELS.items()]
    rows.append(("Slice right after the initial import (before the re-import)", *(
        _cell(r.get("measure_initial", {}).get("timings", {}).get(SLICE)) for r in results)))
    rows.append(("Slice target (p95 of both measurements)", *(
        f"< {TARGET_SLICE_P95_S[r['db']]:.0f} s: {slice_verdict(r)}" for r in results)))
    rows.append(("CPU child / DB / other during the queries",
                 *(_cpu(r["measure"]) for r in results)))
    rows.append(("Database size after the imports",
                 *(f"{r['db_size_mb']:,.0f} MB" for r in results)))
    return markdown_table(headers, rows)


# --- command line ------------------------------------------------------------------------------

def _child_main(args: argparse.Namespace) -> int:
    if args.child == "generate":
        from seci.synthetic import write_dataset

        write_dataset(generator_config(args.calls), Path(args.file))
        return 0
    if args.child == "import":
        payload = _child_import(args.url, Path(args.file), args.profile)
    else:
        payload = _child_measure(args.url, args.repeat, args.query_repeat, args.page_repeat,
                                 slice_only=args.slice_only)
    Path(args.child_out).write_text(json.dumps(payload, ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both", "all"), default="both")
    parser.add_argument("--calls", type=int, default=DEFAULT_CALLS,
                        help="calls to generate and import (default 1,000,000)")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_CALLS:,} calls, 5 slice repetitions")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs of the slice")
    parser.add_argument("--query-repeat", type=int, default=5,
                        help="timed runs of every other dashboard query")
    parser.add_argument("--page-repeat", type=int, default=5,
                        help="timed requests of the whole dashboard page")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--data", type=Path, default=None, metavar="DIR",
                        help="generate into (or reuse the data in) DIR instead of a "
                             "temporary directory")
    parser.add_argument("--profile", type=Path, default=None, metavar="DIR",
                        help="run the imports under cProfile (slower), .prof files here")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--json-out", default=None, help="write results as JSON here")
    # The child processes (internal).
    parser.add_argument("--child", choices=("generate", "import", "measure"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    parser.add_argument("--slice-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child_main(args)
    if args.quick:
        args.calls, args.repeat = QUICK_CALLS, min(args.repeat, 5)
        args.query_repeat, args.page_repeat = min(args.query_repeat, 3), min(
            args.page_repeat, 3)

    load_before = load_average()
    kinds = ["sqlite", "postgres"] if args.db in ("both", "all") else [args.db]
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="seci_bench_calls_data_") as tmp:
        data = args.data or Path(tmp)
        data.mkdir(parents=True, exist_ok=True)
        info = generate(args.calls, data)
        for kind in kinds:
            results.append(run(kind, data=data, info=info, pg_url=args.pg_url,
                               repeat=args.repeat, query_repeat=args.query_repeat,
                               page_repeat=args.page_repeat, profile=args.profile,
                               keep=args.keep))
    payload = {
        "benchmark": "calls", "calls": args.calls, "rows": info["rows"], "seed": SEED,
        "weeks": WEEKS, "file_mb": info["bytes"] / 1_048_576,
        "generate_s": info.get("generate_s"), "repeat": args.repeat,
        "query_repeat": args.query_repeat, "page_repeat": args.page_repeat,
        "target_calls_per_s": TARGET_CALLS_PER_S, "target_rss_mb": TARGET_RSS_MB,
        "target_slice_p95_s": TARGET_SLICE_P95_S, "load_before": load_before,
        "postgres_settings": (postgres_settings(args.pg_url) if "postgres" in kinds
                              else None),
        "load_after": load_average(), "results": results,
    }
    write_json(args.json_out, payload)
    print(import_table(results))
    print()
    print(query_table(results))
    return 0 if all(v == "PASS" for v in verdicts(results)) else 1


if __name__ == "__main__":
    sys.exit(main())
