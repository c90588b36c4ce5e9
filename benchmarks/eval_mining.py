"""Blind evaluation of the miners: recovery of the planted mining effects over several seeds
and sizes, beside the naive methods the planted data is built to defeat.

The miners were tuned on seeds 5 and 8 (``tests/mining/test_planted.py`` runs seed 8 at
25,000 calls); the *blind* seeds were never looked at while tuning. Each run (seed, size) is
a child process: ``seci.synthetic`` with ``with_mining_effects()`` (``demo_links=False``)
into a temporary directory, a fresh SQLite database (migrations, queues, roster), the calls
imported with ``run_call_import``, features extracted (``extract_pending``), the dataset
loaded and every finder run (``seci.mining.service.mine``) — the path of
``tests/mining/test_planted.py``. Truth phrases are found in findings as there: a truth's
``match`` substring in a finding's ``phrase`` or ``variants``.

Per run, the miners:

* golden scripts — planted families and paraphrases found among the scripts (findings not
  describing the outcome, said mid-call), false positives (non-outcome findings that say
  no planted family, decoy or outcome statement), decoys found anywhere, whether the
  family said in every topic is one finding over all topics, whether the outcome
  statements found are all marked and ranked after every script;
* burst — rank of the planted (region, week, product) among ``hot_topics``, and of the
  first word burst in that region and week naming a burst keyword;
* knowledge gap — rank of the gap topic in ``knowledge_gaps``, whether it and the control
  topic are flagged, other topics flagged;
* long calls — planted causes among the first four reasons, each cause among them;
* specialists — flagged precision and recall against the planted (topic, agent) pairs, and
  the planted specialists' ranks in their topic (full ranking from ``agent_matching``, not
  the 15 a run stores).

And the naive methods on the same data: pooled lift (calls with a wording against calls
without, two-proportion z-test) — decoy paraphrases it flags at p < 0.05; gap ranking by
the share of calls with any hedge / hand-on flag; long-call reasons ranked by
``added_seconds_alone`` (within topics, one wording at a time); agents ranked by raw FCR.

    .venv/bin/python -m benchmarks.eval_mining                       # 5 seeds x 2 sizes
    .venv/bin/python -m benchmarks.eval_mining --seeds 31 --sizes 25000 --parallel 1
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, load_average, markdown_table, write_json

DEV_SEEDS = (5, 8)
BLIND_SEEDS = (31, 32, 33)
SIZES = (25_000, 100_000)
FIRST_REASONS = 4  # long-call reasons judged: the first four, as in test_planted.py


# --- matching truth phrases to findings ------------------------------------------------------

def matches(phrases: list[dict[str, str]]) -> list[str]:
    return [p["match"] for p in phrases]


def saying(finding: dict[str, Any], wanted: list[str]) -> bool:
    """A truth's ``match`` in the finding's phrase or one of its variants."""
    texts = [finding["phrase"], *finding.get("variants", [])]
    return any(m in t for t in texts for m in wanted)


def _rank(items: list[Any], found: Any) -> int | None:
    """1-based position of the first item for which ``found`` is true."""
    return next((i + 1 for i, item in enumerate(items) if found(item)), None)


# --- the evaluation of one run ----------------------------------------------------------------

def evaluate(findings: dict[str, Any], data: Any, extensions: dict[str, Any],
             agent_texts: dict[int, str], outage: dict[str, Any] | None = None
             ) -> dict[str, Any]:
    """Every measure of one run: ``findings`` as ``mine`` returns them, ``data`` the
    ``Dataset`` they came from, ``extensions`` the ground truth's, ``agent_texts`` the
    stored agent clauses (hash → text), ``outage`` the ground truth's ``complaint_spike``
    (the base data's regional network outage: a real burst too)."""
    from seci.mining.matching import agent_matching

    return {
        "golden": _golden(findings["golden_scripts"], data, extensions, agent_texts),
        "burst": _burst(findings["hot_topics"], extensions["burst"], outage),
        "gap": _gap(findings["knowledge_gaps"], data, extensions),
        "long_calls": _long_calls(findings["long_calls"], extensions["long_causes"]),
        "specialists": _specialists(agent_matching(data), extensions["specialists"]),
    }


def _golden(found: list[dict[str, Any]], data: Any, extensions: dict[str, Any],
            agent_texts: dict[int, str]) -> dict[str, Any]:
    import numpy as np

    from seci.mining.golden import clause_index
    from seci.stats.comparisons import two_proportion_z_test
    from seci.stats.summaries import Proportion

    families = extensions["golden"]["families"]
    decoy_families = extensions["decoys"]["families"]
    decoys = [m for f in decoy_families for m in matches(f["paraphrases"])]
    outcomes = matches(extensions["outcome_statements"]["phrases"])
    planted = [m for f in families for m in matches(f["paraphrases"])]
    scripts = [g for g in found if not g["describes_outcome"] and g["phase"] == "middle"]
    per_family = []
    for family in families:
        wanted = matches(family["paraphrases"])
        hit = [m for m in wanted if any(saying(g, [m]) for g in scripts)]
        per_family.append({"name": family["name"], "topic": family["topic"],
                           "delta": family["delta"], "paraphrases": len(wanted),
                           "found": len(hit), "findings": sum(saying(g, wanted)
                                                              for g in scripts)})
    general = [g for g in scripts if saying(g, matches(families[0]["paraphrases"]))]
    non_outcome = [g for g in found if not g["describes_outcome"]]
    false_positives = [g for g in non_outcome
                       if not saying(g, planted) and not saying(g, decoys)
                       and not saying(g, outcomes)]
    outcome_at = [i for i, g in enumerate(found) if saying(g, outcomes)]
    script_at = [i for i, g in enumerate(found) if any(g is s for s in scripts)]
    outcome_marked = all(found[i]["describes_outcome"] for i in outcome_at)
    outcome_last = bool(outcome_at) and outcome_marked and (
        not script_at or min(outcome_at) > max(script_at))
    # Naive: the pooled lift of each decoy paraphrase (and of each golden one).
    sorted_texts = sorted(agent_texts.items())
    index = clause_index(data)

    def pooled(match: str) -> tuple[float, float] | None:
        keys = np.array([k for k, t in sorted_texts if match in t], dtype=np.int64)
        if not len(keys):
            return None
        rows, _ = index.rows_of(np.unique(keys))
        if not len(rows) or len(rows) == data.size:
            return None
        test = two_proportion_z_test(
            Proportion(int(np.delete(data.fcr, rows).sum()), data.size - len(rows)),
            Proportion(int(data.fcr[rows].sum()), len(rows)))
        return float(test.effect), float(test.p_value)

    def flagged(wanted: list[str]) -> int:
        results = [pooled(m) for m in wanted]
        return sum(1 for r in results if r is not None and r[0] > 0 and r[1] < 0.05)

    return {
        "families": len(families),
        "families_found": sum(1 for f in per_family if f["found"]),
        "paraphrases": sum(f["paraphrases"] for f in per_family),
        "paraphrases_found": sum(f["found"] for f in per_family),
        "per_family": per_family,
        "scripts": len(scripts),
        "non_outcome": len(non_outcome),
        "false_positives": len(false_positives),
        # Of those, the ones presented as scripts (mid-call), and the ones the miner marks
        # as an opening or a sign-off (listed after every script, as documented).
        "false_scripts": sum(1 for g in false_positives if g["phase"] == "middle"),
        "false_marked": sum(1 for g in false_positives if g["phase"] != "middle"),
        "false_positive_phrases": [f"{g['phrase']} ({g['topic']}, {g['phase']})"
                                   for g in false_positives],
        "false_positive_ranks": [i + 1 for i, g in enumerate(non_outcome)
                                 if any(g is f for f in false_positives)],
        "decoys_found": sum(1 for g in found if saying(g, decoys)),
        "general_all_topics": bool(general) and all(g["all_topics"] for g in general),
        "outcomes_found": len({m for m in outcomes for g in found if saying(g, [m])}),
        "outcomes": len(outcomes),
        "outcomes_marked": outcome_marked,
        "outcomes_last": outcome_last,
        "findings": len(found),
        "naive_decoys_flagged": flagged(decoys),
        "naive_decoys": len(decoys),
        "naive_golden_flagged": flagged(planted),
    }


def _burst(bursts: list[dict[str, Any]], burst: dict[str, Any],
           outage: dict[str, Any] | None = None) -> dict[str, Any]:
    """The planted (region, week, product) among the bursts; the planted words its
    description names (a word burst in a cell a product burst already names is not a
    finding of its own: ``topics._one_per_cell``); what ranks above it, and how much of
    that is neither this burst's region-week nor the base data's planted outage."""
    cell = (burst["region"], burst["week_start"], burst["product"])
    rank = _rank(bursts, lambda b: (b["region"], b["week"], b["topic"]) == cell)
    planted = {(burst["region"], burst["week_start"])}
    if outage:
        planted.add((str(outage["region"]), str(outage["week_start"])))
    unplanted = [b for b in bursts if (b["region"], b["week"]) not in planted]
    first_unplanted = _rank(bursts, lambda b: (b["region"], b["week"]) not in planted)
    words = _rank(bursts, lambda b: b["source"] == "words" and b["region"] == burst["region"]
                  and b["week"] == burst["week_start"] and b["topic"] in burst["keywords"])
    found = bursts[rank - 1] if rank else None
    described = str(found.get("discovered_topic") or "") if found else ""
    return {"rank": rank, "word_rank": words, "bursts": len(bursts),
            "ratio": found["ratio"] if found else None,
            "keywords_named": [k for k in burst["keywords"] if k in described],
            "keywords": len(burst["keywords"]), "described": described,
            "above": [f"{b['topic']} {b['region']} {b['week']} ({b['source']})"
                      for b in bursts[:(rank or 1) - 1]],
            "unplanted_above": sum(1 for b in bursts[:(rank or 1) - 1]
                                   if (b["region"], b["week"]) not in planted),
            "unplanted": len(unplanted), "first_unplanted": first_unplanted,
            "outage_known": outage is not None,
            "product_bursts": sum(1 for b in bursts if b["source"] == "product")}


def _gap(gaps: list[dict[str, Any]], data: Any, extensions: dict[str, Any]) -> dict[str, Any]:
    from seci.mining.text import CALLBACK, ESCALATE, HEDGE

    topic = extensions["gap_topic"]["product"]
    control = extensions["control_topic"]["product"]
    rank = _rank(gaps, lambda g: g["topic"] == topic)
    entry = gaps[rank - 1] if rank else None
    control_entry = next((g for g in gaps if g["topic"] == control), None)
    marked = (data.flags & (HEDGE | ESCALATE | CALLBACK)) != 0
    shares = {name: float(marked[data.topic == code].mean())
              for code, name in enumerate(data.topics) if (data.topic == code).any()}
    naive = sorted(shares, key=lambda t: -shares[t])
    return {"rank": rank, "flagged": bool(entry and entry["is_gap"]),
            "control_flagged": bool(control_entry and control_entry["is_gap"]),
            "others_flagged": [g["topic"] for g in gaps if g["is_gap"] and g["topic"] != topic],
            "topics": len(gaps), "naive_rank": naive.index(topic) + 1 if topic in naive else None,
            "naive_first": naive[0] if naive else None}


def _long_calls(long_calls: dict[str, Any], causes: dict[str, Any]) -> dict[str, Any]:
    planted = [m for c in causes["causes"] for m in matches(c["wording"])]
    reasons = long_calls["reasons"]
    first = reasons[:FIRST_REASONS]
    alone = sorted(reasons, key=lambda r: -(r["added_seconds_alone"] or 0.0))
    return {
        "reasons": len(reasons),
        "planted_in_first": sum(1 for r in first if saying(r, planted)),
        "first": len(first),
        "causes": {c["name"]: any(saying(r, matches(c["wording"])) for r in first)
                   for c in causes["causes"]},
        "first_phrases": [r["phrase"] for r in first],
        "naive_planted_in_first": sum(1 for r in alone[:FIRST_REASONS]
                                      if saying(r, planted)),
        "naive_first_planted": bool(alone) and saying(alone[0], planted),
        "naive_first_phrase": alone[0]["phrase"] if alone else None,
    }


def _specialists(ranked: dict[str, list[Any]], specialists: dict[str, Any]) -> dict[str, Any]:
    planted = {(s["topic"], s["agent_id"]) for s in specialists["agents"]}
    flagged = {(topic, a.agent_id) for topic, agents in ranked.items() for a in agents
               if a.specialist}
    hits = flagged & planted
    ranks = []
    for topic, agent_id in sorted(planted):
        agents = ranked.get(topic, [])
        ids = [a.agent_id for a in agents]
        raw = sorted(agents, key=lambda a: -a.fcr)
        raw_ids = [a.agent_id for a in raw]
        mine = next((a for a in agents if a.agent_id == agent_id), None)
        ranks.append({
            "topic": topic, "agent_id": agent_id, "agents": len(ids),
            "rank": ids.index(agent_id) + 1 if agent_id in ids else None,
            "raw_rank": raw_ids.index(agent_id) + 1 if agent_id in raw_ids else None,
            "n": mine.n if mine else 0, "raw_first_n": raw[0].n if raw else 0,
            "flagged": (topic, agent_id) in flagged})
    return {"planted": len(planted), "flagged": len(flagged), "hits": len(hits),
            "precision": len(hits) / len(flagged) if flagged else None,
            "recall": len(hits) / len(planted) if planted else None,
            "false_flags": sorted(f"{a} on {t}" for t, a in flagged - planted),
            "ranks": ranks}


# --- one run (a child process) ------------------------------------------------------------------

def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_one(seed: int, calls: int, directory: Path) -> dict[str, Any]:
    """Generate, import, extract, mine and evaluate one (seed, size) in ``directory``."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session, sessionmaker

    from seci.accounts import service as accounts
    from seci.calls.importing import CallSource
    from seci.calls.kpis import Period
    from seci.calls.tasks import run_call_import
    from seci.core.db import build_engine
    from seci.core.migrate import upgrade
    from seci.core.tabular import FileFormat
    from seci.mining.dataset import load_dataset
    from seci.mining.models import MinedText
    from seci.mining.service import mine
    from seci.mining.tasks import extract_pending
    from seci.roster.importing import import_roster
    from seci.synthetic import GeneratorConfig, write_dataset

    timings: dict[str, float] = {}
    started = time.perf_counter()
    config = GeneratorConfig(seed=seed, total_calls=calls, demo_links=False)
    truth = write_dataset(config.with_mining_effects(), directory)
    timings["generate_s"] = time.perf_counter() - started
    url = f"sqlite:///{directory / 'seci.db'}"
    upgrade(url)
    engine = build_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with Session(engine) as session:
        accounts.seed_queues(session)
        import_roster(session, actor=accounts.system_actor(),
                      path=directory / "roster.jsonl", fmt=FileFormat.JSONL)
        session.commit()
    mark = time.perf_counter()
    report = run_call_import(factory, actor=accounts.system_actor(), source=CallSource(
        calls=directory / "calls.jsonl", calls_format=FileFormat.JSONL,
        calls_name="calls.jsonl"), dry_run=False)
    timings["import_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    extracted = extract_pending(factory)
    timings["extract_s"] = time.perf_counter() - mark
    with factory() as session:
        mark = time.perf_counter()
        data = load_dataset(session, period=Period())
        timings["load_s"] = time.perf_counter() - mark
        mark = time.perf_counter()
        findings = mine(session, data)
        timings["mine_s"] = time.perf_counter() - mark
        agent_texts = {int(h): str(t) for h, t in session.execute(
            select(MinedText.hash, MinedText.text).where(MinedText.kind == "a"))}
        session.rollback()
    result = evaluate(findings, data, truth.extensions, agent_texts,
                      truth.to_dict().get("complaint_spike"))
    engine.dispose()
    return {"seed": seed, "calls": calls, "rows": report.rows, "extracted": extracted,
            "mined": data.size, "timings": timings, "peak_rss_mb": _status_mb("VmHWM"),
            "result": result}


def _child(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="seci_eval_mining_") as tmp:
        payload = run_one(args.seed, args.calls, Path(tmp))
    Path(args.child_out).write_text(json.dumps(payload, ensure_ascii=False))
    return 0


def _run_child(seed: int, calls: int, out: Path) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.eval_mining", "--child", "--seed", str(seed),
               "--calls", str(calls), "--child-out", str(out)]
    started = time.perf_counter()
    code = subprocess.run(command, cwd=ROOT, check=False).returncode
    if code != 0 or not out.exists():
        return {"seed": seed, "calls": calls, "error": f"exit status {code}"}
    result: dict[str, Any] = json.loads(out.read_text())
    result["process_s"] = time.perf_counter() - started
    print(f"seed {seed:>3} {calls:>7,} calls: {result['process_s']:.0f} s — "
          f"{summary_line(result)}", file=sys.stderr, flush=True)
    return result


# --- tables -----------------------------------------------------------------------------------

def _yes(value: bool | None) -> str:
    return "–" if value is None else ("yes" if value else "**no**")


def _at(rank: int | None, of: int | None = None) -> str:
    if rank is None:
        return "**not found**"
    return f"{rank}" + (f" of {of}" if of else "")


def summary_line(run: dict[str, Any]) -> str:
    r = run["result"]
    g, s = r["golden"], r["specialists"]
    return (f"golden {g['families_found']}/{g['families']} families, "
            f"{g['paraphrases_found']}/{g['paraphrases']} paraphrases, FP {g['false_positives']}, "
            f"decoys {g['decoys_found']}; burst #{r['burst']['rank']}; gap #{r['gap']['rank']}; "
            f"long {r['long_calls']['planted_in_first']}/{r['long_calls']['first']}; "
            f"specialists P {s['precision']} R {s['recall']}")


def _set(seed: int) -> str:
    return "dev" if seed in DEV_SEEDS else "blind"


def _separated(runs: list[dict[str, Any]], row: Any, width: int) -> list[tuple[str, ...]]:
    """Rows of the dev seeds, a separator, rows of the other seeds."""
    rows: list[tuple[str, ...]] = []
    for label, group in (("**Dev seeds (tuned on)**", [r for r in runs
                                                      if _set(r["seed"]) == "dev"]),
                         ("**Blind seeds (never used in tuning)**",
                          [r for r in runs if _set(r["seed"]) != "dev"])):
        if not group:
            continue
        rows.append((label, *([""] * (width - 1))))
        for run in group:
            if "error" in run:
                rows.append((f"{run['seed']}", f"{run['calls']:,}", f"failed: {run['error']}",
                             *([""] * (width - 3))))
            else:
                rows.append(row(run))
    return rows


def _specialist_ranks(s: dict[str, Any], key: str) -> str:
    return ", ".join(f"{_at(x[key])}" for x in s["ranks"])


def miners_table(runs: list[dict[str, Any]]) -> str:
    headers = ("Seed", "Calls", "Golden: families / paraphrases found",
               "Golden: false positives among non-outcome findings (mid-call scripts + "
               "marked openings/sign-offs)", "Golden: decoys found",
               "Outcome statements after the scripts",
               "Burst rank (unplanted above); planted words in its description",
               "Gap rank; control flagged", "Long calls: planted in first 4 (timeout / transfer)",
               "Specialists: precision / recall", "Specialists' ranks (shrunk)")

    def row(run: dict[str, Any]) -> tuple[str, ...]:
        r = run["result"]
        g, b, gap, lc, s = (r["golden"], r["burst"], r["gap"], r["long_calls"],
                            r["specialists"])
        per = " + ".join(f"{f['found']}" for f in g["per_family"])
        causes = " / ".join(_yes(v) for v in lc["causes"].values())
        precision = "–" if s["precision"] is None else f"{s['precision']:.2f}"
        recall = "–" if s["recall"] is None else f"{s['recall']:.2f}"
        return (str(run["seed"]), f"{run['mined']:,}",
                f"{g['families_found']}/{g['families']} / {g['paraphrases_found']}/"
                f"{g['paraphrases']} ({per})",
                f"{g['false_positives']} of {g['non_outcome']} "
                f"({g.get('false_scripts', '?')} + {g.get('false_marked', '?')})",
                str(g["decoys_found"]),
                f"{_yes(g['outcomes_last'])} ({g['outcomes_found']}/{g['outcomes']} found)",
                f"{_at(b['rank'])} ({b['unplanted_above']}); "
                f"{len(b['keywords_named'])}/{b['keywords']}",
                f"{_at(gap['rank'])}{'' if gap['flagged'] else ' (not flagged)'}; "
                f"{'**yes**' if gap['control_flagged'] else 'no'}",
                f"{lc['planted_in_first']}/{lc['first']} ({causes})",
                f"{precision} / {recall} ({s['flagged']} flagged)",
                _specialist_ranks(s, "rank") + f" of {s['ranks'][0]['agents']}"
                if s["ranks"] else "–")

    return markdown_table(headers, _separated(runs, row, len(headers)))


def naive_table(runs: list[dict[str, Any]]) -> str:
    headers = ("Seed", "Calls", "Pooled lift: decoy paraphrases flagged (p < 0.05)",
               "Pooled lift: golden paraphrases flagged", "Gap rank by hedge/hand-on share "
               "(first)", "Long calls by seconds alone: planted in first 4 (first)",
               "Specialists' ranks by raw FCR (n of the raw first)")

    def row(run: dict[str, Any]) -> tuple[str, ...]:
        r = run["result"]
        g, gap, lc, s = r["golden"], r["gap"], r["long_calls"], r["specialists"]
        first = (lc["naive_first_phrase"] or "–")[:18]
        return (str(run["seed"]), f"{run['mined']:,}",
                f"{g['naive_decoys_flagged']}/{g['naive_decoys']}",
                f"{g['naive_golden_flagged']}/{g['paraphrases']}",
                f"{_at(gap['naive_rank'])} ({gap['naive_first']})",
                f"{lc['naive_planted_in_first']}/{min(FIRST_REASONS, lc['reasons'])} "
                f"({'planted' if lc['naive_first_planted'] else 'not planted: ' + first})",
                _specialist_ranks(s, "raw_rank") + " (" + ", ".join(
                    f"{x['raw_first_n']} vs {x['n']}" for x in s["ranks"]) + ")"
                if s["ranks"] else "–")

    return markdown_table(headers, _separated(runs, row, len(headers)))


def misses(runs: list[dict[str, Any]]) -> list[str]:
    """Plain sentences for what the miners got wrong, run by run."""
    lines = []
    for run in runs:
        if "error" in run:
            lines.append(f"seed {run['seed']} at {run['calls']:,}: the run failed ({run['error']})")
            continue
        r = run["result"]
        where = f"seed {run['seed']} ({_set(run['seed'])}) at {run['mined']:,} calls"
        g = r["golden"]
        for family in g["per_family"]:
            if family["found"] < family["paraphrases"]:
                lines.append(f"{where}: golden family {family['name']} "
                             f"({family['topic'] or 'every topic'}, +{family['delta']:.2f}) "
                             f"{family['found']} of {family['paraphrases']} paraphrases found")
        if g["false_positives"]:
            lines.append(f"{where}: {g['false_positives']} false golden script(s) at ranks "
                         f"{g['false_positive_ranks']}: " + "; ".join(
                             g["false_positive_phrases"][:4]))
        if g["decoys_found"]:
            lines.append(f"{where}: {g['decoys_found']} decoy finding(s)")
        if not g["outcomes_last"]:
            lines.append(f"{where}: outcome statements not all after the scripts "
                         f"(marked: {g['outcomes_marked']})")
        if not g["general_all_topics"]:
            lines.append(f"{where}: the every-topic family is not one all-topics finding")
        if r["burst"]["rank"] != 1:
            lines.append(f"{where}: planted burst at rank {r['burst']['rank']}, after "
                         + "; ".join(r["burst"]["above"]))
        gap = r["gap"]
        if gap["rank"] != 1 or not gap["flagged"] or gap["control_flagged"]:
            lines.append(f"{where}: gap topic rank {gap['rank']} (flagged {gap['flagged']}), "
                         f"control flagged {gap['control_flagged']}")
        if gap["others_flagged"]:
            lines.append(f"{where}: other topics flagged as gaps: {gap['others_flagged']}")
        lc = r["long_calls"]
        if lc["planted_in_first"] < lc["first"] or not all(lc["causes"].values()):
            lines.append(f"{where}: long calls, {lc['planted_in_first']}/{lc['first']} of the "
                         f"first reasons planted ({lc['first_phrases']})")
        s = r["specialists"]
        if s["false_flags"]:
            lines.append(f"{where}: specialists flagged who are not planted: {s['false_flags']}")
        missed = [f"{x['agent_id']} on {x['topic']} (rank {x['rank']})" for x in s["ranks"]
                  if not x["flagged"]]
        if missed:
            lines.append(f"{where}: planted specialists not flagged: {missed}")
    return lines


# --- command line -----------------------------------------------------------------------------

def _ints(text: str) -> list[int]:
    return [int(v.replace("_", "")) for v in text.split(",") if v.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--seeds", default=",".join(str(s) for s in DEV_SEEDS + BLIND_SEEDS))
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--parallel", type=int, default=1,
                        help="runs at once (each a process; 2 on a 2-core machine)")
    parser.add_argument("--json-out", default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--calls", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args)
    plan = [(seed, size) for size in _ints(args.sizes) for seed in _ints(args.seeds)]
    load_before = load_average()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="seci_eval_mining_out_") as tmp, \
            ThreadPoolExecutor(max_workers=max(1, args.parallel)) as pool:
        runs = list(pool.map(lambda p: _run_child(p[0], p[1],
                                                  Path(tmp) / f"{p[0]}_{p[1]}.json"), plan))
    runs.sort(key=lambda r: (r["calls"], _set(r["seed"]) != "dev", r["seed"]))
    payload = {"benchmark": "eval_mining", "dev_seeds": list(DEV_SEEDS), "runs": runs,
               "load_before": load_before, "load_after": load_average(),
               "minutes": (time.perf_counter() - started) / 60}
    write_json(args.json_out, payload)
    print(miners_table(runs))
    print()
    print(naive_table(runs))
    print()
    for line in misses(runs):
        print(f"- {line}")
    return 0 if all("error" not in r for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
