"""Side-by-side, character-level comparison of two versions.

Chinese has no spaces, so a word diff is meaningless; a raw character diff is noisy.
diff-match-patch's semantic clean-up merges tiny equalities into readable edits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from diff_match_patch import diff_match_patch

Op = Literal["equal", "insert", "delete"]

_OPS: dict[int, Op] = {0: "equal", 1: "insert", -1: "delete"}


@dataclass(frozen=True)
class Segment:
    op: Op
    text: str


@dataclass(frozen=True)
class FieldDiff:
    field: str
    changed: bool
    segments: list[Segment]

    @property
    def left(self) -> list[Segment]:
        """What the older side shows: equal and deleted text."""
        return [s for s in self.segments if s.op != "insert"]

    @property
    def right(self) -> list[Segment]:
        """What the newer side shows: equal and inserted text."""
        return [s for s in self.segments if s.op != "delete"]


def diff_text(old: str, new: str) -> list[Segment]:
    engine = diff_match_patch()
    engine.Diff_Timeout = 2.0
    diffs = engine.diff_main(old or "", new or "")
    engine.diff_cleanupSemantic(diffs)
    return [Segment(_OPS[op], text) for op, text in diffs if text]


# Fields that hold Markdown: compared by their content, not their layout.
MARKDOWN_FIELDS = frozenset({"body", "customer_answer"})
_BULLET = re.compile(r"^(\s*)[*+](\s+)", re.M)
_TABLE_RULE_CELL = re.compile(r"^\s*(:?)-{3,}(:?)\s*$")


def _table_rule(line: str) -> str | None:
    """A table's header rule (|---|:---:|) in one spelling, or None if ``line`` is not one."""
    cells = line.strip().strip("|").split("|")
    if "-" not in line or not all(_TABLE_RULE_CELL.match(cell) for cell in cells):
        return None
    return "|" + "|".join(
        f"{m.group(1)}---{m.group(2)}"
        for m in (_TABLE_RULE_CELL.match(cell) for cell in cells) if m) + "|"


def markdown_layout(text: str) -> str:
    """The Markdown as a reader compares it: the rich-text editor writes the same content
    with another layout (blank lines between blocks, ``*`` bullets, padded table rules) than
    an editor typing or an import, and a review must show what changed, not how it was
    spelled. Blank lines and trailing spaces go, bullets become ``-``, table rules ``|---|``."""
    lines = []
    for line in _BULLET.sub(r"\1-\2", text or "").splitlines():
        line = line.rstrip()
        if not line:
            continue
        lines.append(_table_rule(line) or line)
    return "\n".join(lines)


def diff_whole(old: str, new: str) -> list[Segment]:
    """A value compared as one piece (a code: half a code means nothing)."""
    if old == new:
        return [Segment("equal", old)] if old else []
    return [segment for segment in (Segment("delete", old), Segment("insert", new))
            if segment.text]


def diff_fields(old: dict[str, str], new: dict[str, str], *,
                whole: frozenset[str] = frozenset(),
                markdown: frozenset[str] = MARKDOWN_FIELDS) -> list[FieldDiff]:
    """Compare named text fields (lists are joined one item per line by the caller);
    the fields named in ``whole`` hold codes and are compared as one piece, those in
    ``markdown`` by their content (``markdown_layout``)."""
    result = []
    for name in old.keys() | new.keys():
        before, after = old.get(name, ""), new.get(name, "")
        if name in markdown:
            before, after = markdown_layout(before), markdown_layout(after)
        compare = diff_whole if name in whole else diff_text
        result.append(FieldDiff(name, before != after, compare(before, after)))
    order = list(old) + [k for k in new if k not in old]
    return sorted(result, key=lambda d: order.index(d.field))
