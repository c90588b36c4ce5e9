"""Read an uploaded file into memory without ever holding more than the size limit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from seci.knowledge.tabular import check_size

_CHUNK = 1024 * 1024


class Readable(Protocol):
    size: int | None

    async def read(self, size: int = -1) -> bytes: ...


async def read_upload(upload: Readable, limit: int,
                      check: Callable[[int], None] | None = None) -> bytes:
    """The upload's bytes; ``check`` (default: the import limit's) refuses a size."""
    check = check or (lambda size: check_size(size, limit))
    if upload.size is not None:
        check(upload.size)  # the real size, before reading anything
    chunks: list[bytes] = []
    total = 0
    while chunk := await upload.read(_CHUNK):
        total += len(chunk)
        check(total)
        chunks.append(chunk)
    return b"".join(chunks)
