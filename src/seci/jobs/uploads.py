"""Where uploaded files wait for the job that imports them: a directory per upload in the
data directory, removed by the job when it is done."""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path
from typing import BinaryIO

from seci.core.config import get_settings
from seci.core.tabular import check_size

_CHUNK = 1024 * 1024
_UNSAFE = re.compile(r"[^\w.\-]+")


def new_upload_dir() -> Path:
    directory = get_settings().data_dir / "uploads" / uuid.uuid4().hex
    directory.mkdir(parents=True, exist_ok=False)
    return directory.resolve()


def safe_name(name: str, default: str) -> str:
    """A file name that cannot leave its directory (the extension is kept)."""
    cleaned = _UNSAFE.sub("_", Path(name or "").name).strip("._")
    return cleaned[-120:] or default


def save_stream(source: BinaryIO, target: Path, limit: int) -> int:
    """Copy an upload to disk in chunks, refusing it once it passes the limit."""
    written = 0
    with target.open("wb") as out:
        while chunk := source.read(_CHUNK):
            written += len(chunk)
            check_size(written, limit)
            out.write(chunk)
    return written


def discard(directory: Path | str | None) -> None:
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
