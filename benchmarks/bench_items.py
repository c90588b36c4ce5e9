"""Item analysis of an exam at scale: 1,000 attempts × 100 questions in under a second.

    .venv/bin/python -m benchmarks.bench_items [--attempts 1000] [--questions 100]
    .venv/bin/python -m benchmarks --only items      # and append the section

Simulated marks (a Rasch model: ability ~ N(0, 1), difficulty ~ U(−2, 2), four options,
wrong answers spread unevenly over the distractors) go through
``seci.people.item_analysis.analyse_matrix`` — facility, item–rest discrimination,
discriminative efficiency, KR-20, SEM, option shares overall and in the top and bottom
27 %, the weak-item flags — once with every attempt answering every question (a fixed
paper) and once with each attempt drawing half of the questions. The time is the median of
``--repeat`` runs in this process (numpy only, no database).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import markdown_table
from seci.people.item_analysis import analyse_matrix

TARGET_S = 1.0
SEED = 16
OPTIONS = 4


def simulated(attempts: int, questions: int, drawn_share: float, seed: int = SEED
              ) -> tuple[Any, Any, Any, Any]:
    """Marks, the drawn mask, the chosen options and the key of a simulated exam."""
    rng = np.random.default_rng(seed)
    ability = rng.normal(0, 1, attempts)[:, None]
    difficulty = rng.uniform(-2, 2, questions)[None, :]
    right = rng.random((attempts, questions)) < 1 / (1 + np.exp(-1.7 * (ability - difficulty)))
    answered = rng.random((attempts, questions)) < drawn_share if drawn_share < 1 else \
        np.ones((attempts, questions), dtype=bool)
    key_index = rng.integers(0, OPTIONS, questions)
    key = np.zeros((questions, OPTIONS), dtype=bool)
    key[np.arange(questions), key_index] = True
    # Wrong answers: the first distractor after the key is chosen half the time.
    offset = np.where(rng.random((attempts, questions)) < 0.5, 1,
                      rng.integers(1, OPTIONS, (attempts, questions)))
    choice = np.where(right, key_index[None, :], (key_index[None, :] + offset) % OPTIONS)
    chosen = np.zeros((attempts, questions, OPTIONS), dtype=bool)
    np.put_along_axis(chosen, choice[:, :, None], True, axis=2)
    return right.astype(np.float64), answered, chosen & answered[:, :, None], key


def measure(attempts: int, questions: int, drawn_share: float, repeat: int) -> dict[str, Any]:
    scores, answered, chosen, key = simulated(attempts, questions, drawn_share)
    times = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = analyse_matrix(scores, answered, chosen, key)
        times.append(time.perf_counter() - started)
    assert result is not None
    median = statistics.median(times)
    return {"attempts": attempts, "questions": questions, "drawn_share": drawn_share,
            "median_s": median, "max_s": max(times), "repeat": repeat,
            "alpha": result.alpha, "weak": sum(1 for f in result.flags if f),
            "verdict": "PASS" if median < TARGET_S else "FAIL"}


def table(results: list[dict[str, Any]]) -> str:
    return markdown_table(
        ("Attempts × questions", "Questions drawn per attempt", "Median", "Slowest",
         "KR-20", "Weak items", "< 1 s"),
        [(f"{r['attempts']:,} × {r['questions']}", f"{r['drawn_share']:.0%}",
          f"{r['median_s'] * 1000:.0f} ms", f"{r['max_s'] * 1000:.0f} ms",
          "–" if r["alpha"] is None else f"{r['alpha']:.3f}", r["weak"], r["verdict"])
         for r in results])


def section(data: dict[str, Any] | None) -> list[str]:
    if data is None:
        return ["### Item analysis", "", "The item-analysis benchmark failed; see the console "
                "output.", ""]
    results = data["results"]
    overall = "PASS" if all(r["verdict"] == "PASS" for r in results) else "FAIL"
    return [f"### Item analysis, {data['attempts']:,} attempts × {data['questions']} "
            f"questions — under {TARGET_S:.0f} s: {overall}", "",
            "`seci.people.item_analysis.analyse_matrix` on simulated marks (Rasch model, seed "
            f"{SEED}, four options): every figure of the item-analysis page at once; median "
            f"of {results[0]['repeat']} runs in one process, numpy {np.__version__}. KR-20 is "
            "over the questions every attempt drew (none when each draws half).", "",
            table(results), ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--attempts", type=int, default=1000)
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json-out", type=Path, default=None)
    args = parser.parse_args(argv)
    results = [measure(args.attempts, args.questions, share, args.repeat)
               for share in (1.0, 0.5)]
    data = {"attempts": args.attempts, "questions": args.questions, "results": results}
    print(table(results))
    if args.json_out:
        args.json_out.write_text(json.dumps(data))
    return 0 if all(r["verdict"] == "PASS" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
