"""Side-by-side, character-level comparison of two versions.

Chinese has no spaces, so a word diff is meaningless; a raw character diff is noisy.
diff-match-patch's semantic clean-up merges tiny equalities into readable edits.
"""

from __future__ import annotations

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


def diff_whole(old: str, new: str) -> list[Segment]:
    """A value compared as one piece (a code: half a code means nothing)."""
    if old == new:
        return [Segment("equal", old)] if old else []
    return [segment for segment in (Segment("delete", old), Segment("insert", new))
            if segment.text]


def diff_fields(old: dict[str, str], new: dict[str, str], *,
                whole: frozenset[str] = frozenset()) -> list[FieldDiff]:
    """Compare named text fields (lists are joined one item per line by the caller);
    the fields named in ``whole`` hold codes and are compared as one piece."""
    result = []
    for name in old.keys() | new.keys():
        before, after = old.get(name, ""), new.get(name, "")
        compare = diff_whole if name in whole else diff_text
        result.append(FieldDiff(name, before != after, compare(before, after)))
    order = list(old) + [k for k in new if k not in old]
    return sorted(result, key=lambda d: order.index(d.field))
