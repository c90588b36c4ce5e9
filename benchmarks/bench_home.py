"""The home page (every domain's to-dos for the user) per role, in process.

A fresh database gets the demo hotline; the app runs in process (Starlette's TestClient,
no network), each demo role logs in and asks for ``/`` ``--repeat`` times after a warm-up.
Prints the median and 95th percentile per role (milliseconds) as a Markdown table, and the
median CPU time of the process per request (steadier than wall time on a busy machine).

    .venv/bin/python -m benchmarks.bench_home [--db sqlite|postgres] [--repeat 60]

The page must stay well under 100 ms median (docs/ui.md).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from benchmarks.common import DB_CHOICES, bench_database, databases, markdown_table

ROLES = ("agent", "supervisor", "editor", "reviewer", "trainer", "analyst", "manager", "admin")
PASSWORD = "demo-10086"  # the published demo password (seci.demo.loader)


def measure(url: str, *, repeat: int) -> list[tuple[str, float, float, float]]:
    from fastapi.testclient import TestClient
    from sqlalchemy.orm import sessionmaker

    from seci.app import create_app
    from seci.core.db import build_engine
    from seci.core.migrate import upgrade
    from seci.demo.loader import load_demo

    upgrade(url)
    engine = build_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as session:
        load_demo(session)
        session.commit()
    rows = []
    # No lifespan: background jobs (index sync, calibration) would compete for the CPU.
    client = TestClient(create_app(factory))
    for role in ROLES:
        client.cookies.clear()
        client.post("/login", data={"username": role, "password": PASSWORD})
        for _ in range(3):  # warm-up
            assert client.get("/").status_code == 200
        times, cpu = [], []
        for _ in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get("/")
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            assert response.status_code == 200
        times.sort()
        rows.append((role, statistics.median(times), times[int(0.95 * (len(times) - 1))],
                     statistics.median(cpu)))
    engine.dispose()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", choices=DB_CHOICES, default="sqlite")
    parser.add_argument("--repeat", type=int, default=60)
    args = parser.parse_args(argv)
    os.environ.setdefault("SECI_DEFAULT_LOCALE", "zh_CN")
    for kind in databases(args.db):
        with bench_database(kind) as db:
            os.environ["SECI_DATA_DIR"] = str(db.data_dir)
            rows = measure(db.url, repeat=args.repeat)
        print(f"\n{kind}: GET / ({args.repeat} times per role)\n")
        print(markdown_table(["role", "median ms", "p95 ms", "CPU median ms"],
                             [(r, f"{m:.1f}", f"{p:.1f}", f"{c:.1f}") for r, m, p, c in rows]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
