"""One archive file with everything SECI cannot rebuild: the database and the data directory.

The archive is a ``tar.gz`` holding, in this order:

- ``manifest.json``: format, SECI version, the database's migration revision, the kind
  of database, when it was made and what else it holds;
- ``database/seci.sqlite3`` (SQLite, copied with the online backup API: a consistent
  snapshot while the server keeps writing) or ``database/seci.pgdump`` (PostgreSQL,
  ``pg_dump --format=custom``, restored with ``pg_restore``);
- ``data/…``: the data directory (``SECI_DATA_DIR``): uploads waiting for their import
  job and anything else kept there, without the SQLite database itself and without
  ``cache/``. The search index is not a file: every process builds it in memory from the
  database at start, so nothing of it needs saving.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from seci import __version__
from seci.core import migrate
from seci.ops.errors import (
    BackupFromNewerSchema,
    DatabaseKindMismatch,
    DatabaseNotEmpty,
    DatabaseUnreachable,
    NotABackup,
    ToolFailed,
    ToolMissing,
    UnsupportedBackupFormat,
    UnsupportedDatabase,
)

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/seci.sqlite3"
PGDUMP_MEMBER = "database/seci.pgdump"
DATA_PREFIX = "data"
# Rebuilt or recreated by SECI itself: not worth a byte of the archive.
SKIPPED_DATA = frozenset({"cache"})
_SQLITE_SIDE_FILES = ("", "-wal", "-shm", "-journal")


@dataclass(frozen=True)
class Manifest:
    """What an archive says about itself."""

    format: int
    seci_version: str
    migration_head: str | None
    database: str
    created_at: str
    data_files: int
    search_index: str = "not included: built in memory from the database at start"

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=2).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        data: dict[str, Any] = json.loads(raw)
        return cls(format=int(data["format"]), seci_version=str(data["seci_version"]),
                   migration_head=data.get("migration_head"), database=str(data["database"]),
                   created_at=str(data["created_at"]), data_files=int(data.get("data_files", 0)))


@dataclass(frozen=True)
class RestoreResult:
    manifest: Manifest
    needs_upgrade: bool  # the archive is from an older migration: run `seci db upgrade`


def database_kind(url: str) -> str:
    """``sqlite`` or ``postgresql``; anything else cannot be backed up here."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return "sqlite"
    if backend == "postgresql":
        return "postgresql"
    raise UnsupportedDatabase(url=parsed.render_as_string(hide_password=True))


@lru_cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(migrate.alembic_config())


def code_heads() -> tuple[str, ...]:
    """The migration heads this SECI's code ships (one, unless branches are open)."""
    return tuple(_scripts().get_heads())


def current_revision(engine: Engine) -> str | None:
    """The database's migration revision (None: never migrated)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _database_revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        return current_revision(engine)
    except SQLAlchemyError as error:
        raise _unreachable(url, error) from error
    finally:
        engine.dispose()


def _unreachable(url: str, error: SQLAlchemyError) -> DatabaseUnreachable:
    cause = getattr(error, "orig", None) or error  # the driver's message, not SQLAlchemy's
    lines = str(cause).strip().splitlines()
    return DatabaseUnreachable(url=make_url(url).render_as_string(hide_password=True),
                               detail=lines[0] if lines else type(error).__name__)


def _is_known_revision(revision: str) -> bool:
    try:
        return _scripts().get_revision(revision) is not None
    except CommandError:
        return False


# --- backup -------------------------------------------------------------------------------


def default_archive_name(now: datetime) -> str:
    return f"seci-backup-{now.strftime('%Y%m%d-%H%M%S')}.tar.gz"


def create_backup(*, url: str, data_dir: Path, target: Path,
                  now: datetime | None = None) -> tuple[Path, Manifest]:
    """Write the archive to ``target`` (a ``….tar.gz`` file, or a directory to put a dated
    file in); returns its path and manifest. The file appears only when complete."""
    kind = database_kind(url)
    now = now or datetime.now(UTC)
    if target.is_dir() or not target.name.endswith((".tar.gz", ".tgz")):
        target = target / default_archive_name(now)
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="seci-backup-") as work:
        if kind == "sqlite":
            dump, member = Path(work) / "seci.sqlite3", SQLITE_MEMBER
            _sqlite_snapshot(url, dump)
            revision = _database_revision(f"sqlite:///{dump}")  # of the snapshot itself
        else:
            _require("pg_dump")  # before anything else: the commonest mistake on a new machine
            dump, member = Path(work) / "seci.pgdump", PGDUMP_MEMBER
            revision = _database_revision(url)
            _pg_dump(url, dump)
        excluded = _excluded_paths(url, kind, target)
        data_files = sorted(_data_files(data_dir, excluded, skip_dir=target.parent))
        manifest = Manifest(format=FORMAT, seci_version=__version__, migration_head=revision,
                            database=kind, created_at=now.isoformat(timespec="seconds"),
                            data_files=len(data_files))
        partial = target.with_name(f".{target.name}.partial")
        try:
            with tarfile.open(partial, "w:gz") as archive:
                info = tarfile.TarInfo(MANIFEST)
                raw = manifest.to_json()
                info.size, info.mtime = len(raw), int(now.timestamp())
                archive.addfile(info, io.BytesIO(raw))  # first: read without unpacking all
                archive.add(dump, arcname=member)
                for path in data_files:
                    relative = path.relative_to(data_dir).as_posix()
                    archive.add(path, arcname=f"{DATA_PREFIX}/{relative}", recursive=False)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
    return target, manifest


def _sqlite_path(url: str) -> Path:
    return Path(str(make_url(url).database)).resolve()


def _sqlite_snapshot(url: str, target: Path) -> None:
    """A consistent copy while others write: SQLite's online backup API."""
    source = _sqlite_path(url)
    if not source.is_file():  # connecting would create an empty database
        raise DatabaseUnreachable(url=url, detail=f"{source} does not exist")
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal
    finally:
        dst.close()
        src.close()


def _excluded_paths(url: str, kind: str, target: Path) -> set[Path]:
    excluded = {target, target.with_name(f".{target.name}.partial")}
    if kind == "sqlite":
        database = _sqlite_path(url)
        excluded |= {Path(f"{database}{suffix}") for suffix in _SQLITE_SIDE_FILES}
    return excluded


def _data_files(data_dir: Path, excluded: set[Path], *, skip_dir: Path) -> Iterator[Path]:
    """Files and directories of the data directory worth keeping (symlinks not followed):
    not the database, not ``cache/``, not earlier backups kept in it."""
    if not data_dir.is_dir():
        return
    for root, dirs, files in os.walk(data_dir):
        here = Path(root)
        if here == data_dir:
            dirs[:] = [d for d in dirs if d not in SKIPPED_DATA]
        dirs[:] = [d for d in dirs if (here / d).resolve() != skip_dir]
        for name in dirs:
            yield here / name
        for name in files:
            path = here / name
            if path.resolve() in excluded or name.endswith(".partial") or (
                    name.startswith("seci-backup-") and name.endswith(".tar.gz")):
                continue
            yield path


# --- PostgreSQL client programs -----------------------------------------------------------


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment carrying it (so it
    never shows in the process list)."""
    parsed: URL = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = URL.create("postgresql", username=parsed.username, host=parsed.host,
                       port=parsed.port, database=parsed.database, query=parsed.query)
    return plain.render_as_string(hide_password=False), env


def _require(tool: str) -> str:
    binary = shutil.which(tool)
    if binary is None:
        raise ToolMissing(tool=tool)
    return binary


def _run(tool: str, args: list[str], env: dict[str, str]) -> None:
    binary = _require(tool)
    done = subprocess.run([binary, *args], env=env, capture_output=True, text=True,  # noqa: S603
                          check=False)
    if done.returncode != 0:
        raise ToolFailed(tool=tool, detail=(done.stderr or done.stdout).strip()[-2000:])


def _pg_dump(url: str, target: Path) -> None:
    dsn, env = _libpq(url)
    _run("pg_dump", ["--format=custom", f"--file={target}", f"--dbname={dsn}"], env)


def _pg_restore(url: str, dump: Path, *, clean: bool) -> None:
    dsn, env = _libpq(url)
    args = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
            f"--dbname={dsn}"]
    if clean:
        args[:0] = ["--clean", "--if-exists"]
    _run("pg_restore", [*args, str(dump)], env)


# --- restore ------------------------------------------------------------------------------


def read_manifest(archive: Path) -> Manifest:
    """The archive's manifest (its first member), or NotABackup."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            first = tar.next()
            if first is None or first.name != MANIFEST:
                raise NotABackup(path=str(archive), detail="manifest.json is not its first file")
            handle = tar.extractfile(first)
            if handle is None:
                raise NotABackup(path=str(archive), detail="manifest.json is not a file")
            return Manifest.from_json(handle.read())
    except (OSError, tarfile.TarError, ValueError, KeyError, TypeError) as error:
        raise NotABackup(path=str(archive), detail=str(error)) from error


def check_restorable(manifest: Manifest, *, url: str) -> bool:
    """Refuse what cannot be restored here; True when the archive's schema is older than
    the code's (run the migrations afterwards)."""
    if manifest.format != FORMAT:
        raise UnsupportedBackupFormat(found=manifest.format, expected=FORMAT)
    kind = database_kind(url)
    if manifest.database != kind:
        raise DatabaseKindMismatch(found=manifest.database, expected=kind)
    heads = code_heads()
    revision = manifest.migration_head
    if revision is not None and not _is_known_revision(revision):
        raise BackupFromNewerSchema(revision=revision, head=", ".join(heads))
    return revision not in heads


def database_has_tables(url: str) -> bool:
    if database_kind(url) == "sqlite" and not _sqlite_path(url).exists():
        return False
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return bool(inspect(connection).get_table_names())
    except SQLAlchemyError as error:
        raise _unreachable(url, error) from error
    finally:
        engine.dispose()


def restore_backup(*, archive: Path, url: str, data_dir: Path,
                   force: bool = False) -> RestoreResult:
    """Put an archive's database and data files back. Stop the server and workers first."""
    manifest = read_manifest(archive)
    needs_upgrade = check_restorable(manifest, url=url)
    if manifest.database == "postgresql":
        _require("pg_restore")
    not_empty = database_has_tables(url)
    if not_empty and not force:
        raise DatabaseNotEmpty(url=make_url(url).render_as_string(hide_password=True))
    with tempfile.TemporaryDirectory(prefix="seci-restore-") as work, \
            tarfile.open(archive, "r:gz") as tar:
        member = SQLITE_MEMBER if manifest.database == "sqlite" else PGDUMP_MEMBER
        try:
            tar.extract(member, work, filter="data")
        except KeyError as error:
            raise NotABackup(path=str(archive), detail=f"{member} is missing") from error
        dump = Path(work) / member
        if manifest.database == "sqlite":
            _sqlite_restore(dump, _sqlite_path(url))
        else:
            if not_empty:
                _drop_public_tables(url)
            _pg_restore(url, dump, clean=not_empty)
        data_dir.mkdir(parents=True, exist_ok=True)
        for entry in tar:
            if entry.name.startswith(f"{DATA_PREFIX}/"):
                entry.name = entry.name[len(DATA_PREFIX) + 1:]
                tar.extract(entry, data_dir, filter="data")
    return RestoreResult(manifest=manifest, needs_upgrade=needs_upgrade)


def _sqlite_restore(source: Path, target: Path) -> None:
    """Replace the target database's contents page by page (the online backup API, also
    into a file another process has open)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _drop_public_tables(url: str) -> None:
    """--force on PostgreSQL: drop every table of the public schema (also those of newer
    migrations the archive lacks), so the restored schema is exactly the archive's."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for table in inspect(connection).get_table_names():
                connection.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
    except SQLAlchemyError as error:
        raise ToolFailed(tool="DROP TABLE", detail=str(error)) from error
    finally:
        engine.dispose()
