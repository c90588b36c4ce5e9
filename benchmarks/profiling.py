"""Summaries of py-spy's collapsed stacks (``py-spy record --format raw``).

    python -m benchmarks.profiling profile.txt [--top 25] [--match seci/] [--within FUNC]

prints, for the functions in the sampled stacks, the share of samples in which each
appears (inclusive) and on top (self), so a profile can be quoted in a report.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


def _short(frame: str) -> str:
    match = _FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    path = match.group("file")
    for marker in ("site-packages/", "src/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{match.group('func')} ({path})"


def summarise(text: str, *, top: int = 25, match: str | None = None,
              within: str | None = None) -> str:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in text.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_short(f) for f in stack.split(";") if f]
        if within is not None:
            starts = [i for i, f in enumerate(frames) if f.startswith(within + " ")]
            if not starts:
                continue
            frames = frames[starts[0]:]
        if frames and frames[0].startswith("process "):
            frames = frames[1:]
        if frames and frames[0].startswith("thread "):
            frames = frames[1:]
        total += count
        for name in set(frames):
            inclusive[name] += count
        if frames:
            own[frames[-1]] += count
    if not total:
        return "(no samples)"
    rows = [(name, n) for name, n in inclusive.most_common()
            if match is None or match in name]
    lines = [f"{total} samples; inclusive % (self %) per function"
             + (f" matching {match!r}" if match else "")
             + (f", within {within}()" if within else "")]
    for name, n in rows[:top]:
        lines.append(f"{100 * n / total:6.1f}% ({100 * own[name] / total:5.1f}%)  {name}")
    lines.append("top self time:")
    for name, n in own.most_common(12):
        lines.append(f"{100 * n / total:6.1f}%  {name}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Summarise py-spy raw (collapsed) output")
    parser.add_argument("path", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--match", default=None, help="only functions whose name/file has this")
    parser.add_argument("--within", default=None,
                        help="only samples under this function (e.g. import_articles)")
    args = parser.parse_args(argv)
    print(summarise(args.path.read_text(), top=args.top, match=args.match,
                    within=args.within))
    return 0


if __name__ == "__main__":
    sys.exit(main())
