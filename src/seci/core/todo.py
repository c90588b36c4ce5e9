"""One kind of work waiting for a user: what the home page lists, across every domain.

Each domain answers for itself with a ``todos_for(session, actor)`` service that returns
these (codes and numbers, no sentences: the page names each ``kind`` in the reader's
language); the home page only puts them side by side.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Todo:
    kind: str  # "<domain>.<what>", e.g. "knowledge.review"
    count: int
    url: str  # where the work is done
    due: date | None = None  # the nearest deadline among them
    overdue: int = 0  # how many are past their deadline


def todo(kind: str, url: str, dues: Iterable[date | None], *, count: int | None = None,
         on: date) -> Todo:
    """A to-do from the deadlines of its items (None: an item without one); ``count``
    when there are more items than deadlines listed."""
    listed = list(dues)
    known = [d for d in listed if d is not None]
    return Todo(kind, len(listed) if count is None else count, url,
                min(known, default=None), sum(1 for d in known if d < on))


def waiting(todos: Iterable[Todo]) -> list[Todo]:
    """Only the to-dos with something to do."""
    return [t for t in todos if t.count > 0]
