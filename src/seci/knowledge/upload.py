"""Read an uploaded file into memory without ever holding more than the size limit."""

from __future__ import annotations

from typing import Protocol

from seci.knowledge.tabular import check_size

_CHUNK = 1024 * 1024


class Readable(Protocol):
    size: int | None

    async def read(self, size: int = -1) -> bytes: ...


async def read_upload(upload: Readable, limit: int) -> bytes:
    if upload.size is not None:
        check_size(upload.size, limit)  # the real size, before reading anything
    chunks: list[bytes] = []
    total = 0
    while chunk := await upload.read(_CHUNK):
        total += len(chunk)
        check_size(total, limit)
        chunks.append(chunk)
    return b"".join(chunks)
