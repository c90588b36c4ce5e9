"""Run every benchmark and append a dated results section to docs/benchmarks.md.

    .venv/bin/python -m benchmarks            # everything, ~55 minutes + mining
    .venv/bin/python -m benchmarks --quick    # small sizes, to check the harness (~10 min)
    .venv/bin/python -m benchmarks --only search          # search quality, blind, speed, ~35 min
    .venv/bin/python -m benchmarks --only search-blind    # dev vs blind set, full vs cut KB, ~5 min
    .venv/bin/python -m benchmarks --only assistant       # 200 concurrent chats, ~3 min
    .venv/bin/python -m benchmarks --only calls           # 1M call records, ~15 min
    .venv/bin/python -m benchmarks --only mining          # mining 1M calls, SQLite, ~70 min
    .venv/bin/python -m benchmarks --only load            # a shift under load, ~20 min
    .venv/bin/python -m benchmarks --only items           # item analysis 1,000 × 100, seconds
    .venv/bin/python -m benchmarks --only competency      # a round of 2,000 agents, < 1 min

Each benchmark runs as its own process (``benchmarks.bench_import``,
``benchmarks.bench_pages``, ``benchmarks.bench_search_quality``,
``benchmarks.bench_search_speed``, ``benchmarks.bench_search_blind``,
``benchmarks.bench_assistant``,
``benchmarks.bench_calls``, ``benchmarks.bench_mining``) and hands its figures back as
JSON.
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

from benchmarks import (
    bench_assistant,
    bench_calls,
    bench_competency,
    bench_import,
    bench_items,
    bench_load,
    bench_mining,
    bench_pages,
    bench_search_blind,
    bench_search_quality,
    bench_search_speed,
)
from benchmarks.common import DB_CHOICES, DEFAULT_PG_URL, ROOT, machine_info, markdown_table

RESULTS = ROOT / "docs" / "benchmarks.md"
ONLY = ("import", "pages", "search-quality", "search-blind", "search-speed", "search",
        "assistant", "calls", "mining", "load", "items", "competency")
SEARCH_LIBRARIES = ("tantivy", "rjieba", "pypinyin", "scikit-learn", "numpy", "scipy")
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
    verdicts = [v for v in (bench_import.verdict(r) for r in results) if v != "–"]
    return [
        f"### Import of {data['rows']:,} articles — target ≥ "
        f"{data['target_rows_per_s']:,.0f} rows/s: "
        f"{'PASS' if all(v == 'PASS' for v in verdicts) else 'FAIL'} "
        f"({verdicts.count('PASS')} of {len(verdicts)} judged runs pass)",
        "",
        f"Synthetic Chinese articles (seed {data['seed']}); `initial` = empty knowledge base, "
        f"every row created and published; `reimport` = the same file with "
        f"{data['change_fraction']:.0%} of the rows changed (new versions), the rest "
        f"unchanged. `zip` = a knowledge package: the JSONL with a 50 KB image in every "
        f"tenth article, each checked and kept (the re-import finds them kept); reported, "
        f"not judged. Rows/s = rows ÷ (`import_articles` + commit). Median of "
        f"{data['repeat']} fresh repetition(s). CPU in cores: this process / its database "
        f"backend / everything else on the machine. Load average before: "
        f"{data['load_before']}, after: {data['load_after']}.",
        "",
        bench_import.table(results),
        "",
        *bench_import.export_lines(results),
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


def _wanted(only: str | None, name: str) -> bool:
    return only is None or only == name or (only == "search" and name.startswith("search-"))


def _library_versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in SEARCH_LIBRARIES:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} not installed")
    return ", ".join(found)


def _budget(seconds: float | None) -> str:
    return "without a time limit" if not seconds else f"limited to {seconds:.0f} s"


def _search_quality_section(data: dict[str, Any] | None) -> list[str]:
    if data is None:
        return ["### Search quality", "",
                "The search quality benchmark failed; see the console output.", ""]
    results = data["results"]
    judged = [r for r in results if bench_search_quality.verdict(r) != "–"]
    verdict = ("no BANKING77 default-ranker run" if not judged else
               "PASS" if all(bench_search_quality.verdict(r) == "PASS" for r in judged)
               else "FAIL")
    constructions = " ".join(f"**{name}**: {text}" for name, text in
                             data["constructions"].items())
    sample = (f" At most {data['max_queries']:,} queries per data set (fixed random sample)."
              if data.get("max_queries") else "")
    return [
        f"### Search quality ({data['split']} split) — BANKING77 default ranker recall@1 ≥ "
        f"{data['target_recall_at_1']:.2f}: {verdict}",
        "",
        "Each knowledge base is imported as JSONL through the knowledge service into a "
        "throw-away SQLite store and searched through `seci.retrieval.service.search` as a "
        "manager of all queues, exactly as `seci eval retrieval` does "
        "(`seci.retrieval.evaluation.EvalStore`). *Default* = the `SearchEngine` as shipped "
        "(tantivy BM25F fused with the learned matcher and whatever else is configured); "
        "*BM25 alone* = the same engine with its matcher never trained, i.e. SECI's lexical "
        "index (`LexicalIndex`, BM25F over SECI's tokens with its field boosts). "
        f"Data read from `{data['data']}` (not copied). {constructions}{sample} "
        "Build = import + first index, and for the default ranker also the matcher's "
        "training and the calibration on the imported KB, which `EvalStore.build` does as "
        "a deployment does after a change (then the training column shows only what was "
        "left to train); query times include the whole service call; the "
        f"default ranker's matcher training {_budget(data.get('train_budget_s'))} (in a "
        "thread, as a server's background sync; a ranker whose training overruns is "
        "reported unfinished). Peak RSS = the ranker's own process.",
        "",
        bench_search_quality.table(results),
        "",
        "Per style (CrossWOZ: domain of the expected entity):",
        "",
        bench_search_quality.style_table(results),
        "",
    ]


def _search_speed_section(data: dict[str, Any] | None) -> list[str]:
    if data is None:
        return ["### Search speed", "",
                "The search speed benchmark failed; see the console output.", ""]
    results = data["results"]
    build_ok = all(bench_search_speed.build_verdict(r) == "PASS" for r in results)
    judged = [bench_search_speed.latency_verdict(r) for r in results
              if bench_search_speed.latency_verdict(r) != "–"]
    latency = ("not measured at " f"{data['target_size']:,}" if not judged
               else "PASS" if all(v == "PASS" for v in judged) else "FAIL")
    sizes = ", ".join(f"{s:,}" for s in data["sizes"])
    return [
        f"### Search speed at {sizes} articles — first build ≥ "
        f"{data['target_build_per_s']:,.0f} articles/s: {'PASS' if build_ok else 'FAIL'}; "
        f"lexical search p95 < {data['target_lexical_p95_ms']:.0f} ms at "
        f"{data['target_size']:,}: {latency}",
        "",
        f"Synthetic Chinese articles (`benchmarks/data.py`, seed {data['seed']}) imported "
        f"through the knowledge service into a fresh {data['db']} database (chunks of "
        f"{bench_search_speed.CHUNK:,} rows; not timed as search). Then a new process does "
        "what a server does: *first build* = `SearchEngine.sync()` from the database "
        "(segmenting every live version, writing the token cache, filling tantivy); lexical "
        "queries while the matcher is untrained; *restart build* = a new engine synced from "
        "the token cache; `train_matcher()` (a server runs it in the background; "
        f"{_budget(data['train_budget_s'])}, else the default ranker is not measured); "
        "default-ranker queries. Queries: a seeded mix of perturbed similar questions, "
        "keyword queries, titles, long statements and article codes; `engine.rank` alone "
        "and `seci.retrieval.service.search` as an agent of queues A and B (one session per "
        f"query, filters, snippets, highlights); at most {data['queries']} queries or "
        f"{data['budget_s']:.0f} s per measurement (n = queries measured), one at a time. "
        "RSS = resident memory of the measuring process. Libraries: "
        f"{_library_versions()}. Load average before: {data['load_before']}, after: "
        f"{data['load_after']}.",
        "",
        bench_search_speed.build_table(results),
        "",
        bench_search_speed.latency_table(results),
        "",
        "p95 per query kind (`service.search`), lexical / default ms:",
        "",
        bench_search_speed.kind_table(results),
        "",
        data["flatness"],
        "",
    ]


def _assistant_section(data: dict[str, Any] | None) -> list[str]:
    if data is None:
        return ["### Assistant", "", "The assistant benchmark failed; see the console output.",
                ""]
    results = data["results"]
    verdicts = [bench_assistant.verdict(r) for r in results]
    judged = [v for v in verdicts if v != "–"]
    overall = ("not run" if not judged else "PASS" if all(v == "PASS" for v in judged)
               else "FAIL")
    think = "–".join(f"{t:g}" for t in data["think_s"])
    return [
        f"### Assistant, {data['conversations']} concurrent customer conversations — reply "
        f"p95 < {data['target_p95_ms']:.0f} ms, nothing lost or duplicated: {overall} "
        f"({judged.count('PASS')} of {len(verdicts)} runs pass)",
        "",
        f"`seci.asgi:app` under uvicorn (separate process) on a fresh database with the demo "
        f"hotline; this process plays {data['conversations']} customers at once on loopback "
        "(httpx, asyncio), each with its event stream open: a routine question (dev-set "
        "paraphrase), a follow-up, `1` after choices or another question (15 % out of "
        f"scope), then thanks and the end of the chat, or — {data['handoff_share']:.0%} of "
        "them, and whoever the assistant handed over — 转人工: an agent of every queue "
        "polls the inbox, accepts, writes, closes after the customer's answer, the customer "
        f"rates. Customers start within {data['ramp_s']:g} s and pause {think} s between "
        "messages (seed "
        f"{data['seed']}). No generation. Reply latency = send → the assistant's last reply "
        "of the turn in the POST answer, and on the customer's stream; *agent → customer "
        "stream* = the agent's send → it arrived on the customer's stream. Afterwards every "
        "transcript is checked against what the POSTs acknowledged and what the stream "
        "delivered. A run passes when both p95 are under the target, every conversation "
        "finished, and nothing was lost, duplicated, missing on the stream or failed. CPU in "
        "cores: uvicorn (all workers) / PostgreSQL backends / this client / everything else "
        f"on the machine. Load average before: {data['load_before']}, after: "
        f"{data['load_after']}.",
        "",
        bench_assistant.table(results),
        "",
    ]


def _calls_section(data: dict[str, Any] | None) -> list[str]:
    if data is None:
        return ["### Call records", "",
                "The call-records benchmark failed; see the console output.", ""]
    results = data["results"]
    imports = [bench_calls.import_verdict(r["import"]) for r in results]
    slices = [bench_calls.slice_verdict(r) for r in results]
    targets = ", ".join(f"{db} < {p95:g} s" for db, p95 in data["target_slice_p95_s"].items())

    def verdict(found: list[str]) -> str:
        return "PASS" if found and all(v == "PASS" for v in found) else "FAIL"

    return [
        f"### Call records, {data['rows']:,} calls with transcripts — import ≥ "
        f"{data['target_calls_per_s']:,.0f} calls/s and peak RSS < "
        f"{data['target_rss_mb']:,.0f} MB: {verdict(imports)}; dashboard slice p95 "
        f"({targets}): {verdict(slices)}",
        "",
        f"Generated with `seci.synthetic` (seed {data['seed']}, {data['weeks']} whole weeks "
        f"ending last Sunday, four teams, transcripts; `calls.jsonl` of "
        f"{data['file_mb']:,.0f} MB; generation not timed). Per database a fresh migrated "
        "database (SQLite file, or a new PostgreSQL database) with the queues, an analyst "
        "and the roster; then `seci.calls.tasks.run_call_import` — the whole import as the "
        "CLI runs it: stream, check, mask, stage, merge, commit, topic thresholds — in a "
        "child process of its own, *initial* into the empty table and *re-import* of the "
        "same file (every call updated). Calls/s = calls ÷ the wall time of that call; "
        "peak RSS = the child's own high-water mark (`VmHWM`). Then a new child (as a "
        "server that starts) times each query in a session of its own, one at a time, "
        "after one untimed run (its time is *first*): the **slice** = "
        "`slice_counts(by=[\"week\", \"team\"])` over every call (one GROUP BY) followed "
        "by each team's p-chart of first-contact resolution — the realistic reading of "
        "\"one KPI by week × team with control limits\": one query feeds every team's "
        f"chart — {data['repeat']} times after the re-import and {data['repeat']} times "
        "between the two imports (after the re-import a PostgreSQL table holds a dead "
        "version of every row until it is vacuumed; the target must hold in both); for "
        "comparison the per-team reading (one "
        "`kpi_control_chart(filters={\"team\": t})` per team) and the other queries of "
        "`/calls/dashboard` over its default period (12 weeks) "
        f"{data['query_repeat']} times; the whole page `GET /calls/dashboard` through "
        "Starlette's `TestClient` (in process, logged in as the analyst: the page's own "
        f"work, no network or server loop) {data['page_repeat']} times. CPU in cores: the "
        "child / the database server's processes for this database / everything else on "
        f"the machine. PostgreSQL server: {data.get('postgres_settings') or '–'}. Load "
        f"average before: {data['load_before']}, after: {data['load_after']}.",
        "",
        bench_calls.import_table(results),
        "",
        bench_calls.query_table(results),
        "",
    ]


def _mining_section(data: dict[str, Any] | None) -> list[str]:
    if data is None:
        return ["### Mining", "", "The mining benchmark failed; see the console output.", ""]
    results = data["results"]
    verdicts = bench_mining.verdicts(results)
    overall = "PASS" if verdicts and all(v == "PASS" for v in verdicts) else "FAIL"
    workers = ", ".join(str(w) for w in data["workers"]) or "none"
    lines = [
        f"### Mining, {data['rows']:,} calls with transcripts — end to end < "
        f"{data['target_s'] / 60:.0f} min and peak RSS < {data['target_rss_mb']:,.0f} MB: "
        f"{overall} ({verdicts.count('PASS')} of {len(verdicts)} runs pass)",
        "",
        f"Generated with `seci.synthetic` and every mining effect planted (seed {data['seed']}, "
        f"{data['weeks']} whole weeks ending last Sunday; `calls.jsonl` of "
        f"{data['file_mb']:,.0f} MB; generation not timed), imported "
        "(`run_call_import`, not judged). Then, each from the imported state (no features): "
        "*direct* — one process runs `seci.mining.tasks.run_mining` as `seci calls mine` "
        "does (extract every call's features, load the period, every finder, the run "
        "stored), each step timed inside, peak RSS = the process's own `VmHWM`, reset "
        "between extraction and analysis; *jobs* — a `mining.run` job queued and announced "
        f"on Redis, run by {workers} `seci worker` process(es) (rq), which split the "
        "extraction into shards of 100,000 calls and share them; end to end = queued → "
        "finished in the jobs table, peak RSS = each worker's `VmHWM`. CPU in cores: the "
        "mining process(es) / the database server's processes for this database / "
        f"everything else on the machine. PostgreSQL server: "
        f"{data.get('postgres_settings') or '–'}. Load average before: {data['load_before']}, "
        f"after: {data['load_after']}.",
        "",
        bench_mining.end_to_end_table(results),
        "",
    ]
    if not data.get("redis"):
        lines += ["The job runs did not run: no Redis at the benchmark's `--redis-url`.", ""]
    lines += [f"Scaling: {line}" for line in bench_mining.scaling(results)]
    if bench_mining.scaling(results):
        lines.append("")
    if any(r.get("direct") for r in results):
        lines += ["Where the direct run's time goes:", "",
                  bench_mining.phase_table(results), ""]
    return lines


def _load_section(data: dict[str, Any] | None) -> list[str]:
    if data is None:
        return ["### Load", "", "The load benchmark failed; see the console output.", ""]
    return bench_load.section(data)


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
    parser.add_argument("--search-sizes", default="1000,10000,100000",
                        help="knowledge-base sizes of the search speed benchmark")
    parser.add_argument("--search-db", choices=("sqlite", "postgres"), default="sqlite",
                        help="database the search speed benchmark builds its index from")
    parser.add_argument("--search-split", choices=("test", "dev"), default="test",
                        help="search quality: test (report) or dev (tuning) split")
    parser.add_argument("--search-train-budget", type=float, default=None,
                        help="seconds matcher training may take in the search benchmarks "
                             "(0: no limit; default: each benchmark's own)")
    parser.add_argument("--data", type=Path, default=bench_search_quality.DEFAULT_DATA,
                        help="shared data sets for the search quality benchmark")
    parser.add_argument("--assistant-conversations", type=int, default=200,
                        help="concurrent customer conversations of the assistant benchmark")
    parser.add_argument("--redis-url", default=bench_assistant.DEFAULT_REDIS_URL,
                        help="Redis for the assistant benchmark's several-worker run")
    parser.add_argument("--calls", type=int, default=bench_calls.DEFAULT_CALLS,
                        help="call records of the call-records benchmark")
    parser.add_argument("--mining-calls", type=int, default=bench_mining.DEFAULT_CALLS,
                        help="calls of the mining benchmark")
    parser.add_argument("--mining-db", choices=("sqlite", "postgres", "both"),
                        default="sqlite", help="database(s) of the mining benchmark")
    parser.add_argument("--mining-data", type=Path, default=None, metavar="DIR",
                        help="generate the mining benchmark's calls into (or reuse them "
                             "from) DIR: 2.3 GB at a million calls")
    parser.add_argument("--only", choices=ONLY, default=None,
                        help="one benchmark; 'search' = search-quality, search-blind and "
                             "search-speed")
    parser.add_argument("--quick", action="store_true",
                        help="1,000 rows, 5 s per page, search at 1k and 10k articles and "
                             "600 queries per data set, 50 chats: checks the harness, not "
                             "the targets")
    parser.add_argument("--no-write", action="store_true",
                        help=f"print the section instead of appending it to {RESULTS.name}")
    args = parser.parse_args(argv)
    max_queries = None
    if args.quick:
        args.rows, args.repeat, args.page_rows, args.duration = 1000, 1, 300, 5.0
        args.search_sizes = ",".join(str(s) for s in bench_search_speed.QUICK_SIZES)
        max_queries = 600
        if args.search_train_budget is None:
            args.search_train_budget = 60.0
        args.assistant_conversations = 50
        args.calls = bench_calls.QUICK_CALLS
        args.mining_calls = bench_mining.QUICK_CALLS

    train_budget = ([] if args.search_train_budget is None
                    else ["--train-budget", str(args.search_train_budget)])
    started = time.monotonic()
    stamp = datetime.now(UTC)
    machine = machine_info(args.pg_url)  # before the run: the commit that was measured
    common = ["--db", args.db, "--pg-url", args.pg_url]
    codes: list[int] = []
    with tempfile.TemporaryDirectory(prefix="seci_bench_") as tmp:
        imported = pages = quality = speed = assistant = calls = mining = None
        if _wanted(args.only, "import"):
            imported, code = _run("benchmarks.bench_import",
                                  [*common, "--rows", str(args.rows),
                                   "--repeat", str(args.repeat)], Path(tmp) / "import.json")
            codes.append(code)
        if _wanted(args.only, "pages"):
            pages, code = _run("benchmarks.bench_pages",
                               [*common, "--rows", str(args.page_rows),
                                "--duration", str(args.duration), "--warmup", str(args.warmup),
                                "--clients", str(args.clients), "--workers", args.workers],
                               Path(tmp) / "pages.json")
            codes.append(code)
        if _wanted(args.only, "search-quality"):
            quality, code = _run("benchmarks.bench_search_quality",
                                 ["--split", args.search_split, "--data", str(args.data),
                                  *(["--max-queries", str(max_queries)] if max_queries else []),
                                  *train_budget],
                                 Path(tmp) / "search_quality.json")
            codes.append(code)
        blind = None
        if _wanted(args.only, "search-blind"):
            blind, code = _run("benchmarks.bench_search_blind", [],
                               Path(tmp) / "search_blind.json")
            codes.append(code)
        if _wanted(args.only, "search-speed"):
            speed, code = _run("benchmarks.bench_search_speed",
                               ["--sizes", args.search_sizes, "--db", args.search_db,
                                "--pg-url", args.pg_url, *train_budget],
                               Path(tmp) / "search_speed.json")
            codes.append(code)

        if _wanted(args.only, "assistant"):
            assistant, code = _run("benchmarks.bench_assistant",
                                   [*common, "--conversations",
                                    str(args.assistant_conversations),
                                    "--redis-url", args.redis_url],
                                   Path(tmp) / "assistant.json")
            codes.append(code)

        if _wanted(args.only, "calls"):
            calls, code = _run("benchmarks.bench_calls",
                               ["--db", "both" if args.db == "all" else args.db,
                                "--pg-url", args.pg_url, "--calls", str(args.calls),
                                *(["--quick"] if args.quick else [])],
                               Path(tmp) / "calls.json")
            codes.append(code)

        if _wanted(args.only, "mining"):
            mining, code = _run("benchmarks.bench_mining",
                                ["--db", args.mining_db, "--pg-url", args.pg_url,
                                 "--calls", str(args.mining_calls), "--no-evaluate",
                                 *(["--data", str(args.mining_data)] if args.mining_data
                                   else [])],
                                Path(tmp) / "mining.json")
            codes.append(code)

        load_data = None
        if _wanted(args.only, "load"):
            load_data, code = _run("benchmarks.bench_load",
                                   ["--db", args.db, "--pg-url",
                                    # its scratch databases come from the maintenance database
                                    bench_load.DEFAULT_PG_ADMIN_URL
                                    if args.pg_url == DEFAULT_PG_URL else args.pg_url,
                                    *(["--quick"] if args.quick else [])],
                                   Path(tmp) / "load.json")
            codes.append(code)

        items = None
        if _wanted(args.only, "items"):
            items, code = _run("benchmarks.bench_items", [], Path(tmp) / "items.json")
            codes.append(code)

        competency = None
        if _wanted(args.only, "competency"):
            competency, code = _run(
                "benchmarks.bench_competency",
                [*(["--postgres", args.pg_url] if args.db in ("postgres", "all") else []),
                 *(["--agents", "200", "--teams", "2"] if args.quick else [])],
                Path(tmp) / "competency.json")
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
    if _wanted(args.only, "import"):
        lines += _import_section(imported)
    if _wanted(args.only, "pages"):
        lines += _pages_section(pages)
    if _wanted(args.only, "search-quality"):
        lines += _search_quality_section(quality)
    if _wanted(args.only, "search-blind"):
        lines += bench_search_blind.section(blind)
    if _wanted(args.only, "search-speed"):
        lines += _search_speed_section(speed)
    if _wanted(args.only, "assistant"):
        lines += _assistant_section(assistant)
    if _wanted(args.only, "calls"):
        lines += _calls_section(calls)
    if _wanted(args.only, "mining"):
        lines += _mining_section(mining)
    if _wanted(args.only, "load"):
        lines += _load_section(load_data)
    if _wanted(args.only, "items"):
        lines += bench_items.section(items)
    if _wanted(args.only, "competency"):
        lines += bench_competency.section(competency)
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
