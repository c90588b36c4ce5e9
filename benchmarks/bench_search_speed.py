"""Search speed at 1k, 10k and 100k synthetic Chinese articles: index build, matcher
training, query latency, memory.

Per size, two fresh processes share a fresh database:

1. ``setup``: migrations, the eight queues, a manager and an agent (queues A and B), then
   the synthetic articles of ``benchmarks/data.py`` imported through the knowledge service
   (``import_articles``, JSONL, chunks of 10,000 rows, one commit per chunk) — the same
   path an import from the UI takes (timed, but not the subject here);
2. ``measure`` (a new process, as a server that starts):
   * ``first build``: ``SearchEngine.sync()`` from the database — every live version is
     segmented (rjieba, synonyms, pinyin, bigrams), the tokens are written to the token cache
     (``search_documents``) and committed, and the tantivy index is filled;
   * lexical queries: the engine before its matcher is trained — exactly what a server
     answers while ``BackgroundSync`` still trains — via ``engine.rank`` alone and via
     ``seci.retrieval.service.search`` (one session per query, as the agent: queue filter,
     valid today, snippets and highlights from the database);
   * ``train_matcher()`` (a server runs it in the background);
   * default ranker queries (BM25 + matcher), again via ``engine.rank`` and ``search``;
   * ``restart``: a new ``SearchEngine`` synced from the token cache (no segmenting).

The query mix (seeded): similar questions of random articles, perturbed (a particle, a
polite prefix, a homophone typo, a dropped character, or as is), keyword queries (product +
aspect/tag words), titles without their number, long rambling statements, and article codes.
Every latency figure is over at most ``--queries`` queries and at most ``--budget`` seconds
per measurement (the slower default ranker at 100k gets fewer queries; the count is shown).
RSS = resident memory of the measuring process (``/proc/self/status``).

    .venv/bin/python -m benchmarks.bench_search_speed --sizes 1000,10000,100000
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.common import (
    DEFAULT_PG_URL,
    CpuMeter,
    bench_database,
    load_average,
    markdown_table,
    write_json,
)
from benchmarks.data import ASPECTS, PRODUCTS, TAG_POOL, make_articles

SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (1_000, 10_000)
TARGET_BUILD_PER_S = 1_000.0  # articles/s, first build
TARGET_LEXICAL_P95_MS = 50.0  # at 100k articles, lexical search
TARGET_SIZE = 100_000
CHUNK = 10_000
SEED = 20240601
WARMUP = 10

_PARTICLES = ("呢", "啊", "吧", "呀", "？")
_PREFIXES = ("请问", "你好，", "我想问一下", "麻烦帮我看看")
_TYPOS = {"话费": "花费", "宽带": "款带", "套餐": "套参", "流量": "流亮", "办理": "半理",
          "漫游": "慢游", "积分": "记分", "发票": "发漂"}
_STATEMENTS = (
    "你好，我上个月{q}，今天又收到短信说{a}有变化，这到底是怎么回事啊，能不能帮我查一下",
    "我是老用户了，{q}，营业厅的人说不清楚，你们{a}到底是怎么规定的",
    "喂，我想问下{q}，我家里老人也在用这个号，{a}会不会受影响",
)


# --- queries ------------------------------------------------------------------------------


def perturb(rng: random.Random, text: str) -> str:
    roll = rng.random()
    if roll < 0.2:
        return text + rng.choice(_PARTICLES)
    if roll < 0.4:
        return rng.choice(_PREFIXES) + text
    if roll < 0.6:
        for right, wrong in _TYPOS.items():
            if right in text:
                return text.replace(right, wrong, 1)
        return text
    if roll < 0.75 and len(text) > 4:
        cut = rng.randrange(len(text))
        return text[:cut] + text[cut + 1:]
    return text


def query_mix(rng: random.Random, samples: list[tuple[str, str, list[str]]], count: int
              ) -> list[tuple[str, str]]:
    """(kind, query) pairs from (code, title, similar questions) of random articles."""
    queries = []
    for _ in range(count):
        code, title, questions = rng.choice(samples)
        roll = rng.random()
        if roll < 0.40 and questions:
            queries.append(("similar question, perturbed", perturb(rng, rng.choice(questions))))
        elif roll < 0.65:
            words = [rng.choice(PRODUCTS), rng.choice(ASPECTS + TAG_POOL)]
            if rng.random() < 0.3:
                words.append(rng.choice(TAG_POOL))
            queries.append(("keywords", " ".join(words)))
        elif roll < 0.82:
            queries.append(("title", title.split(" #")[0]))
        elif roll < 0.95:
            question = rng.choice(questions) if questions else title
            queries.append(("long statement", rng.choice(_STATEMENTS).format(
                q=question, a=rng.choice(ASPECTS))))
        else:
            queries.append(("article code", code))
    return queries


# --- measurement helpers --------------------------------------------------------------------


def rss_mib() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MiB."""
    values = {"VmRSS": 0.0, "VmHWM": 0.0}
    for line in Path("/proc/self/status").read_text().splitlines():
        key = line.split(":", 1)[0]
        if key in values:
            values[key] = int(line.split()[1]) / 1024
    return values["VmRSS"], values["VmHWM"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def latencies(ask: Callable[[str], int], queries: list[tuple[str, str]], budget: float
              ) -> dict[str, Any]:
    """Time ``ask`` per query (after a short warm-up), stop after ``budget`` seconds."""
    for _, text in queries[:WARMUP]:
        ask(text)
    times: list[float] = []
    hits = 0
    by_kind: dict[str, list[float]] = {}
    meter = CpuMeter({"bench": lambda: [os.getpid()]})
    meter.start()
    started = time.perf_counter()
    for kind, text in queries:
        t0 = time.perf_counter()
        hits += ask(text) > 0
        elapsed = time.perf_counter() - t0
        times.append(elapsed)
        by_kind.setdefault(kind, []).append(elapsed)
        if time.perf_counter() - started > budget:
            break
    cpu = meter.stop()
    ms = [t * 1000 for t in times]
    return {
        "queries": len(times), "answered": hits, "mean_ms": statistics.fmean(ms),
        "p50_ms": percentile(ms, 0.50), "p95_ms": percentile(ms, 0.95),
        "p99_ms": percentile(ms, 0.99), "max_ms": max(ms),
        "p95_by_kind_ms": {k: percentile([t * 1000 for t in v], 0.95)
                           for k, v in sorted(by_kind.items())},
        **cpu,
    }


# --- the two phases ---------------------------------------------------------------------------


def setup(url: str, size: int, seed: int) -> dict[str, Any]:
    """Fresh schema, queues, users; ``size`` articles imported through the service."""
    from sqlalchemy.orm import Session

    from seci.accounts import service as accounts
    from seci.accounts.models import User
    from seci.accounts.roles import Role
    from seci.core.db import build_engine
    from seci.core.migrate import upgrade
    from seci.knowledge.importing import import_articles
    from seci.knowledge.tabular import FileFormat, write_records

    upgrade(url)
    db = build_engine(url)
    with Session(db) as session:
        accounts.seed_queues(session)
        queues = accounts.queues_by_code(session)
        manager = accounts.create_user(session, username="bench", password="measure-only-secret-1",
                                       roles=(Role.MANAGER,), all_modules=True)
        accounts.create_user(session, username="agent", password="measure-only-secret-1",
                             roles=(Role.AGENT,), all_modules=True,
                             queue_ids=[queues["A"].id, queues["B"].id])
        session.commit()
        manager_id = manager.id
    started = time.perf_counter()
    records = make_articles(size, seed=seed)
    generate_s = time.perf_counter() - started
    import_s = 0.0
    for start in range(0, size, CHUNK):
        data = write_records(records[start:start + CHUNK], FileFormat.JSONL)
        with Session(db) as session:
            actor = session.get(User, manager_id)
            assert actor is not None
            t0 = time.perf_counter()
            report = import_articles(session, data=data, filename="bench.jsonl", actor=actor,
                                     max_bytes=len(data) + 1)
            session.commit()
            import_s += time.perf_counter() - t0
        assert report.ok, report.errors[:5]
        assert len(report.created) == len(records[start:start + CHUNK]), report
    db.dispose()
    return {"generate_s": generate_s, "import_s": import_s,
            "import_rows_per_s": size / import_s if import_s else 0.0}


def measure(url: str, size: int, seed: int, count: int, budget: float,
            train_budget: float) -> dict[str, Any]:
    rss_start, _ = rss_mib()
    from sqlalchemy import func, select
    from sqlalchemy.orm import sessionmaker

    from seci.accounts.models import User
    from seci.core.db import build_engine
    from seci.knowledge.models import Article, ArticleVersion
    from seci.retrieval.engine import SearchEngine
    from seci.retrieval.models import SearchDocument
    from seci.retrieval.service import filters_for, search

    db = build_engine(url)
    factory = sessionmaker(bind=db, expire_on_commit=False)
    with factory() as session:
        agent = session.scalars(select(User).where(User.username == "agent")).one()
        rows = session.execute(
            select(ArticleVersion.code, ArticleVersion.title, ArticleVersion.similar_questions)
            .join(Article, Article.live_version_id == ArticleVersion.id)).all()
        session.expunge(agent)
    rng = random.Random(seed)
    queries = query_mix(rng, [(c, t, list(q)) for c, t, q in rows], count)
    del rows
    gc.collect()
    rss_before, _ = rss_mib()
    result: dict[str, Any] = {"size": size, "rss_start_mib": rss_start}

    engine = SearchEngine(train_inline=False)  # as a server: the matcher trains in background
    meter = CpuMeter({"bench": lambda: [os.getpid()]})
    meter.start()
    started = time.perf_counter()
    with factory.begin() as session:
        indexed = engine.sync(session)
    result["first_build_s"] = time.perf_counter() - started
    result["first_build_cores"] = meter.stop()["bench_cores"]
    result["indexed"] = indexed
    result["build_per_s"] = indexed / result["first_build_s"]
    with factory() as session:
        result["cached_token_rows"] = session.scalar(
            select(func.count()).select_from(SearchDocument))
    gc.collect()
    result["rss_index_mib"] = rss_mib()[0]
    result["rss_before_mib"] = rss_before
    print(f"  size={size}: first build {result['first_build_s']:.1f}s "
          f"({result['build_per_s']:,.0f} articles/s), RSS {result['rss_index_mib']:.0f} MiB",
          file=sys.stderr, flush=True)

    on = date.today()
    filters = filters_for(agent, on=on)

    def rank(text: str) -> int:
        return len(engine.rank(text, filters, 10))

    def via_service(text: str) -> int:
        with factory() as session:
            return len(search(session, engine=engine, user=agent, query=text, limit=10,
                              on=on).hits)

    result["lexical_rank"] = latencies(rank, queries, budget)
    result["lexical_service"] = latencies(via_service, queries, budget)
    print(f"  size={size}: lexical p95 rank {result['lexical_rank']['p95_ms']:.1f} ms, "
          f"service {result['lexical_service']['p95_ms']:.1f} ms",
          file=sys.stderr, flush=True)

    # A server that restarts reads the tokens back from the cache instead of segmenting.
    del engine
    gc.collect()
    engine = SearchEngine(train_inline=False)
    started = time.perf_counter()
    with factory.begin() as session:
        again = engine.sync(session)
    result["restart_build_s"] = time.perf_counter() - started
    assert again == indexed, (again, indexed)
    result["restart_per_s"] = again / result["restart_build_s"]
    print(f"  size={size}: restart build {result['restart_build_s']:.1f}s",
          file=sys.stderr, flush=True)

    # BackgroundSync trains the matcher in a thread; give it at most ``train_budget``.
    trainer = threading.Thread(target=engine.train_matcher, daemon=True)
    meter = CpuMeter({"bench": lambda: [os.getpid()]})
    meter.start()
    started = time.perf_counter()
    trainer.start()
    trainer.join(train_budget or None)  # 0: no limit
    result["train_cores"] = meter.stop()["bench_cores"]
    if trainer.is_alive():
        result["train_s"] = None
        result["train_budget_s"] = train_budget
        result["rss_trained_mib"] = rss_mib()[0]
        result["rss_peak_mib"] = rss_mib()[1]
        print(f"  size={size}: matcher training unfinished after {train_budget:.0f}s; "
              "default ranker not measured", file=sys.stderr, flush=True)
        return result
    result["train_s"] = time.perf_counter() - started
    gc.collect()
    result["rss_trained_mib"] = rss_mib()[0]
    print(f"  size={size}: matcher trained in {result['train_s']:.1f}s, "
          f"RSS {result['rss_trained_mib']:.0f} MiB", file=sys.stderr, flush=True)
    result["default_rank"] = latencies(rank, queries, budget)
    result["default_service"] = latencies(via_service, queries, budget)
    print(f"  size={size}: default p95 rank {result['default_rank']['p95_ms']:.1f} ms, "
          f"service {result['default_service']['p95_ms']:.1f} ms",
          file=sys.stderr, flush=True)
    result["rss_peak_mib"] = rss_mib()[1]
    db.dispose()
    return result


# --- orchestration ----------------------------------------------------------------------------


def _child(phase: str, url: str, size: int, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    try:
        command = [sys.executable, "-m", "benchmarks.bench_search_speed", "--phase", phase,
                   "--url", url, "--sizes", str(size), "--seed", str(args.seed),
                   "--queries", str(args.queries), "--budget", str(args.budget),
                   "--train-budget", str(args.train_budget),
                   "--json-out", str(out)]
        subprocess.run(command, check=True)
        data: dict[str, Any] = json.loads(out.read_text())
        return data
    finally:
        out.unlink(missing_ok=True)


def run_size(size: int, args: argparse.Namespace) -> dict[str, Any]:
    with bench_database(args.db, pg_url=args.pg_url) as db:
        prepared = _child("setup", db.url, size, args)
        print(f"size={size}: imported in {prepared['import_s']:.1f}s "
              f"({prepared['import_rows_per_s']:,.0f} rows/s)", file=sys.stderr, flush=True)
        measured = _child("measure", db.url, size, args)
    return {"db": args.db, **prepared, **measured}


def build_verdict(r: dict[str, Any]) -> str:
    return "PASS" if r["build_per_s"] >= TARGET_BUILD_PER_S else "FAIL"


def latency_verdict(r: dict[str, Any]) -> str:
    if r["size"] != TARGET_SIZE:
        return "–"
    return "PASS" if r["lexical_service"]["p95_ms"] < TARGET_LEXICAL_P95_MS else "FAIL"


def _ms(figures: dict[str, Any] | None) -> str:
    if figures is None:
        return "not measured (training unfinished)"
    return (f"{figures['p50_ms']:.1f} / {figures['p95_ms']:.1f} "
            f"(n={figures['queries']})")


def _training(r: dict[str, Any]) -> str:
    if r["train_s"] is None:
        return f"> {r['train_budget_s']:.0f} (unfinished)"
    return f"{r['train_s']:.1f}"


def build_table(results: list[dict[str, Any]]) -> str:
    headers = ("Articles", "Import via service s (setup)", "First build s (segment + cache)",
               "Articles/s", "Restart build s (token cache)", "Articles/s (restart)",
               "Matcher training s", "RSS MiB before / index / + matcher / peak",
               "Target ≥ 1,000 articles/s")
    rows = [
        (f"{r['size']:,}", f"{r['import_s']:.1f}", f"{r['first_build_s']:.1f}",
         f"{r['build_per_s']:,.0f}", f"{r['restart_build_s']:.1f}",
         f"{r['restart_per_s']:,.0f}", _training(r),
         f"{r['rss_before_mib']:.0f} / {r['rss_index_mib']:.0f} / "
         f"{r['rss_trained_mib']:.0f} / {r['rss_peak_mib']:.0f}", build_verdict(r))
        for r in results
    ]
    return markdown_table(headers, rows)


def latency_table(results: list[dict[str, Any]]) -> str:
    headers = ("Articles", "Lexical: engine.rank p50 / p95 ms",
               "Lexical: service.search p50 / p95 ms",
               "Default (BM25 + matcher): engine.rank p50 / p95 ms",
               "Default: service.search p50 / p95 ms", "Default service p99 / max ms",
               "Target lexical p95 < 50 ms at 100k")
    rows = [
        (f"{r['size']:,}", _ms(r["lexical_rank"]), _ms(r["lexical_service"]),
         _ms(r.get("default_rank")), _ms(r.get("default_service")),
         f"{r['default_service']['p99_ms']:.0f} / {r['default_service']['max_ms']:.0f}"
         if "default_service" in r else "–",
         latency_verdict(r))
        for r in results
    ]
    return markdown_table(headers, rows)


def kind_table(results: list[dict[str, Any]]) -> str:
    """p95 per query kind (service.search), lexical and default."""
    kinds = sorted({k for r in results for k in r["lexical_service"]["p95_by_kind_ms"]})
    headers = ("Articles", *[f"{k}: lexical / default p95 ms" for k in kinds])
    rows = []
    for r in results:
        lexical = r["lexical_service"]["p95_by_kind_ms"]
        default = r.get("default_service", {}).get("p95_by_kind_ms", {})
        rows.append((f"{r['size']:,}", *[
            f"{lexical[k]:.1f} / " + (f"{default[k]:.0f}" if k in default else "–")
            if k in lexical else "–" for k in kinds]))
    return markdown_table(headers, rows)


def flatness(results: list[dict[str, Any]]) -> str:
    """One sentence: how build throughput and latency change from the smallest size up."""
    if len(results) < 2:
        return ""
    small, large = results[0], results[-1]
    factor = large["size"] / small["size"]

    def growth(key: str) -> str:
        if key not in small or key not in large:
            return "(not measured at both ends)"
        return f"×{large[key]['p95_ms'] / small[key]['p95_ms']:.1f}"

    trained = [f"{r['size']:,}: {_training(r)} s" for r in results]
    return (f"From {small['size']:,} to {large['size']:,} articles ({factor:.0f}×): first-build "
            f"throughput {small['build_per_s']:,.0f} → {large['build_per_s']:,.0f} articles/s "
            f"(×{large['build_per_s'] / small['build_per_s']:.2f}); p95 latency grows "
            f"{growth('lexical_rank')} for lexical `engine.rank`, "
            f"{growth('lexical_service')} for lexical `search`, "
            f"{growth('default_rank')} for the default ranker's `engine.rank`; "
            f"matcher training {', '.join(trained)}.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--queries", type=int, default=400,
                        help="queries per measurement (at most)")
    parser.add_argument("--budget", type=float, default=15.0,
                        help="seconds per latency measurement (at most)")
    parser.add_argument("--train-budget", type=float, default=300.0,
                        help="seconds matcher training may take before the default ranker "
                             "is skipped for that size (0: no limit)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--phase", choices=("setup", "measure"), default=None,
                        help=argparse.SUPPRESS)
    parser.add_argument("--url", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--json-out", default=None, help="write results as JSON here")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    if args.phase is not None:  # a child: one size, one phase
        assert args.url is not None
        assert len(sizes) == 1
        if args.phase == "setup":
            payload = setup(args.url, sizes[0], args.seed)
        else:
            payload = measure(args.url, sizes[0], args.seed, args.queries, args.budget,
                              args.train_budget)
        write_json(args.json_out, payload)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)  # an unfinished training thread must not keep the process alive

    load_before = load_average()
    results = []
    for size in sizes:
        results.append(run_size(size, args))
    write_json(args.json_out, {
        "benchmark": "search-speed", "sizes": sizes, "db": args.db, "seed": args.seed,
        "queries": args.queries, "budget_s": args.budget, "train_budget_s": args.train_budget,
        "target_build_per_s": TARGET_BUILD_PER_S,
        "target_lexical_p95_ms": TARGET_LEXICAL_P95_MS, "target_size": TARGET_SIZE,
        "load_before": load_before, "load_after": load_average(),
        "flatness": flatness(results), "results": results,
    })
    print(build_table(results))
    print()
    print(latency_table(results))
    print()
    print(kind_table(results))
    print()
    print(flatness(results))
    ok = all(build_verdict(r) == "PASS" and latency_verdict(r) != "FAIL" for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
