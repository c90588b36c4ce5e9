"""Giving freed memory back to the operating system.

glibc keeps memory a process has freed in its heap for reuse, and a heap fragmented by
millions of short-lived objects (the rows of a large query) stays resident after they are
gone: loading a million calls for mining left 0.5 GB of freed memory resident beside the
0.5 GB of arrays it built. ``malloc_trim`` returns those pages. Elsewhere (musl, macOS,
Windows) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def release_free_memory() -> bool:
    """Return the heap's free pages to the system; whether it could be asked."""
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
