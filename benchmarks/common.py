"""Shared helpers: throw-away databases, machine description, Markdown tables."""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG_URL = os.environ.get(
    "SECI_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
DB_CHOICES = ("sqlite", "postgres", "all")


def databases(choice: str) -> list[str]:
    return ["sqlite", "postgres"] if choice == "all" else [choice]


@dataclass(frozen=True)
class BenchDatabase:
    kind: str  # sqlite | postgres
    url: str
    data_dir: Path  # SECI_DATA_DIR for a server using this database


@contextmanager
def bench_database(kind: str, *, pg_url: str = DEFAULT_PG_URL,
                   keep: bool = False) -> Iterator[BenchDatabase]:
    """A fresh, empty database (SQLite file or PostgreSQL database), removed afterwards."""
    data_dir = Path(tempfile.mkdtemp(prefix="seci_bench_"))
    if kind == "sqlite":
        try:
            yield BenchDatabase(kind, f"sqlite:///{data_dir / 'seci.db'}", data_dir)
        finally:
            if not keep:
                shutil.rmtree(data_dir, ignore_errors=True)
        return
    name = f"seci_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield BenchDatabase(kind, url, data_dir)
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = :n"), {"n": name})
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            shutil.rmtree(data_dir, ignore_errors=True)
        admin.dispose()


def postgres_version(pg_url: str = DEFAULT_PG_URL) -> str:
    try:
        engine = create_engine(pg_url)
        with engine.connect() as conn:
            version = str(conn.scalar(text("SHOW server_version")))
            buffers = str(conn.scalar(text("SHOW shared_buffers")))
        engine.dispose()
        return f"{version} (shared_buffers {buffers})"
    except Exception as exc:  # shown as-is in the machine description
        return f"unreachable ({type(exc).__name__})"


def redis_version(url: str = "redis://127.0.0.1:6379/0") -> str:
    try:
        import redis

        info: dict[str, Any] = redis.Redis.from_url(  # the synchronous client
            url, socket_connect_timeout=2).info("server")  # type: ignore[assignment]
        return str(info.get("redis_version", "unknown"))
    except Exception as exc:  # shown as-is in the machine description
        return f"unreachable ({type(exc).__name__})"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return f"{line.split('=', 1)[1].strip(chr(34))}, kernel {platform.release()}"
    except OSError:
        pass
    return platform.platform()


def _tool_version(command: Sequence[str]) -> str:
    if shutil.which(command[0]) is None:
        return "not installed"
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    first = (result.stdout or result.stderr).strip().splitlines()
    return first[0] if first else "unknown"


def _git_commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout
        return f"{head}{' + uncommitted changes in src/' if dirty.strip() else ''}"
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine_info(pg_url: str = DEFAULT_PG_URL) -> dict[str, str]:
    from importlib.metadata import version

    wrk = _tool_version(["wrk", "--version"])
    match = re.search(r"wrk (\S+)", wrk)
    return {
        "CPU": _cpu_model(),
        "Cores": str(os.cpu_count() or "?"),
        "RAM": f"{_ram_gib():.1f} GiB",
        "OS": _os_name(),
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "PostgreSQL": postgres_version(pg_url),
        "SQLAlchemy": version("sqlalchemy"),
        "psycopg": version("psycopg"),
        "uvicorn": version("uvicorn"),
        "httpx": version("httpx"),
        "Redis": redis_version(),
        "openpyxl": version("openpyxl"),
        "wrk": match.group(1) if match else wrk,
        "Commit": _git_commit(),
    }


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    def cell(value: Any) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def write_json(path: str | None, payload: dict[str, Any]) -> None:
    if path:
        Path(path).write_text(json.dumps(payload, ensure_ascii=False, indent=2))


# --- CPU accounting (Linux /proc): who used the cores during a measurement ------------------

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _system_busy_seconds() -> float:
    """CPU-seconds all cores spent busy since boot (user+nice+system+irq+softirq+steal)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0
    values = [int(v) for v in fields[:8]] + [0] * (8 - len(fields[:8]))
    user, nice, system, _idle, _iowait, irq, softirq, steal = values
    return (user + nice + system + irq + softirq + steal) / _CLOCK_TICKS


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rfind(")") + 2:].split()  # fields from "state" on (comm may hold spaces)


def pid_cpu_seconds(pid: int) -> float:
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime + stime


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


class CpuMeter:
    """Cores used during a measurement: by named process groups, and by everything else.

    ``groups`` maps a label to a callable returning the pids to account to it (called at
    start and at stop, so processes that appear meanwhile are counted from stop only).
    """

    def __init__(self, groups: dict[str, Any]) -> None:
        self.groups = groups
        self._start: dict[str, dict[int, float]] = {}
        self._busy = 0.0
        self._wall = 0.0

    def _sample(self) -> dict[str, dict[int, float]]:
        return {name: {pid: pid_cpu_seconds(pid) for pid in pids()}
                for name, pids in self.groups.items()}

    def start(self) -> None:
        import time

        self._start = self._sample()
        self._busy = _system_busy_seconds()
        self._wall = time.perf_counter()

    def stop(self) -> dict[str, float]:
        import time

        wall = time.perf_counter() - self._wall
        busy = _system_busy_seconds() - self._busy
        end = self._sample()
        result: dict[str, float] = {}
        accounted = 0.0
        for name, pids in end.items():
            used = sum(cpu - self._start.get(name, {}).get(pid, 0.0) for pid, cpu in pids.items())
            result[f"{name}_cores"] = used / wall if wall else 0.0
            accounted += used
        result["other_cores"] = max(0.0, busy - accounted) / wall if wall else 0.0
        result["busy_cores"] = busy / wall if wall else 0.0
        return result


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"
