"""Knowledge packages (知识包): published articles with the images and files they use, in one
.zip another SECI imports — a test system's knowledge moved to production, a branch
centre's merged into the head office's. A spreadsheet or JSONL export carries the bodies
only: their images point at ``/kb/attachments/<id>`` of the system they came from.

Layout (``FORMAT_VERSION`` 1)::

    articles.jsonl     the JSONL export, bodies as they are (``/kb/attachments/12``)
    attachments.json   {"format": "seci-knowledge-package", "version": 1,
                        "files": [{"id": 12, "path": "attachments/12", "filename": "资费表.png",
                                   "content_type": "image/png"}]}
    attachments/12     the bytes

On import (``importing.import_articles``) every file a row refers to is checked like an
upload (size, the type its content really has) and kept; the rows' references are rewritten
to the new ids. A file already kept here with the same name and bytes, that the importer may
read, is used again, so importing a package twice changes nothing.

Reading is careful with what it is given: a package is a zip from anywhere, so the number of
entries and the unpacked size are bounded before anything is read, and entries are read by
the names the manifest gives, never written to disk under their own names.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from seci.core.i18n import N_
from seci.core.tabular import ImportFileError

ARTICLES = "articles.jsonl"
MANIFEST = "attachments.json"
FILES_DIR = "attachments/"
FORMAT_NAME = "seci-knowledge-package"
FORMAT_VERSION = 1
SUFFIX = "zip"
MEDIA_TYPE = "application/zip"
# A knowledge base's images and forms: thousands of files, not millions. Bounded before
# anything is unpacked (a zip of a few KB can unpack to gigabytes).
MAX_ENTRIES = 20_000
MAX_UNPACKED = 2 * 1024**3
# The row columns that may refer to attachments.
TEXT_COLUMNS = ("body", "customer_answer")
# Where a reference to a file the package lacks is pointed: no attachment has id 0, so the
# reader gets "not found" and nothing of this system is linked by accident.
NO_FILE = 0


class NotAPackage(ImportFileError):
    code = "package_not_a_zip"
    message = N_("The file is not a SECI knowledge package (.zip with articles.jsonl).")


class PackageTooLarge(ImportFileError):
    code = "package_too_large"
    message = N_("The package unpacks to more than {limit} files or {limit_mb} MB.")


class BadManifest(ImportFileError):
    code = "package_bad_manifest"
    message = N_("The package's attachments.json cannot be read: {detail}")


class PackedFileRefused(ImportFileError):
    code = "package_file_refused"
    message = N_("{filename} (file {id} of the package) is empty or not an image or document "
                 "SECI accepts (PNG, JPEG, GIF, WebP, PDF, Word, Excel, PowerPoint, "
                 "WPS/OpenDocument, TXT, CSV).")


class PackedFileTooLarge(ImportFileError):
    code = "package_file_too_large"
    message = N_("{filename} (file {id} of the package) is {size_mb} MB; an article's image "
                 "or file may be at most {limit_mb} MB.")


@dataclass(frozen=True)
class PackedFile:
    """One image or file of a package, under the id the exporting system gave it."""

    id: int
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Package:
    articles: bytes  # JSONL, as the article import reads it
    files: Mapping[int, PackedFile]


def is_package(filename: str, fmt: str | None = None) -> bool:
    """Whether an import is a package: asked for (``zip``) or named so."""
    if fmt:
        return fmt.lower().lstrip(".") == SUFFIX
    return Path(filename).suffix.lower().lstrip(".") == SUFFIX


@dataclass(frozen=True)
class StoredFile:
    """An image or file of this system's store, packed from disk as it is read: an export
    never holds the attachments in memory."""

    id: int
    filename: str
    content_type: str
    path: Path


def write_package_to(out: BinaryIO, articles: Iterable[bytes],
                     files: Callable[[], Sequence[PackedFile | StoredFile]]) -> None:
    """The .zip written into ``out`` as it goes: the articles' JSONL from ``articles``,
    piece by piece; then ``files()`` — called once the articles are written, so that an
    export learns from them which files to carry — listed in the manifest and copied in.
    Deflated: images barely shrink but text does."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # Zip64 from the start: the entry's size is not known before it is written.
        with archive.open(ARTICLES, "w", force_zip64=True) as entry:
            for piece in articles:
                entry.write(piece)
        packed = files()
        manifest = {
            "format": FORMAT_NAME, "version": FORMAT_VERSION,
            "files": [{"id": f.id, "path": f"{FILES_DIR}{f.id}", "filename": f.filename,
                       "content_type": f.content_type} for f in packed],
        }
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        for one in packed:
            if isinstance(one, StoredFile):
                archive.write(one.path, f"{FILES_DIR}{one.id}")  # read in chunks
            else:
                archive.writestr(f"{FILES_DIR}{one.id}", one.data)


def write_package(articles_jsonl: bytes, files: Sequence[PackedFile | StoredFile]) -> bytes:
    """The .zip as bytes (tests, benchmarks; exports write to a file: ``write_package_to``)."""
    buffer = io.BytesIO()
    write_package_to(buffer, [articles_jsonl], lambda: files)
    return buffer.getvalue()


def read_package(data: bytes) -> Package:
    """The articles and files of a package, or an error that says what is wrong with it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise NotAPackage() from None
    with archive:
        entries = archive.infolist()
        if (len(entries) > MAX_ENTRIES
                or sum(entry.file_size for entry in entries) > MAX_UNPACKED):
            raise PackageTooLarge(limit=MAX_ENTRIES, limit_mb=MAX_UNPACKED // 1024**2)
        names = {entry.filename for entry in entries}
        if ARTICLES not in names:
            raise NotAPackage()
        articles = _read(archive, ARTICLES)
        files = _files(archive, names) if MANIFEST in names else {}
    return Package(articles=articles, files=files)


def _read(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        # A damaged entry (bad CRC, truncated) or one packed with an unsupported method.
        raise NotAPackage() from exc


def _files(archive: zipfile.ZipFile, names: set[str]) -> dict[int, PackedFile]:
    try:
        manifest = json.loads(_read(archive, MANIFEST).decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadManifest(detail=str(exc)[:200]) from None
    listed = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(listed, list):
        raise BadManifest(detail='"files" is not a list')
    files: dict[int, PackedFile] = {}
    for item in listed:
        packed = _packed(item, names, lambda name: _read(archive, name))
        files[packed.id] = packed
    return files


def _packed(item: Any, names: set[str], read: Callable[[str], bytes]) -> PackedFile:
    if not isinstance(item, dict):
        raise BadManifest(detail=f"not an object: {str(item)[:80]}")
    identifier, path = item.get("id"), item.get("path")
    if not isinstance(identifier, int) or isinstance(identifier, bool) or identifier < 1:
        raise BadManifest(detail=f"bad id: {str(identifier)[:40]}")
    if not isinstance(path, str) or path not in names:
        raise BadManifest(detail=f"file {identifier}: {str(path)[:80]} is not in the package")
    filename = item.get("filename")
    return PackedFile(id=identifier,
                      filename=filename if isinstance(filename, str) else f"file-{identifier}",
                      content_type=str(item.get("content_type") or ""), data=read(path))
