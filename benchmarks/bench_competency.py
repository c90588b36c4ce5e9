"""Results of a competency round at scale: 2,000 agents × 33 questions × 5 raters in < 2 s.

    .venv/bin/python -m benchmarks.bench_competency [--agents 2000] [--teams 20] [--repeat 5]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
    .venv/bin/python -m benchmarks --only competency      # and append the section

Per database a fresh migrated database (a SQLite file in a temporary directory; with
``--postgres URL`` also a throw-away PostgreSQL database made on that server) gets, by bulk
inserts (not timed): a trainer, a team lead per team, ``--agents`` roster agents with logins
in ``--teams`` teams of equal size, the shipped competency template (3 dimensions, 11 items,
33 questions, ``create_from_template``) and one closed round over all of them, with five
forms per agent — self, the team lead, three peers of the same team (the next three in the
team, rotating) — answered 1–5 from a seeded model (agent ability + item difficulty + the
rater's leniency + noise). 2 % of the peer forms were left open, half answered (they must
not count); 15 % of the submitted forms carry a comment.

Timed: what the results page and ``GET /api/v1/competency/rounds/{id}/results`` compute —
``seci.people.results.team_result`` as the trainer (permission check, the model, every
submitted answer, each person's item/dimension/overall scores by source with others,
combined and gaps, the team's means with t intervals, Cronbach's α per dimension) plus the
weak items of the team and of every person — in a new session each time, as a request has,
``--repeat`` times without a warm-up (the first run is the cold one and counts). Peak RSS
is the process's high-water mark (``VmHWM``) during the runs, reset after the setup.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import (
    BenchDatabase,
    CpuMeter,
    bench_database,
    load_average,
    markdown_table,
)

TARGET_S = 2.0
SEED = 16
PEERS = 3
OPEN_PEER_SHARE = 0.02  # peer forms never submitted (half answered)
COMMENT_SHARE = 0.15
CHUNK = 50_000
ROUND_TEAM = "全中心"


def _status_mb(field: str) -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _postgres_backends(db: BenchDatabase, admin_url: str) -> Any:
    if db.kind != "postgres":
        return lambda: []
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = make_url(db.url).database
    admin = create_engine(admin_url, pool_size=1)

    def pids() -> list[int]:
        with admin.connect() as conn:
            rows = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = :n"),
                                {"n": name})
            return [int(r[0]) for r in rows]

    return pids


def prepare(session: Any, *, agents: int, teams: int, seed: int = SEED) -> dict[str, Any]:
    """Users, roster, the template model and a closed round with seeded answers."""
    from sqlalchemy import insert, text

    from seci.accounts.models import User, UserRole
    from seci.accounts.roles import Role
    from seci.core.clock import utcnow
    from seci.people import competency
    from seci.people.models import (
        AssessmentAnswer,
        AssessmentForm,
        AssessmentRound,
        FormStatus,
        Relation,
        RoundStatus,
    )
    from seci.roster.models import RosterAgent

    rng = np.random.default_rng(seed)
    now = utcnow()
    team_names = [f"班组{t + 1:02d}" for t in range(teams)]
    # Users: 1 trainer, a team lead per team, an agent login per roster agent (no password
    # hashing: nobody logs in).
    users = [{"id": 1, "username": "bench_trainer", "display_name": "培训师", "team": None}]
    users += [{"id": 2 + t, "username": f"bench_lead_{t + 1:02d}",
               "display_name": f"{name}班组长", "team": name}
              for t, name in enumerate(team_names)]
    first_agent_user = 2 + teams
    team_of = [team_names[a * teams // agents] for a in range(agents)]
    users += [{"id": first_agent_user + a, "username": f"bench_agent_{a + 1:05d}",
               "display_name": f"坐席{a + 1:05d}", "team": team_of[a]} for a in range(agents)]
    for u in users:
        u.update(password_hash="!", is_active=True, all_modules=False, created_at=now)
    session.execute(insert(User), users)
    roles = [{"user_id": 1, "role": Role.TRAINER.value}]
    roles += [{"user_id": 2 + t, "role": Role.SUPERVISOR.value} for t in range(teams)]
    roles += [{"user_id": first_agent_user + a, "role": Role.AGENT.value} for a in range(agents)]
    session.execute(insert(UserRole), roles)
    session.execute(insert(RosterAgent), [
        {"id": a + 1, "agent_id": f"B{a + 1:05d}", "name": f"员工{a + 1:05d}",
         "team": team_of[a], "hired_on": date(2022, 1, 1) + timedelta(days=int(a % 900)),
         "stage": "mature", "user_id": first_agent_user + a, "updated_at": now}
        for a in range(agents)])
    trainer = session.get(User, 1)
    model = competency.create_from_template(session, actor=trainer)
    spec = competency.model_spec(session, model.id)
    question_ids = np.array([q.id for q in spec.questions()], dtype=np.int64)
    item_of_question = np.array([i for i, item in enumerate(spec.items())
                                 for _ in item.questions])
    found = AssessmentRound(model_id=model.id, team=ROUND_TEAM, title="2,000 人测评",
                            status=RoundStatus.CLOSED, deadline=date(2026, 11, 30),
                            opened_by_id=1, opened_at=now, closed_at=now)
    session.add(found)
    session.flush()

    # Forms: self, the team lead, three peers (the next three of the team, rotating).
    members: dict[str, list[int]] = {}
    for a in range(agents):
        members.setdefault(team_of[a], []).append(a)
    rated: list[int] = []
    relation: list[str] = []
    rater_user: list[int] = []
    rater_agent: list[int | None] = []
    for t, name in enumerate(team_names):
        group = members.get(name, [])
        for place, a in enumerate(group):
            rated.append(a)
            relation.append(Relation.SELF.value)
            rater_user.append(first_agent_user + a)
            rater_agent.append(a + 1)
            rated.append(a)
            relation.append(Relation.SUPERVISOR.value)
            rater_user.append(2 + t)
            rater_agent.append(None)
            for k in range(1, min(PEERS, len(group) - 1) + 1):
                peer = group[(place + k) % len(group)]
                rated.append(a)
                relation.append(Relation.PEER.value)
                rater_user.append(first_agent_user + peer)
                rater_agent.append(peer + 1)
    n_forms = len(rated)
    is_peer = np.array([r == Relation.PEER.value for r in relation])
    left_open = is_peer & (rng.random(n_forms) < OPEN_PEER_SHARE)
    commented = ~left_open & (rng.random(n_forms) < COMMENT_SHARE)
    form_rows = [{
        "id": f + 1, "round_id": found.id, "rated_agent_id": rated[f] + 1,
        "relation": relation[f], "rater_user_id": rater_user[f], "rater_agent_id": rater_agent[f],
        "status": FormStatus.OPEN.value if left_open[f] else FormStatus.SUBMITTED.value,
        "comment": "沟通耐心，继续保持" if commented[f] else "",
        "saved_at": now, "submitted_at": None if left_open[f] else now} for f in range(n_forms)]
    for start in range(0, n_forms, CHUNK):
        session.execute(insert(AssessmentForm), form_rows[start:start + CHUNK])
    if session.get_bind().dialect.name == "postgresql":
        for table in ("competency_forms", "roster_agents", "users"):
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                 f"(SELECT max(id) FROM {table}))"))

    # Answers: ability + item difficulty + leniency (by relation and by form) + noise.
    ability = rng.normal(0.0, 0.45, agents)
    difficulty = rng.normal(0.0, 0.3, len(spec.items()))
    leniency = {Relation.SELF.value: 0.35, Relation.SUPERVISOR.value: -0.15,
                Relation.PEER.value: 0.0}
    form_shift = np.array([leniency[r] for r in relation]) + rng.normal(0.0, 0.25, n_forms)
    raw = (3.6 + ability[np.array(rated)][:, None] - difficulty[item_of_question][None, :]
           + form_shift[:, None] + rng.normal(0.0, 0.6, (n_forms, len(question_ids))))
    scores = np.clip(np.rint(raw), 1, 5).astype(np.int64)
    answered = np.ones_like(scores, dtype=bool)
    answered[left_open] = rng.random((int(left_open.sum()), len(question_ids))) < 0.5
    form_index, question_index = np.nonzero(answered)
    answer_rows = [{"form_id": int(f) + 1, "question_id": int(question_ids[q]),
                    "score": int(scores[f, q])}
                   for f, q in zip(form_index, question_index, strict=True)]
    for start in range(0, len(answer_rows), CHUNK):
        session.execute(insert(AssessmentAnswer), answer_rows[start:start + CHUNK])
    session.commit()
    submitted = int((~left_open).sum())
    return {"round_id": found.id, "trainer_id": 1, "agents": agents, "teams": teams,
            "questions": len(question_ids), "items": len(spec.items()),
            "dimensions": len(spec.dimensions), "forms": n_forms, "submitted": submitted,
            "answers": len(answer_rows), "answers_submitted": int(answered[~left_open].sum())}


def aggregate(factory: Any, round_id: int, trainer_id: int) -> Any:
    """What the results page and API compute, in a session of its own (as a request)."""
    from seci.accounts.models import User
    from seci.people import results

    with factory() as session:
        actor = session.get(User, trainer_id)
        assert actor is not None
        team = results.team_result(session, actor=actor, round_id=round_id)
        team.weak_items()
        for person in team.people:
            person.weak_items()
        return team


def measure(db: BenchDatabase, *, agents: int, teams: int, repeat: int,
            admin_url: str) -> dict[str, Any]:
    from sqlalchemy.orm import sessionmaker

    from seci.core.db import build_engine
    from seci.core.migrate import upgrade
    from seci.people import results as _imported  # imported before the first timed run

    del _imported
    started = time.perf_counter()
    upgrade(db.url)
    engine = build_engine(db.url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as session:
        prepared = prepare(session, agents=agents, teams=teams)
    if db.kind == "postgres":
        with engine.connect() as conn:
            from sqlalchemy import text

            conn.execute(text("ANALYZE"))
            conn.commit()
    setup_s = time.perf_counter() - started
    print(f"{db.kind}: set up {prepared['forms']:,} forms, {prepared['answers']:,} answers "
          f"in {setup_s:.1f} s", file=sys.stderr, flush=True)
    rss_before = _status_mb("VmRSS")
    peak_reset = _reset_peak()
    meter = CpuMeter({"bench": lambda: [os.getpid()],
                      "db": _postgres_backends(db, admin_url)})
    load_before = load_average()
    meter.start()
    times: list[float] = []
    cpu_times: list[float] = []
    team = None
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        team = aggregate(factory, prepared["round_id"], prepared["trainer_id"])
        times.append(time.perf_counter() - began)
        cpu_times.append(time.process_time() - began_cpu)
    cpu = meter.stop()
    load_after = load_average()
    peak = _status_mb("VmHWM")
    assert team is not None
    rated = len(team.rated_people)
    engine.dispose()
    median = statistics.median(times)
    return {
        "db": db.kind, **prepared, "setup_s": setup_s, "times_s": times, "first_s": times[0],
        "min_s": min(times), "median_s": median, "max_s": max(times), "repeat": repeat,
        "cpu_times_s": cpu_times, "cpu_median_s": statistics.median(cpu_times),
        "rss_before_mb": rss_before, "peak_rss_mb": peak, "peak_reset": peak_reset,
        "people": len(team.people), "rated": rated,
        "overall_mean": team.overall.mean,
        "alpha": [d.alpha for d in team.dimensions],
        "alpha_rows": [d.alpha_rows for d in team.dimensions],
        "weak_items": [i.name for i in team.weak_items()],
        "load_before": load_before, "load_after": load_after, **cpu,
        "verdict": "PASS" if median < TARGET_S else "FAIL"}


def table(results: list[dict[str, Any]]) -> str:
    return markdown_table(
        ("Database", "Agents (teams)", "Forms submitted / all", "Answers counted",
         "First", "Min", "Median", "Max", "CPU median", "Peak RSS (before)",
         "CPU bench / db / other",
         "Load before → after", "< 2 s"),
        [(r["db"], f"{r['agents']:,} ({r['teams']})",
          f"{r['submitted']:,} / {r['forms']:,}", f"{r['answers_submitted']:,}",
          f"{r['first_s']:.2f} s", f"{r['min_s']:.2f} s", f"{r['median_s']:.2f} s",
          f"{r['max_s']:.2f} s", f"{r['cpu_median_s']:.2f} s",
          f"{r['peak_rss_mb']:,.0f} MB ({r['rss_before_mb']:,.0f} MB)",
          f"{r['bench_cores']:.2f} / {r['db_cores']:.2f} / {r['other_cores']:.2f}",
          f"{r['load_before']} → {r['load_after']}", r["verdict"])
         for r in results])


def figures_table(results: list[dict[str, Any]]) -> str:
    return markdown_table(
        ("Database", "People rated", "Overall mean", "α per dimension (forms)", "Weak items"),
        [(r["db"], f"{r['rated']:,} of {r['people']:,}",
          "–" if r["overall_mean"] is None else f"{r['overall_mean']:.3f}",
          ", ".join("–" if a is None else f"{a:.3f} ({n:,})"
                    for a, n in zip(r["alpha"], r["alpha_rows"], strict=True)),
          "、".join(r["weak_items"])) for r in results])


def section(data: dict[str, Any] | None) -> list[str]:
    if data is None:
        return ["### Competency round results", "", "The competency benchmark failed; see "
                "the console output.", ""]
    results = data["results"]
    overall = "PASS" if results and all(r["verdict"] == "PASS" for r in results) else "FAIL"
    first = results[0]
    return [
        f"### Competency round results, {first['agents']:,} agents × {first['questions']} "
        f"questions × 5 raters — median under {TARGET_S:.0f} s: {overall}", "",
        f"One closed round over {first['agents']:,} roster agents in {first['teams']} teams "
        f"(the shipped template: {first['dimensions']} dimensions, {first['items']} items, "
        f"{first['questions']} questions), five forms per agent — self, the team lead, three "
        "peers of the same team — answered from a seeded model (seed "
        f"{SEED}: ability + item difficulty + rater leniency + noise; "
        f"{OPEN_PEER_SHARE:.0%} of peer forms left open and half answered, which must not "
        "count), bulk-inserted into a fresh migrated database (setup not timed: "
        + ", ".join(f"{r['db']} {r['setup_s']:.0f} s" for r in results) + "). Timed: "
        "`seci.people.results.team_result` as the trainer — what the results page and the "
        "results API compute: every person's item, dimension and overall scores by source, "
        "others, combined and gap; the team's means with t intervals; Cronbach's α per "
        "dimension — plus the weak items of the team and of every person, each run in a new "
        f"session; {first['repeat']} runs, the first is the cold one; *CPU median* = the CPU "
        "time this process spent per run (steadier than wall time on a busy machine). Peak "
        "RSS = the "
        "process's high-water mark during the runs (reset after the setup; in brackets the "
        "RSS before them, mostly the setup's). CPU in cores during the runs: this process / "
        "the PostgreSQL backends / everything else on the machine (other engineers' tests).",
        "", table(results), "", "What was computed, per database"
        + ("" if data.get("agree", True) else " (**the databases' figures differ**)") + ":",
        "", figures_table(results), ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=2000)
    parser.add_argument("--teams", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", default=None, metavar="URL",
                        help="also on PostgreSQL: a throw-away database on this server")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--json-out", type=Path, default=None)
    args = parser.parse_args(argv)
    os.environ.setdefault("SECI_DEFAULT_LOCALE", "zh_CN")
    results = []
    kinds = ["sqlite", *(["postgres"] if args.postgres else [])]
    for kind in kinds:
        options = {"pg_url": args.postgres} if kind == "postgres" else {}
        with bench_database(kind, keep=args.keep, **options) as db:
            os.environ["SECI_DATA_DIR"] = str(db.data_dir)
            if args.keep:
                print(f"{kind}: {db.url}", file=sys.stderr)
            results.append(measure(db, agents=args.agents, teams=args.teams,
                                   repeat=args.repeat, admin_url=args.postgres or ""))
    keys = ("rated", "overall_mean", "alpha", "alpha_rows", "weak_items")
    agree = all(all(r[k] == results[0][k] for k in keys) for r in results)
    data = {"agents": args.agents, "teams": args.teams, "results": results, "agree": agree}
    print(table(results))
    print()
    print(figures_table(results))
    if not agree:
        print("The databases' figures differ.", file=sys.stderr)
    if args.json_out:
        args.json_out.write_text(json.dumps(data, ensure_ascii=False))
    return 0 if agree and all(r["verdict"] == "PASS" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
