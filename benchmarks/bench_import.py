"""Import throughput: 10,000 synthetic articles from xlsx and JSONL, then a re-import.

For each database (SQLite, PostgreSQL), format and repetition a fresh, migrated database
is created. Timed per run, each in its own transaction:

* ``parse``: ``read_rows`` only (decoding the file into raw rows);
* ``dry run``: ``import_articles(dry_run=True)`` = parse + validate + plan, rolled back;
* ``import``: ``import_articles`` + ``commit`` — the figure the 2,000 rows/s target is for.

``zip`` is a knowledge package: the JSONL with one image in every tenth article's body
(``IMAGE_EVERY``; distinct PNGs of ``IMAGE_BYTES``), kept in a temporary attachment store;
its re-import finds every image kept already (same name and bytes) and keeps none again.
After its first import the articles are exported again as a package into a temporary
file (``export_articles_to``): seconds, size, and the peak of Python's heap while
exporting (traced with ``tracemalloc``, in a second export).

The first run creates every article (each published as version 1); the re-import sends
the same rows with a fraction (default 10 %) changed, which publishes new versions of
those and leaves the rest unchanged. With ``--repeat N`` every figure is the median of N
fresh repetitions (the machine may be shared; CPU used by other processes is reported).

    .venv/bin/python -m benchmarks.bench_import --db sqlite --rows 10000
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from benchmarks.common import (
    DB_CHOICES,
    DEFAULT_PG_URL,
    CpuMeter,
    bench_database,
    databases,
    load_average,
    markdown_table,
    write_json,
)
from benchmarks.data import change_some, make_articles

TARGET_ROWS_PER_S = 2000.0
FORMATS = ("xlsx", "jsonl", "zip")
# The knowledge package's images: one in every tenth article, 50 KB each (a screenshot).
IMAGE_EVERY = 10
IMAGE_BYTES = 50 * 1024
_PNG_HEADER = bytes.fromhex("89504e470d0a1a0a0000000d49484452")  # what the type check reads
RUNS = ("initial", "reimport")


def _prepare(engine: Engine) -> int:
    """Queues and an importing manager; returns the manager's id."""
    from seci.accounts import service as accounts
    from seci.accounts.roles import Role

    with Session(engine) as session:
        accounts.seed_queues(session)
        user = accounts.create_user(session, username="bench", password="measure-only-secret-1",
                                    display_name="基准测试", roles=(Role.MANAGER,),
                                    all_modules=True)
        session.commit()
        return user.id


def _backend_pids(session: Session) -> list[int]:
    if session.get_bind().dialect.name != "postgresql":
        return []
    return [int(session.connection().execute(text("SELECT pg_backend_pid()")).scalar_one())]


def _timed_run(engine: Engine, actor_id: int, *, data: bytes, fmt: str, label: str,
               profile_dir: Path | None, dry_run: bool = True) -> dict[str, Any]:
    from seci.accounts.models import User
    from seci.knowledge.importing import import_articles

    filename = f"bench.{fmt}"
    started = time.perf_counter()
    raw = _parse(data, fmt)
    parse_s = time.perf_counter() - started

    dry_s = float("nan")
    if dry_run:
        with Session(engine) as session:
            actor = session.get(User, actor_id)
            assert actor is not None
            started = time.perf_counter()
            dry = import_articles(session, data=data, filename=filename, actor=actor,
                                  max_bytes=len(data) + 1, dry_run=True)
            dry_s = time.perf_counter() - started
            session.rollback()
        assert dry.ok, dry.errors[:5]

    profiler = cProfile.Profile() if profile_dir else None
    with Session(engine) as session:
        actor = session.get(User, actor_id)
        assert actor is not None
        backend = _backend_pids(session)
        meter = CpuMeter({"bench": lambda: [os.getpid()], "db": lambda: backend})
        meter.start()
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        report = import_articles(session, data=data, filename=filename, actor=actor,
                                 max_bytes=len(data) + 1)
        imported = time.perf_counter()
        session.commit()
        done = time.perf_counter()
        if profiler:
            profiler.disable()
        cpu = meter.stop()
    if profiler and profile_dir:
        profile_dir.mkdir(parents=True, exist_ok=True)
        target = profile_dir / f"import_{engine.dialect.name}_{fmt}_{label}.prof"
        profiler.dump_stats(target)
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(25)
        print(f"--- cProfile {target.name} (top 25 cumulative)\n{stream.getvalue()}",
              file=sys.stderr)
    total = done - started
    return {
        "format": fmt, "run": label, "rows": len(raw), "file_bytes": len(data),
        "created": len(report.created), "updated": len(report.updated),
        "unchanged": len(report.unchanged), "parse_s": parse_s, "dry_run_s": dry_s,
        "import_s": imported - started, "commit_s": done - imported, "total_s": total,
        "rows_per_s": len(raw) / total if total else 0.0, "profiled": profiler is not None,
        **cpu,
    }


def _parse(data: bytes, fmt: str) -> list[Any]:
    """Decoding the file into raw rows (a package: unpacking it too)."""
    from seci.knowledge.package import is_package, read_package
    from seci.knowledge.tabular import FileFormat, read_rows

    if is_package("", fmt):
        return read_rows(read_package(data).articles, FileFormat.JSONL)
    return read_rows(data, FileFormat(fmt))


def _with_images(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every IMAGE_EVERY-th article's body shows an image, referred to by its file's id."""
    return [record | {"body": f"{record['body']}\n\n![截图{n}](/kb/attachments/{n})"}
            if n % IMAGE_EVERY == 0 else record for n, record in enumerate(records, 1)]


def file_bytes(records: list[dict[str, Any]], fmt: str, seed: int) -> bytes:
    """The import file: a spreadsheet, JSONL, or a package with the images its rows use."""
    from seci.knowledge.package import PackedFile, is_package, write_package
    from seci.knowledge.tabular import FileFormat, write_jsonl, write_records

    if not is_package("", fmt):
        return write_records(records, FileFormat(fmt))
    rng = random.Random(seed)
    images = [PackedFile(n, f"截图{n}.png", "image/png",
                         _PNG_HEADER + rng.randbytes(IMAGE_BYTES - len(_PNG_HEADER)))
              for n in range(IMAGE_EVERY, len(records) + 1, IMAGE_EVERY)]
    return write_package(write_jsonl(_with_images(records)), images)


def _one_repetition(kind: str, fmt: str, *, first: bytes, second: bytes | None, rows: int,
                    changed_count: int, pg_url: str, profile_dir: Path | None,
                    dry_run: bool) -> list[dict[str, Any]]:
    from seci.core.db import build_engine
    from seci.core.migrate import upgrade
    from seci.knowledge.models import ArticleVersion
    from seci.knowledge.package import is_package

    with bench_database(kind, pg_url=pg_url) as db:
        upgrade(db.url)
        engine = build_engine(db.url)
        try:
            actor_id = _prepare(engine)
            done = [_timed_run(engine, actor_id, data=first, fmt=fmt, label="initial",
                               profile_dir=profile_dir, dry_run=dry_run)]
            assert done[0]["created"] == rows, done[0]
            if second is not None:
                again = _timed_run(engine, actor_id, data=second, fmt=fmt, label="reimport",
                                   profile_dir=profile_dir, dry_run=dry_run)
                assert again["updated"] == changed_count, again
                assert again["unchanged"] == rows - changed_count, again
                done.append(again)
            with Session(engine) as session:
                versions = session.scalar(select(func.count()).select_from(ArticleVersion))
            assert versions == rows + (changed_count if second is not None else 0), versions
            if is_package("", fmt):
                done[0].update(measure_package_export(engine, actor_id))
        finally:
            engine.dispose()
    return done


def measure_package_export(engine: Engine, actor_id: int) -> dict[str, Any]:
    """The imported articles exported again as a package into a temporary file: seconds
    (untraced), then the peak of Python's heap during a second, traced export (the
    attachments are copied from the store in chunks, never all held)."""
    from seci.accounts.models import User
    from seci.knowledge.exporting import ExportFormat, export_articles_to

    def export_once() -> int:
        with Session(engine) as session, tempfile.TemporaryFile() as out:
            actor = session.get(User, actor_id)
            assert actor is not None
            export_articles_to(session, actor=actor, fmt=ExportFormat.ZIP, out=out)
            session.rollback()  # its audit entry: the import's figures stay as they were
            return out.tell()

    started = time.perf_counter()
    size = export_once()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    try:
        export_once()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return {"export_s": seconds, "export_bytes": size, "export_peak_bytes": peak}


def _median_of(reps: list[dict[str, Any]]) -> dict[str, Any]:
    """One result from several repetitions: medians of the timings, spread of rows/s."""
    merged = dict(reps[len(reps) // 2])
    for key, value in reps[0].items():
        if isinstance(value, float):
            merged[key] = statistics.median(r[key] for r in reps)
    merged["rows_per_s"] = merged["rows"] / merged["total_s"] if merged["total_s"] else 0.0
    merged["rows_per_s_min"] = min(r["rows_per_s"] for r in reps)
    merged["rows_per_s_max"] = max(r["rows_per_s"] for r in reps)
    merged["repeat"] = len(reps)
    return merged


def run(kind: str, *, rows: int, formats: list[str], change_fraction: float, seed: int,
        pg_url: str, profile_dir: Path | None = None, reimport: bool = True,
        dry_run: bool = True, repeat: int = 1) -> list[dict[str, Any]]:
    records = make_articles(rows, seed=seed)
    changed, changed_count = change_some(records, fraction=change_fraction, seed=seed + 1)
    results: list[dict[str, Any]] = []
    for fmt in formats:
        first = file_bytes(records, fmt, seed)
        second = file_bytes(changed, fmt, seed) if reimport else None
        by_run: dict[str, list[dict[str, Any]]] = {}
        for _ in range(repeat):
            for result in _one_repetition(kind, fmt, first=first, second=second, rows=rows,
                                          changed_count=changed_count, pg_url=pg_url,
                                          profile_dir=profile_dir, dry_run=dry_run):
                result["db"] = kind
                _print_row(result)
                by_run.setdefault(result["run"], []).append(result)
        results += [_median_of(reps) for reps in by_run.values()]
    return results


def _seconds(value: float) -> str:
    return "–" if value != value else f"{value:.2f}"  # NaN: not measured


def _print_row(result: dict[str, Any]) -> None:
    print(f"{result['db']:8} {result['format']:5} {result['run']:8} rows={result['rows']} "
          f"parse={result['parse_s']:.2f}s dry-run={_seconds(result['dry_run_s'])}s "
          f"import+commit={result['total_s']:.2f}s -> {result['rows_per_s']:.0f} rows/s "
          f"(other load {result['other_cores']:.2f} cores)", file=sys.stderr, flush=True)


def verdict(result: dict[str, Any]) -> str:
    """The rows/s target is for rows; a package's figure is mostly its images being checked
    and written (one per IMAGE_EVERY rows), so it is reported, not judged."""
    if result["format"] == "zip":
        return "–"
    return "PASS" if result["rows_per_s"] >= TARGET_ROWS_PER_S else "FAIL"


def export_lines(results: list[dict[str, Any]]) -> list[str]:
    """The package exports measured after the zip imports (reported, not judged)."""
    lines = [
        f"- {r['db']}: the {r['rows']:,} articles exported again as a package "
        f"(`seci kb export x.zip`'s path, into a temporary file): {r['export_s']:.2f} s, "
        f"{r['export_bytes'] / 1_048_576:.1f} MB with {r['rows'] // IMAGE_EVERY:,} images "
        f"({r['rows'] // IMAGE_EVERY * IMAGE_BYTES / 1_048_576:.0f} MB); peak of Python's "
        f"heap while exporting (traced): {r['export_peak_bytes'] / 1_048_576:.1f} MiB"
        for r in results if r.get("run") == "initial" and "export_s" in r]
    return [*lines, ""] if lines else []


def table(results: list[dict[str, Any]]) -> str:
    headers = ("Database", "Format", "Run", "Rows", "Created / updated / unchanged",
               "File MB", "Parse s", "Parse+validate (dry run) s", "Import+commit s",
               "of which commit s", "Rows/s (median)", "Rows/s min–max", "CPU bench/DB/other",
               "Target", "Result")
    rows = [
        (r["db"], r["format"], r["run"], f"{r['rows']:,}",
         f"{r['created']:,} / {r['updated']:,} / {r['unchanged']:,}",
         f"{r['file_bytes'] / 1_048_576:.1f}", f"{r['parse_s']:.2f}", _seconds(r["dry_run_s"]),
         f"{r['total_s']:.2f}", f"{r['commit_s']:.2f}", f"{r['rows_per_s']:,.0f}",
         f"{r['rows_per_s_min']:,.0f}–{r['rows_per_s_max']:,.0f} (n={r['repeat']})",
         f"{r['bench_cores']:.2f} / {r['db_cores']:.2f} / {r['other_cores']:.2f}",
         f"≥ {TARGET_ROWS_PER_S:,.0f}",
         verdict(r) + (" (profiled)" if r.get("profiled") else ""))
        for r in results
    ]
    return markdown_table(headers, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--db", choices=DB_CHOICES, default="all")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--formats", default=",".join(FORMATS),
                        help="comma-separated: xlsx,jsonl,csv,zip")
    parser.add_argument("--repeat", type=int, default=1,
                        help="fresh repetitions per format; figures are medians")
    parser.add_argument("--change-fraction", type=float, default=0.10,
                        help="share of rows changed for the re-import")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL,
                        help="PostgreSQL server/database to create the bench database from")
    parser.add_argument("--no-reimport", action="store_true", help="initial import only")
    parser.add_argument("--no-dry-run", action="store_true",
                        help="skip the parse+validate (dry run) timing")
    parser.add_argument("--profile", type=Path, default=None, metavar="DIR",
                        help="run the timed imports under cProfile, write .prof files here")
    parser.add_argument("--json-out", default=None, help="write results as JSON here")
    args = parser.parse_args(argv)

    load_before = load_average()
    results: list[dict[str, Any]] = []
    # A package's images go to a store of their own, never the configured one.
    store = tempfile.TemporaryDirectory(prefix="seci_bench_attachments_")
    from seci.core.config import get_settings

    get_settings().attachment_dir = Path(store.name)
    for kind in databases(args.db):
        results += run(kind, rows=args.rows, formats=args.formats.split(","),
                       change_fraction=args.change_fraction, seed=args.seed,
                       pg_url=args.pg_url, profile_dir=args.profile,
                       reimport=not args.no_reimport, dry_run=not args.no_dry_run,
                       repeat=max(1, args.repeat))
    write_json(args.json_out, {
        "benchmark": "import", "target_rows_per_s": TARGET_ROWS_PER_S, "rows": args.rows,
        "change_fraction": args.change_fraction, "seed": args.seed, "repeat": args.repeat,
        "load_before": load_before, "load_after": load_average(), "results": results,
    })
    print(table(results))
    return 0 if all(verdict(r) != "FAIL" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
