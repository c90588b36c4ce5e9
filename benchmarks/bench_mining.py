"""Mining a million calls with transcripts: feature extraction and analysis end to end, in
one process and as jobs shared by one or two ``seci worker`` processes.

Target (issue 17, transcript mining): 1M transcripts mined end to end — features extracted
from every call, the period analysed by every finder and the run stored — in under
10 minutes on this machine, peak RSS of every mining process under 2 GB; and how it scales
with worker processes.

Steps per database (a fresh, migrated SQLite file or PostgreSQL database on the server of
``--pg-url``, dropped afterwards):

1. *prepare* (not timed): the queues, an analyst, the roster; the calls imported by a child
   process (``seci.calls.tasks.run_call_import``, as in ``bench_calls``; its time is shown
   for context, not judged). The imported state is kept (SQLite: a copy of the file;
   PostgreSQL: the mining tables and jobs are truncated) so that every scenario starts
   with no call's features extracted;
2. *direct* — what ``seci calls mine`` runs: one child process calls
   ``seci.mining.tasks.run_mining`` (``extract_pending`` over every call, then
   ``analyse``: ``load_dataset``, ``mine``, the run stored; search asked about each gap's
   questions, as by default). Every step is timed inside that call (the functions are
   wrapped, nothing else changes); the process's peak RSS is read from its own high-water
   mark (``VmHWM``) after extraction and after analysis, reset in between
   (``/proc/self/clear_refs``), so each phase has its own peak;
3. *jobs, N workers* — the production path: N ``seci worker`` processes (rq on Redis,
   ``SECI_REDIS_URL``) are started and registered; a ``mining.run`` job is queued (as an
   import or the page queues it) and announced. The worker that takes it splits the
   pending calls into ``mining.extract`` shards of 100,000 calls (``SHARD_CALLS``), works on
   them too, and analyses when every shard is done; the other worker takes shards. End to
   end = job queued → job finished (the jobs table's times); extraction = run started →
   last shard finished; analysis = the rest. Each worker's peak RSS is its ``VmHWM``
   read from ``/proc/<pid>/status`` before it is stopped.

CPU during each step is reported for the mining processes, the database server's
processes for this database and everything else on the machine (other engineers' tests:
the "other" column; the load average is noted before and after).

    .venv/bin/python -m benchmarks.bench_mining --db sqlite --calls 1000000
    .venv/bin/python -m benchmarks.bench_mining --quick --db sqlite
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks import bench_calls
from benchmarks.common import (
    DEFAULT_PG_URL,
    ROOT,
    load_average,
    markdown_table,
    pid_cpu_seconds,
    process_tree,
    write_json,
)

TARGET_SECONDS = 600.0
TARGET_RSS_MB = 2048.0
DEFAULT_CALLS = 1_000_000
QUICK_CALLS = 50_000
SEED = 20261207
WEEKS = 13
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"  # a database of its own on a shared server
JOB_TIMEOUT_S = 3600.0
WORKER_START_TIMEOUT_S = 90.0
SEARCH_SAMPLE_NOTE = "search asked about each gap's example questions (empty KB)"

# Functions timed inside the direct run: (module, name, label). The call sites look them up
# in their module's namespace at call time, so wrapping the module attribute times them.
TIMED: tuple[tuple[str, str, str], ...] = (
    ("seci.mining.tasks", "extract_pending", "extract"),
    ("seci.mining.extract", "pending_rows", "extract_read"),
    ("seci.mining.extract", "parse_rows", "extract_parse"),
    ("seci.mining.extract", "write_batch", "extract_write"),
    ("seci.mining.tasks", "answerability_with_search", "search_engine"),
    ("seci.mining.tasks", "analyse", "analysis"),
    ("seci.mining.service", "load_dataset", "load"),
    ("seci.mining.service", "candidate_groups", "scripts_groups"),
    ("seci.mining.service", "find_golden_scripts", "scripts_test"),
    ("seci.mining.service", "find_bursts", "bursts"),
    ("seci.mining.service", "find_knowledge_gaps", "gaps"),
    ("seci.mining.service", "_link_search_log", "gaps_words"),
    ("seci.mining.service", "_add_search_evidence", "gaps_search"),
    ("seci.mining.service", "agent_matching", "matching"),
    ("seci.mining.service", "recommendations", "matching_queues"),
    ("seci.mining.service", "explain_long_calls", "long_calls"),
    ("seci.mining.service", "hot_topics", "hot_topics"),
    ("seci.mining.service", "alert_owners", "alerts"),
)
# Steps whose own peak RSS is read (top-level steps of a run, one after another).
STEP_PEAKS = ("extract", "search_engine", "load", "scripts_groups", "scripts_test", "bursts",
              "gaps", "gaps_words", "gaps_search", "matching", "matching_queues",
              "long_calls", "hot_topics", "alerts")
PHASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("extract", ("extract",)),
    ("load", ("load",)),
    ("scripts", ("scripts_groups", "scripts_test")),
    ("bursts", ("bursts",)),
    ("gaps", ("gaps", "gaps_words", "gaps_search")),
    ("matching", ("matching", "matching_queues")),
    ("long calls", ("long_calls",)),
    ("hot topics", ("hot_topics",)),
)


# --- data ------------------------------------------------------------------------------------

def generator_config(calls: int) -> Any:
    """Thirteen whole weeks ending last Sunday, every mining effect planted."""
    from seci.synthetic import GeneratorConfig

    today = date.today()
    monday = today - timedelta(days=today.weekday())
    return GeneratorConfig(seed=SEED, start=monday - timedelta(weeks=WEEKS), weeks=WEEKS,
                           total_calls=calls, demo_links=False).with_mining_effects()


def generate(calls: int, directory: Path) -> dict[str, Any]:
    """``calls.jsonl``, ``roster.jsonl`` and ``ground_truth.json`` in ``directory`` (reused
    when there), written by a child process."""
    stamp = directory / "bench_mining.json"
    wanted = {"calls": calls, "seed": SEED, "mining_effects": True,
              "end": str(date.today() - timedelta(days=date.today().weekday()))}
    if stamp.exists():
        known = json.loads(stamp.read_text())
        if {k: known.get(k) for k in wanted} == wanted:
            print(f"reusing {directory / 'calls.jsonl'}", file=sys.stderr, flush=True)
            return dict(known)
    print(f"generating {calls:,} calls into {directory} …", file=sys.stderr, flush=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "benchmarks.bench_mining", "--child", "generate",
                    "--calls", str(calls), "--dir", str(directory)], cwd=ROOT, check=True)
    path = directory / "calls.jsonl"
    with path.open("rb") as handle:
        lines = sum(1 for _ in handle)
    info = {**wanted, "rows": lines, "bytes": path.stat().st_size,
            "generate_s": time.perf_counter() - started}
    stamp.write_text(json.dumps(info))
    return info


# --- the direct run (a child process) -------------------------------------------------------

def _status_mb(field: str, pid: int | str = "self") -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _reset_peak() -> bool:
    """Reset this process's high-water mark to its current RSS (Linux ≥ 4.0)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


class Timers:
    """Wall time and calls per wrapped function; hooks run after a function returns."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.after: dict[str, Callable[[], None]] = {}

    def install(self) -> None:
        import importlib

        for module_name, name, label in TIMED:
            module = importlib.import_module(module_name)
            setattr(module, name, self._wrap(getattr(module, name), label))

    def _wrap(self, function: Callable[..., Any], label: str) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + (
                    time.perf_counter() - started)
                self.calls[label] = self.calls.get(label, 0) + 1
                hook = self.after.get(label)
                if hook is not None:
                    hook()
        return timed


def _child_direct(url: str) -> dict[str, Any]:
    from sqlalchemy import func, select
    from sqlalchemy.orm import sessionmaker

    from seci.accounts.service import system_actor
    from seci.calls.kpis import Period
    from seci.core.db import build_engine
    from seci.mining import tasks
    from seci.mining.models import CallFeatures, MiningRun

    timers = Timers()
    timers.install()
    peaks: dict[str, float] = {}
    # Each step's own peak: the high-water mark when it returns, then reset (the steps of
    # a run follow one another, so each peak covers one step). RSS after: what it kept.
    step_peaks: dict[str, float] = {}
    kept_rss: dict[str, float] = {}

    def after(label: str) -> Callable[[], None]:
        def hook() -> None:
            step_peaks[label] = max(step_peaks.get(label, 0.0), _status_mb("VmHWM"))
            kept_rss[label] = _status_mb("VmRSS")
            _reset_peak()
        return hook

    for label in STEP_PEAKS:
        timers.after[label] = after(label)
    engine = build_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    peaks["start"] = _status_mb("VmRSS")
    resettable = _reset_peak()
    started = time.perf_counter()
    with PoolMemory() as pool:
        run_id = tasks.run_mining(factory, actor=system_actor(), period=Period(), search=True)
    wall = time.perf_counter() - started
    step_peaks["store"] = _status_mb("VmHWM")
    peaks["extract"] = step_peaks.get("extract", 0.0)
    peaks["rss_after_extract"] = kept_rss.get("extract", 0.0)
    peaks["analysis"] = max(v for k, v in step_peaks.items() if k != "extract")
    with factory() as session:
        run = session.get(MiningRun, run_id)
        assert run is not None
        findings = dict(run.findings)
        features = session.scalar(select(func.count()).select_from(CallFeatures))
    engine.dispose()
    seconds = dict(timers.seconds)
    extract = seconds.get("extract", 0.0)
    timed = sum(seconds.get(label, 0.0) for _, labels in PHASES for label in labels)
    return {
        "wall_s": wall, "run_id": run_id, "calls_mined": findings.get("calls"),
        "features": features, "seconds": seconds, "calls": dict(timers.calls),
        "extract_s": extract, "analysis_s": wall - extract,
        # The findings' JSON, the run's row and the commit (and anything not wrapped).
        "store_s": wall - timed - seconds.get("search_engine", 0.0)
        - seconds.get("alerts", 0.0),
        "peaks_mb": peaks, "peak_reset": resettable, "step_peaks_mb": step_peaks,
        "rss_after_mb": kept_rss,
        "peak_rss_mb": max(peaks.get("extract", 0.0), peaks["analysis"]),
        # The parsing pool's processes, beside this one during the extraction.
        "pool_processes": pool.processes, "pool_peak_rss_mb": pool.peak_mb,
        "parse_processes": tasks.parse_processes(),
        "found": _counts(findings),
    }


def _counts(findings: dict[str, Any]) -> dict[str, int]:
    return {"golden_scripts": len(findings.get("golden_scripts", [])),
            "bursts": len(findings.get("hot_topics", [])),
            "gaps": sum(1 for g in findings.get("knowledge_gaps", []) if g.get("is_gap")),
            "long_call_reasons": len(findings.get("long_calls", {}).get("reasons", [])),
            "specialists": sum(1 for agents in findings.get("agent_matching", {}).values()
                               for a in agents if a.get("specialist"))}


def _child_evaluate(url: str, truth_path: Path) -> dict[str, Any]:
    """The planted effects against the latest stored run (``eval_mining.evaluate``)."""
    from sqlalchemy import select
    from sqlalchemy.orm import sessionmaker

    from benchmarks.eval_mining import evaluate
    from seci.calls.kpis import Period
    from seci.core.db import build_engine
    from seci.mining.dataset import load_dataset
    from seci.mining.models import MinedText, MiningRun

    truth = json.loads(truth_path.read_text())
    engine = build_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as session:
        run = session.scalar(select(MiningRun).order_by(MiningRun.id.desc()).limit(1))
        assert run is not None
        findings = dict(run.findings)
        data = load_dataset(session, period=Period())
        agent_texts = {int(h): str(t) for h, t in session.execute(
            select(MinedText.hash, MinedText.text).where(MinedText.kind == "a"))}
        session.rollback()
    engine.dispose()
    return {"seed": SEED, "calls": data.size, "mined": data.size,
            "result": evaluate(findings, data, truth["extensions"], agent_texts,
                               truth.get("complaint_spike"))}


def _run_child(mode: str, url: str, database: str | None, env: dict[str, str],
               extra: list[str], out: Path) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.bench_mining", "--child", mode, "--url", url,
               "--child-out", str(out), *extra]
    load_before = load_average()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    sampler = bench_calls.CpuSampler(process.pid, database)
    sampler.start()
    _pid, status, usage = os.wait4(process.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    cpu = sampler.stop(child_cpu_s=usage.ru_utime + usage.ru_stime)
    if code != 0 or not out.exists():
        raise RuntimeError(f"{mode} child failed with status {code}")
    result: dict[str, Any] = json.loads(out.read_text())
    result.update(cpu)
    result["process_s"] = time.perf_counter() - started
    result["load_before"], result["load_after"] = load_before, load_average()
    return result


# --- the job path: seci worker processes on Redis -------------------------------------------

def _redis_keys(url: str) -> int:
    from redis import Redis

    size: Any = Redis.from_url(url).dbsize()
    return int(size)


def _clear_rq(url: str) -> None:
    """Remove what rq left in the benchmark's Redis database (its own, see --redis-url)."""
    from redis import Redis

    client = Redis.from_url(url)
    keys = list(client.scan_iter("rq:*"))
    if keys:
        client.delete(*keys)


def _registered_workers(url: str) -> int:
    from redis import Redis
    from rq import Worker

    return len(Worker.all(connection=Redis.from_url(url)))


def _announce(url: str) -> None:
    """What ``seci.jobs.queue.announce`` sends for one job."""
    from redis import Redis
    from rq import Queue

    Queue("seci", connection=Redis.from_url(url)).enqueue(
        "seci.jobs.worker.work_on_queued", job_timeout=-1, result_ttl=0, failure_ttl=86_400)


def _queue_run(url: str) -> int:
    from sqlalchemy.orm import Session

    from seci.calls.kpis import Period
    from seci.core.db import build_engine
    from seci.mining.tasks import queue_mining

    engine = build_engine(url)
    try:
        with Session(engine) as session:
            job = queue_mining(session, actor=None, period=Period())
            session.commit()
            return int(job.id)
    finally:
        engine.dispose()


def _calls_of_run(engine: Any, result: dict[str, Any] | None) -> int | None:
    from sqlalchemy.orm import Session

    from seci.mining.models import MiningRun

    if not result or result.get("run_id") is None:
        return None
    with Session(engine) as session:
        run = session.get(MiningRun, int(result["run_id"]))
        return int(run.calls) if run is not None else None


def _jobs_of(engine: Any, run_id: int) -> tuple[Any, list[Any]]:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from seci.jobs.models import Job

    with Session(engine) as session:
        run = session.get(Job, run_id)
        shards = [job for job in session.scalars(select(Job).where(Job.id != run_id))
                  if (job.params or {}).get("parent") == run_id]
        session.expunge_all()
        return run, shards


def _seconds(later: datetime | None, earlier: datetime | None) -> float | None:
    if later is None or earlier is None:
        return None
    return (later - earlier).total_seconds()


def run_jobs(url: str, database: str | None, env: dict[str, str], workers: int,
             redis_url: str, logs: Path) -> dict[str, Any]:
    """Start ``workers`` ``seci worker`` processes, queue a mining run, wait for it."""
    from seci.core.db import build_engine
    from seci.jobs.models import FINISHED, JobStatus

    _clear_rq(redis_url)
    engine = build_engine(url)
    worker_env = {**env, "SECI_REDIS_URL": redis_url}
    seci = str(Path(sys.executable).with_name("seci"))
    processes = []
    outputs = [(logs / f"worker_{workers}_{n}.log").open("w") for n in range(workers)]
    for output in outputs:
        processes.append(subprocess.Popen([seci, "worker"], cwd=ROOT, env=worker_env,
                                          stdout=output, stderr=subprocess.STDOUT))
    try:
        deadline = time.monotonic() + WORKER_START_TIMEOUT_S
        while _registered_workers(redis_url) < workers:
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                raise RuntimeError(f"{workers} worker(s) did not register; see {logs}")
            time.sleep(0.2)
        rss_idle = [_status_mb("VmRSS", p.pid) for p in processes]
        load_before = load_average()
        sampler = bench_calls.CpuSampler(os.getpid(), database)
        sampler.start()
        started = time.perf_counter()
        run_id = _queue_run(url)
        _announce(redis_url)
        deadline = time.monotonic() + JOB_TIMEOUT_S
        while True:
            run, shards = _jobs_of(engine, run_id)
            if JobStatus(run.status) in FINISHED:
                break
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                raise RuntimeError(f"mining run did not finish; see {logs}")
            time.sleep(0.5)
        wall = time.perf_counter() - started
        cpu = sampler.stop()
        peaks = [_status_mb("VmHWM", p.pid) for p in processes]
        cpu_s = [pid_cpu_seconds(p.pid) for p in processes]
        mined = _calls_of_run(engine, run.result)
    except Exception:
        for output in outputs:
            output.flush()
            tail = Path(output.name).read_text(errors="replace")[-3000:]
            print(f"--- {output.name}\n{tail}", file=sys.stderr)
        raise
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        _clear_rq(redis_url)
        engine.dispose()
        for output in outputs:
            output.close()
    if run.status != JobStatus.SUCCEEDED:
        raise RuntimeError(f"mining run {run.status}: {run.error}; see {logs}")
    # Unsharded (fewer pending calls than a shard): extraction runs inside the run job,
    # whose phases a worker does not record, so only the whole is known.
    last_shard = max((s.finished_at for s in shards if s.finished_at), default=None)
    extracted = sum(int((s.result or {}).get("calls", 0)) for s in shards)
    return {
        "workers": workers, "run_job": run_id, "result": run.result, "shards": len(shards),
        "calls_mined": mined,
        "shard_calls": extracted,
        "shard_seconds": sorted(_seconds(s.finished_at, s.started_at) or 0.0 for s in shards),
        "wall_s": wall, "end_to_end_s": _seconds(run.finished_at, run.created_at),
        "queued_s": _seconds(run.started_at, run.created_at),
        "extract_s": _seconds(last_shard, run.started_at),
        "analysis_s": _seconds(run.finished_at, last_shard),
        "worker_peak_rss_mb": peaks, "worker_idle_rss_mb": rss_idle,
        "worker_cpu_s": cpu_s, "peak_rss_mb": max(peaks), **cpu,
        "load_before": load_before, "load_after": load_average(),
    }


# --- preparing, resetting, running ----------------------------------------------------------

def _sqlite_path(url: str) -> Path:
    from sqlalchemy.engine import make_url

    return Path(make_url(url).database or "")


def _snapshot(kind: str, url: str, keep_at: Path) -> None:
    if kind != "sqlite":
        return
    path = _sqlite_path(url)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(path, keep_at)


def _restore(kind: str, url: str, kept: Path) -> None:
    """Back to the imported state: no features, no runs, no jobs."""
    if kind == "sqlite":
        path = _sqlite_path(url)
        for suffix in ("-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        shutil.copyfile(kept, path)
        return
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE mining_call_features, mining_texts, mining_alerts, "
                          "mining_runs, jobs"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def run(kind: str, *, data: Path, info: dict[str, Any], pg_url: str, workers: list[int],
        redis_url: str | None, evaluate: bool, keep: bool, direct: bool = True
        ) -> dict[str, Any]:
    result: dict[str, Any] = {"db": kind, "rows": info["rows"],
                              "file_mb": info["bytes"] / 1_048_576}
    with bench_calls._database(kind, pg_url, keep) as (url, name, data_dir), \
            tempfile.TemporaryDirectory(prefix="seci_bench_mining_") as tmp:
        bench_calls._prepare(url, data / "roster.jsonl")
        env = {**os.environ, "SECI_DATABASE_URL": url, "SECI_DATA_DIR": str(data_dir)}
        env.pop("SECI_REDIS_URL", None)
        print(f"{kind}: import of {info['rows']:,} calls …", file=sys.stderr, flush=True)
        result["import"] = bench_calls._run_child(
            "import", url, name, env, ["--file", str(data / "calls.jsonl")],
            Path(tmp) / "import.json")
        kept = data_dir / "imported.db"
        _snapshot(kind, url, kept)
        first = True
        if direct:
            print(f"{kind}: direct run (run_mining) …", file=sys.stderr, flush=True)
            result["direct"] = _run_child("direct", url, name, env, [],
                                          Path(tmp) / "direct.json")
            _print_direct(kind, result["direct"])
            first = False
            if evaluate:
                print(f"{kind}: planted effects at {info['rows']:,} calls …", file=sys.stderr,
                      flush=True)
                result["evaluation"] = _run_child(
                    "evaluate", url, name, env, ["--truth", str(data / "ground_truth.json")],
                    Path(tmp) / "evaluate.json")
        result["jobs"] = []
        for count in workers:
            if redis_url is None:
                break
            if not first:
                _restore(kind, url, kept)
            first = False
            print(f"{kind}: mining.run job, {count} worker(s) …", file=sys.stderr, flush=True)
            done = run_jobs(url, name, env, count, redis_url, Path(tmp))
            result["jobs"].append(done)
            _print_jobs(kind, done)
        result["db_size_mb"] = bench_calls._database_size_mb(url)
    return result


def _print_direct(kind: str, d: dict[str, Any]) -> None:
    phases = ", ".join(f"{name} {phase_seconds(d, name):.1f} s" for name, _ in PHASES)
    print(f"{kind:8} direct: {d['wall_s']:.1f} s ({phases}; store {d['store_s']:.1f} s); "
          f"peak RSS extract {d['peaks_mb'].get('extract', 0):.0f} MB, analysis "
          f"{d['peaks_mb']['analysis']:.0f} MB; CPU child {d['child_cores']:.2f} db "
          f"{d['db_cores']:.2f} other {d['other_cores']:.2f}", file=sys.stderr, flush=True)


def _print_jobs(kind: str, d: dict[str, Any]) -> None:
    split = (f"extract {d['extract_s']:.1f} s in {d['shards']} shards, analysis "
             f"{d['analysis_s']:.1f} s" if d["shards"] else "unsharded")
    print(f"{kind:8} {d['workers']} worker(s): {d['end_to_end_s']:.1f} s end to end "
          f"({split}); peaks {[round(p) for p in d['worker_peak_rss_mb']]} MB; "
          f"CPU workers {d['child_cores']:.2f} db {d['db_cores']:.2f} other "
          f"{d['other_cores']:.2f}", file=sys.stderr, flush=True)


# --- verdicts and tables --------------------------------------------------------------------

def phase_seconds(direct: dict[str, Any], phase: str) -> float:
    labels = dict(PHASES)[phase]
    return float(sum(direct["seconds"].get(label, 0.0) for label in labels))


def verdict(seconds: float | None, peak_mb: float) -> str:
    ok = seconds is not None and seconds < TARGET_SECONDS and peak_mb < TARGET_RSS_MB
    return "PASS" if ok else "FAIL"


def verdicts(results: list[dict[str, Any]]) -> list[str]:
    found = []
    for r in results:
        if r.get("direct"):
            found.append(verdict(r["direct"]["wall_s"], r["direct"]["peak_rss_mb"]))
        found += [verdict(j["end_to_end_s"], j["peak_rss_mb"]) for j in r.get("jobs", [])]
    return found


def _cpu(step: dict[str, Any]) -> str:
    return f"{step['child_cores']:.2f} / {step['db_cores']:.2f} / {step['other_cores']:.2f}"


def end_to_end_table(results: list[dict[str, Any]]) -> str:
    headers = ("Database", "Run", "Calls", "End to end s", "Extraction s (calls/s)",
               "Analysis s", "Peak RSS MB", "CPU mining / DB / other", "Load before → after",
               "Target", "Result")
    rows = []
    target = f"< {TARGET_SECONDS / 60:.0f} min, < {TARGET_RSS_MB:,.0f} MB"
    for r in results:
        d = r.get("direct")
        if d:
            features = d["features"] or 0
            rows.append((
                r["db"], "direct (`run_mining`, 1 process)", f"{d['calls_mined']:,}",
                f"{d['wall_s']:.1f}",
                f"{d['extract_s']:.1f} ({features / d['extract_s']:,.0f})"
                if d["extract_s"] else "–",
                f"{d['analysis_s']:.1f}",
                f"{d['peaks_mb'].get('extract', 0):,.0f} extraction, "
                f"{d['peaks_mb']['analysis']:,.0f} analysis",
                _cpu(d), f"{d['load_before']} → {d['load_after']}", target,
                verdict(d["wall_s"], d["peak_rss_mb"])))
        for j in r.get("jobs", []):
            calls = j.get("calls_mined")
            extract = j["extract_s"]
            if not j["shards"] or extract is None:
                extraction, analysis = "in the run job (unsharded)", "–"
            else:
                rate = f" ({j['shard_calls'] / extract:,.0f})" if extract else ""
                extraction, analysis = f"{extract:.1f}{rate}", f"{j['analysis_s']:.1f}"
            rows.append((
                r["db"], f"`mining.run` job, {j['workers']} `seci worker` "
                f"process{'es' if j['workers'] > 1 else ''} ({j['shards']} shards)",
                f"{calls:,}" if isinstance(calls, int) else f"{r['import']['rows']:,}",
                f"{j['end_to_end_s']:.1f}", extraction, analysis,
                " + ".join(f"{p:,.0f}" for p in j["worker_peak_rss_mb"]),
                _cpu(j), f"{j['load_before']} → {j['load_after']}", target,
                verdict(j["end_to_end_s"], j["peak_rss_mb"])))
    return markdown_table(headers, rows)


def scaling(results: list[dict[str, Any]]) -> list[str]:
    """One sentence per database: the job runs with more workers against the one with one."""
    lines = []
    for r in results:
        jobs = sorted(r.get("jobs", []), key=lambda j: j["workers"])
        if len(jobs) < 2:
            continue
        base = jobs[0]
        for j in jobs[1:]:
            parts = [f"end to end {base['end_to_end_s']:.1f} s → {j['end_to_end_s']:.1f} s "
                     f"(× {base['end_to_end_s'] / j['end_to_end_s']:.2f})"]
            if base["shards"] and j["shards"] and base["extract_s"] and j["extract_s"]:
                parts.append(f"extraction {base['extract_s']:.1f} s → {j['extract_s']:.1f} s "
                             f"(× {base['extract_s'] / j['extract_s']:.2f})")
                parts.append(f"analysis {base['analysis_s']:.1f} s → {j['analysis_s']:.1f} s")
            lines.append(f"{r['db']}, {base['workers']} → {j['workers']} worker processes: "
                         + "; ".join(parts) + ".")
    return lines


def _waiting_for_pool(d: dict[str, Any]) -> float:
    """Extraction time not spent querying, parsing here or writing: waiting for the
    pool's processes to return a batch (their parse overlaps the query and write)."""
    seconds = d["seconds"]
    return max(0.0, float(seconds.get("extract", 0.0)) - sum(
        float(seconds.get(k, 0.0)) for k in ("extract_read", "extract_parse",
                                              "extract_write")))


class PoolMemory:
    """The resident memory of this process's children (the parsing pool) sampled every
    half second: the largest sum over them and how many there were."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self.processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.wait(0.5):
            children = [p for p in process_tree(me) if p != me]
            total = sum(_status_mb("VmRSS", p) for p in children)
            if total > self.peak_mb:
                self.peak_mb, self.processes = total, len(children)

    def __enter__(self) -> PoolMemory:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def phase_table(results: list[dict[str, Any]]) -> str:
    """Where the direct run's time and memory go: seconds, and the step's own peak RSS
    (and the RSS it left) where read."""
    with_direct = [r for r in results if r.get("direct")]
    headers = ("Step", *(f"{r['db']} s" for r in with_direct),
               *(f"{r['db']} peak RSS MB (after)" for r in with_direct))

    def secs(*labels: str) -> Callable[[dict[str, Any]], float]:
        return lambda d: float(sum(d["seconds"].get(label, 0.0) for label in labels))

    steps: list[tuple[str, Callable[[dict[str, Any]], float], tuple[str, ...]]] = [
        ("**Extraction** (`extract_pending`)", secs("extract"), ("extract",)),
        ("  of which query (`pending_rows`)", secs("extract_read"), ()),
        ("  of which parse in this process (`parse_rows`: normalise, segment, clauses, "
         "flags, hashes; 0 when a pool parses)", secs("extract_parse"), ()),
        ("  of which waiting for the parsing pool", _waiting_for_pool, ()),
        ("  of which write (`write_batch`)", secs("extract_write"), ()),
        ("Search engine for the gaps' evidence (`answerability_with_search`)",
         secs("search_engine"), ("search_engine",)),
        ("**Analysis** (`analyse`)", secs("analysis"), ()),
        ("  load (`load_dataset`)", secs("load"), ("load",)),
        ("  golden scripts: candidates and groups (`candidate_groups`)",
         secs("scripts_groups"), ("scripts_groups",)),
        ("  golden scripts: tests (`find_golden_scripts`)", secs("scripts_test"),
         ("scripts_test",)),
        ("  bursts (`find_bursts`)", secs("bursts"), ("bursts",)),
        ("  knowledge gaps (`find_knowledge_gaps`, words, search)",
         secs("gaps", "gaps_words", "gaps_search"), ("gaps", "gaps_words", "gaps_search")),
        ("  agent matching (`agent_matching`, `recommendations`)",
         secs("matching", "matching_queues"), ("matching", "matching_queues")),
        ("  long calls (`explain_long_calls`)", secs("long_calls"), ("long_calls",)),
        ("  hot topics (`hot_topics`)", secs("hot_topics"), ("hot_topics",)),
        ("  alerts to module owners (`alert_owners`)", secs("alerts"), ("alerts",)),
        ("  findings as JSON, run stored, commit", lambda d: float(d["store_s"]), ("store",)),
        ("**Total** (`run_mining`)", lambda d: float(d["wall_s"]), ()),
    ]

    def memory(d: dict[str, Any], labels: tuple[str, ...]) -> str:
        peaks = d.get("step_peaks_mb") or {}
        found = [peaks[k] for k in labels if k in peaks]
        if not found:
            return ""
        after = (d.get("rss_after_mb") or {}).get(labels[-1])
        return f"{max(found):,.0f}" + (f" ({after:,.0f})" if after is not None else "")

    rows = [(label, *(f"{value(r['direct']):.1f}" for r in with_direct),
             *(memory(r["direct"], labels) for r in with_direct))
            for label, value, labels in steps]
    return markdown_table(headers, rows)


# --- command line ---------------------------------------------------------------------------

def _child_main(args: argparse.Namespace) -> int:
    if args.child == "generate":
        from seci.synthetic import write_dataset

        write_dataset(generator_config(args.calls), Path(args.dir))
        return 0
    if args.child == "direct":
        payload = _child_direct(args.url)
    else:
        payload = _child_evaluate(args.url, Path(args.truth))
    Path(args.child_out).write_text(json.dumps(payload, ensure_ascii=False, default=str))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both", "all"),
                        default="sqlite")
    parser.add_argument("--calls", type=int, default=DEFAULT_CALLS)
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_CALLS:,} calls (below one shard: the job runs unsharded)")
    parser.add_argument("--workers", default="1,2",
                        help="worker processes of the job runs ('' for none)")
    parser.add_argument("--no-direct", action="store_true", help="skip the direct run")
    parser.add_argument("--no-evaluate", action="store_true",
                        help="skip the planted-effect evaluation of the direct run")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--data", type=Path, default=None, metavar="DIR",
                        help="generate into (or reuse the data in) DIR")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--json-out", default=None)
    parser.add_argument("--child", choices=("generate", "direct", "evaluate"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    parser.add_argument("--truth", help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child_main(args)
    if args.quick:
        args.calls = QUICK_CALLS
    workers = [int(w) for w in args.workers.split(",") if w.strip()]
    redis_url: str | None = args.redis_url
    try:
        keys = _redis_keys(args.redis_url) if workers else 0
        if keys and not _redis_keys_are_rq(args.redis_url):
            raise RuntimeError(f"{args.redis_url} holds {keys} keys that are not rq's")
    except Exception as exc:  # no Redis: the job runs are reported as not run
        print(f"no job runs: {exc}", file=sys.stderr)
        redis_url = None
    load_before = load_average()
    kinds = ["sqlite", "postgres"] if args.db in ("both", "all") else [args.db]
    results: list[dict[str, Any]] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="seci_bench_mining_data_") as tmp:
        data = args.data or Path(tmp)
        data.mkdir(parents=True, exist_ok=True)
        info = generate(args.calls, data)
        for kind in kinds:
            results.append(run(kind, data=data, info=info, pg_url=args.pg_url,
                               workers=workers, redis_url=redis_url,
                               evaluate=not args.no_evaluate, keep=args.keep,
                               direct=not args.no_direct))
    payload = {
        "benchmark": "mining", "calls": args.calls, "rows": info["rows"], "seed": SEED,
        "weeks": WEEKS, "file_mb": info["bytes"] / 1_048_576,
        "generate_s": info.get("generate_s"), "workers": workers,
        "redis": redis_url is not None, "target_s": TARGET_SECONDS,
        "target_rss_mb": TARGET_RSS_MB, "load_before": load_before,
        "postgres_settings": (bench_calls.postgres_settings(args.pg_url)
                              if "postgres" in kinds else None),
        "load_after": load_average(), "minutes": (time.perf_counter() - started) / 60,
        "results": results,
    }
    write_json(args.json_out, payload)
    print(end_to_end_table(results))
    print()
    print(phase_table(results))
    print()
    for line in scaling(results):
        print(line)
    evaluated = [r["evaluation"] for r in results if r.get("evaluation")]
    if evaluated:
        from benchmarks.eval_mining import miners_table, naive_table

        print(miners_table(evaluated))
        print()
        print(naive_table(evaluated))
    return 0 if all(v == "PASS" for v in verdicts(results)) else 1


def _redis_keys_are_rq(url: str) -> bool:
    from redis import Redis

    return all(key.startswith(b"rq:") for key in Redis.from_url(url).scan_iter())


if __name__ == "__main__":
    sys.exit(main())
