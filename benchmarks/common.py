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
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, capture_output=True, text=True, check=True).stdout
        return f"{head}{' + uncommitted changes' if dirty.strip() else ''}"
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
