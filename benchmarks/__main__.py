"""Run every benchmark and append a dated results section to docs/benchmarks.md.

    .venv/bin/python -m benchmarks            # everything, ~15 minutes
    .venv/bin/python -m benchmarks --quick    # small sizes, to check the harness (~3 min)

Each benchmark runs as its own process (``benchmarks.bench_import``,
``benchmarks.bench_pages``) and hands its figures back as JSON.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import bench_import, bench_pages
from benchmarks.common import DB_CHOICES, DEFAULT_PG_URL, ROOT, machine_info, markdown_table

RESULTS = ROOT / "docs" / "benchmarks.md"
HEADER = """# Benchmarks

Performance figures for SECI, measured with `python -m benchmarks` (see
[benchmarks/README.md](../benchmarks/README.md) for what each benchmark does). Every run
appends a dated section below; older sections are kept for comparison. Figures depend on
the machine and on what else ran on it at the time (see the CPU "other" columns).
"""


def _run(module: str, args: list[str], out: Path) -> tuple[dict[str, Any] | None, int]:
    command = [sys.executable, "-m", module, *args, "--json-out", str(out)]
    print(f"== {' '.join(command[1:])}", file=sys.stderr, flush=True)
    returncode = subprocess.run(command, cwd=ROOT, check=False).returncode
    if not out.exists():
        return None, returncode
    data: dict[str, Any] = json.loads(out.read_text())
    return data, returncode


def _import_section(data: dict[str, Any] | None) -> list[str]:
    if data is None:
        return ["### Import", "", "The import benchmark failed; see the console output.", ""]
    results = data["results"]
    verdicts = [bench_import.verdict(r["rows_per_s"]) for r in results]
    return [
        f"### Import of {data['rows']:,} articles — target ≥ "
        f"{data['target_rows_per_s']:,.0f} rows/s: "
        f"{'PASS' if all(v == 'PASS' for v in verdicts) else 'FAIL'} "
        f"({verdicts.count('PASS')} of {len(verdicts)} runs pass)",
        "",
        f"Synthetic Chinese articles (seed {data['seed']}); `initial` = empty knowledge base, "
        f"every row created and published; `reimport` = the same file with "
        f"{data['change_fraction']:.0%} of the rows changed (new versions), the rest "
        f"unchanged. Rows/s = rows ÷ (`import_articles` + commit). Median of "
        f"{data['repeat']} fresh repetition(s). CPU in cores: this process / its database "
        f"backend / everything else on the machine. Load average before: "
        f"{data['load_before']}, after: {data['load_after']}.",
        "",
        bench_import.table(results),
        "",
    ]


def _pages_section(data: dict[str, Any] | None) -> list[str]:
    if data is None:
        return ["### Pages", "", "The pages benchmark failed; see the console output.", ""]
    results = data["results"]
    ok = [bench_pages.passed(r) for r in results]
    prepared = "; ".join(
        f"{p['db']}: {p.get('articles', '?'):,} articles, "
        f"{p.get('visible_to_agent', '?')} visible to the agent, {p.get('modules', '?')} modules"
        for p in data["prepared"]
    )
    return [
        f"### Article page and KB browsing, {data['clients']} concurrent clients — "
        f"{'PASS' if all(ok) else 'FAIL'} ({ok.count(True)} of {len(ok)} runs without "
        "failed requests)",
        "",
        f"`{data.get('app', bench_pages.DEFAULT_APP)}` under uvicorn (separate process), "
        f"logged in as `agent`; wrk with {data['clients']} keep-alive connections, "
        f"{data['duration']:.0f} s per page after {data['warmup']:.0f} s warm-up. "
        f"Databases: {prepared}. The issue sets no latency figure; a run passes when every "
        "request is answered with 200 (no server errors, no stall); latency is reported, not "
        "judged. \"Stalled\": not one request completed in the window. Server-side failures "
        "are counted from the server log (exception that ended each failed request, also "
        "those that failed after wrk stopped). "
        "CPU in cores: uvicorn (all workers) / PostgreSQL backends / wrk / everything else. "
        f"Load average before: {data['load_before']}, after: {data['load_after']}.",
        "",
        bench_pages.table(results),
        "",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--db", choices=DB_CHOICES, default="all")
    parser.add_argument("--rows", type=int, default=10_000, help="articles per import")
    parser.add_argument("--repeat", type=int, default=2, help="import repetitions (median)")
    parser.add_argument("--page-rows", type=int, default=2000,
                        help="synthetic articles on top of the demo for the page benchmark")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per page")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before each page")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--only", choices=("import", "pages"), default=None)
    parser.add_argument("--quick", action="store_true",
                        help="1,000 rows, 5 s per page: checks the harness, not the targets")
    parser.add_argument("--no-write", action="store_true",
                        help=f"print the section instead of appending it to {RESULTS.name}")
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.repeat, args.page_rows, args.duration = 1000, 1, 300, 5.0

    started = time.monotonic()
    stamp = datetime.now(UTC)
    machine = machine_info(args.pg_url)  # before the run: the commit that was measured
    common = ["--db", args.db, "--pg-url", args.pg_url]
    codes: list[int] = []
    with tempfile.TemporaryDirectory(prefix="seci_bench_") as tmp:
        imported = pages = None
        if args.only in (None, "import"):
            imported, code = _run("benchmarks.bench_import",
                                  [*common, "--rows", str(args.rows),
                                   "--repeat", str(args.repeat)], Path(tmp) / "import.json")
            codes.append(code)
        if args.only in (None, "pages"):
            pages, code = _run("benchmarks.bench_pages",
                               [*common, "--rows", str(args.page_rows),
                                "--duration", str(args.duration), "--warmup", str(args.warmup),
                                "--clients", str(args.clients), "--workers", args.workers],
                               Path(tmp) / "pages.json")
            codes.append(code)

    command_args = argv if argv is not None else sys.argv[1:]
    lines = [
        f"## {stamp:%Y-%m-%d %H:%M} UTC{' (quick run: harness check only)' if args.quick else ''}",
        "",
        f"Command: `{' '.join(['python -m benchmarks', *command_args])}` — took "
        f"{(time.monotonic() - started) / 60:.1f} min.",
        "",
        markdown_table(("Machine", ""), list(machine.items())),
        "",
    ]
    if args.only in (None, "import"):
        lines += _import_section(imported)
    if args.only in (None, "pages"):
        lines += _pages_section(pages)
    section = "\n".join(lines).rstrip() + "\n"
    if args.no_write:
        print(section)
    else:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        existing = RESULTS.read_text() if RESULTS.exists() else HEADER
        RESULTS.write_text(existing.rstrip() + "\n\n" + section)
        print(section)
        print(f"appended to {RESULTS}", file=sys.stderr)
    return 0 if all(code == 0 for code in codes) else 1


if __name__ == "__main__":
    sys.exit(main())
