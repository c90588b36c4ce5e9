"""`seci backup` / `seci restore`: a round trip keeps every row and the data files, on the
database the suite runs on (SQLite, or PostgreSQL with SECI_TEST_DATABASE_URL through
pg_dump / pg_restore); restore refuses what it must not overwrite or cannot read."""

from __future__ import annotations

import io
import json
import sqlite3
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from seci.core.db import build_engine
from seci.ops import backup as ops
from seci.ops.errors import (
    BackupFromNewerSchema,
    DatabaseKindMismatch,
    DatabaseNotEmpty,
    DatabaseUnreachable,
    NotABackup,
    ToolMissing,
    UnsupportedBackupFormat,
)
from tests.conftest import _test_database_url, create_database
from tests.factories import build_world, make_article


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _fill(engine: Engine) -> None:
    """A small hotline: queues, modules, a user per role, articles with versions and audit."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as db:
        world = build_world(db)
        make_article(db, world, code="ROAM", title="国际漫游开通说明")
        make_article(db, world, code="TOPUP", title="话费充值渠道", body="营业厅、App 均可充值。",
                     similar_questions=["怎么交话费"])
        make_article(db, world, code="DRAFT", title="宽带报修（草稿）", reviewer=None)
        db.commit()


def _snapshot(engine: Engine) -> dict[str, Any]:
    """Row counts of every table and the contents of a few."""
    with engine.connect() as connection:
        tables = sorted(inspect(connection).get_table_names())
        counts = {name: connection.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar()
                  for name in tables}
        rows = {
            "articles": connection.execute(text(
                "SELECT code, title, status FROM articles ORDER BY code")).all(),
            "versions": connection.execute(text(
                "SELECT a.code, v.body FROM article_versions v JOIN articles a "
                "ON a.id = v.article_id ORDER BY a.code, v.id")).all(),
            "users": connection.execute(text(
                "SELECT username, display_name, password_hash FROM users "
                "ORDER BY username")).all(),
            "revision": connection.execute(text("SELECT version_num FROM alembic_version")).all(),
        }
    return {"counts": counts, "rows": [(k, [tuple(r) for r in v]) for k, v in rows.items()]}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "var"
    (directory / "uploads" / "0f3c").mkdir(parents=True)
    (directory / "uploads" / "0f3c" / "calls.jsonl").write_text('{"call_id": "C1"}\n', "utf-8")
    (directory / "cache").mkdir()
    (directory / "cache" / "segmenter.bin").write_bytes(b"rebuilt at start")
    return directory


@pytest.fixture
def target_url(tmp_path: Path) -> Iterator[str]:
    """An empty database to restore into (a scratch database on PostgreSQL, dropped after)."""
    root = tmp_path / "target"
    root.mkdir()
    url, drop = create_database(_test_database_url(root), root)
    yield url
    drop()  # type: ignore[operator]


def test_round_trip_keeps_every_row_and_the_data_files(
        committed_engine: Engine, data_dir: Path, target_url: str, tmp_path: Path) -> None:
    _fill(committed_engine)
    before = _snapshot(committed_engine)
    assert before["counts"]["articles"] == 3 and before["counts"]["audit_events"] > 0

    archive, manifest = ops.create_backup(url=_url(committed_engine), data_dir=data_dir,
                                          target=tmp_path / "backups")
    assert archive.parent == tmp_path / "backups" and archive.name.endswith(".tar.gz")
    assert manifest.migration_head == ops.code_heads()[0]
    assert manifest.database == make_url(_url(committed_engine)).get_backend_name()
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert names[0] == "manifest.json"
    assert "data/uploads/0f3c/calls.jsonl" in names
    assert not any(name.startswith("data/cache") for name in names)  # rebuilt, not saved

    restored_dir = tmp_path / "restored-var"
    result = ops.restore_backup(archive=archive, url=target_url, data_dir=restored_dir)
    assert result.manifest == manifest and not result.needs_upgrade
    restored = build_engine(target_url)
    try:
        assert _snapshot(restored) == before
    finally:
        restored.dispose()
    assert (restored_dir / "uploads" / "0f3c" / "calls.jsonl").read_text("utf-8") == \
        '{"call_id": "C1"}\n'


def test_restore_refuses_a_database_with_tables_unless_forced(
        committed_engine: Engine, data_dir: Path, tmp_path: Path) -> None:
    _fill(committed_engine)
    before = _snapshot(committed_engine)
    archive, _ = ops.create_backup(url=_url(committed_engine), data_dir=data_dir,
                                   target=tmp_path / "seci.tar.gz")
    with committed_engine.begin() as connection:  # a change made after the backup
        connection.execute(text("UPDATE articles SET title = 'changed' WHERE code = 'ROAM'"))

    with pytest.raises(DatabaseNotEmpty):
        ops.restore_backup(archive=archive, url=_url(committed_engine), data_dir=data_dir)
    assert _snapshot(committed_engine) != before

    committed_engine.dispose()  # PostgreSQL drops the tables: no connection may hold them
    ops.restore_backup(archive=archive, url=_url(committed_engine), data_dir=data_dir,
                       force=True)
    assert _snapshot(committed_engine) == before


def _rewrite_manifest(archive: Path, target: Path, **changes: Any) -> Path:
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
        for member in source.getmembers():
            handle = source.extractfile(member) if member.isfile() else None
            if member.name == "manifest.json":
                assert handle is not None
                raw = json.dumps({**json.loads(handle.read()), **changes}).encode()
                member.size, handle = len(raw), io.BytesIO(raw)
            out.addfile(member, handle)
    return target


def test_restore_refuses_an_archive_from_a_newer_migration_head(
        committed_engine: Engine, data_dir: Path, target_url: str, tmp_path: Path) -> None:
    archive, _ = ops.create_backup(url=_url(committed_engine), data_dir=data_dir,
                                   target=tmp_path / "seci.tar.gz")
    future = _rewrite_manifest(archive, tmp_path / "future.tar.gz", migration_head="9999")
    with pytest.raises(BackupFromNewerSchema) as refused:
        ops.restore_backup(archive=future, url=target_url, data_dir=tmp_path / "v")
    assert refused.value.params["revision"] == "9999"
    assert not ops.database_has_tables(target_url)

    newer_format = _rewrite_manifest(archive, tmp_path / "f2.tar.gz", format=2)
    with pytest.raises(UnsupportedBackupFormat):
        ops.restore_backup(archive=newer_format, url=target_url, data_dir=tmp_path / "v")


def test_the_manifest_is_checked_against_the_target() -> None:
    head = ops.code_heads()[0]
    manifest = ops.Manifest(format=1, seci_version="0", migration_head=head, database="sqlite",
                            created_at="2026-12-01T00:00:00+00:00", data_files=0)
    sqlite_url, pg_url = "sqlite:////tmp/x.db", "postgresql+psycopg://u@h/db"
    assert ops.check_restorable(manifest, url=sqlite_url) is False
    older = ops.Manifest(**{**manifest.__dict__, "migration_head": "0011"})
    assert ops.check_restorable(older, url=sqlite_url) is True  # then `seci db upgrade`
    with pytest.raises(DatabaseKindMismatch):
        ops.check_restorable(manifest, url=pg_url)


def test_a_file_that_is_not_a_backup_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tarball")
    with pytest.raises(NotABackup):
        ops.read_manifest(junk)


def test_missing_postgresql_programs_are_named(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    monkeypatch.setattr(ops.shutil, "which", lambda _name: None)
    with pytest.raises(ToolMissing) as missing:
        ops.create_backup(url="postgresql+psycopg://nobody@127.0.0.1:1/none",
                          data_dir=tmp_path, target=tmp_path / "x.tar.gz")
    assert missing.value.params == {"tool": "pg_dump"}


def test_the_password_goes_to_the_environment_not_the_command_line() -> None:
    dsn, env = ops._libpq("postgresql+psycopg://seci:s3cret@db.local:5433/seci?sslmode=require")
    assert dsn == "postgresql://seci@db.local:5433/seci?sslmode=require"
    assert env["PGPASSWORD"] == "s3cret"


def test_a_sqlite_backup_is_consistent_while_a_writer_holds_a_transaction(
        tmp_path: Path) -> None:
    database = tmp_path / "live.db"
    writer = sqlite3.connect(database, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE calls (id INTEGER PRIMARY KEY)")
    writer.execute("INSERT INTO calls VALUES (1)")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO calls VALUES (2)")  # not committed while the backup runs
    try:
        archive, manifest = ops.create_backup(url=f"sqlite:///{database}",
                                              data_dir=tmp_path / "none",
                                              target=tmp_path / "live.tar.gz")
    finally:
        writer.execute("COMMIT")
        writer.close()
    assert manifest.migration_head is None
    ops.restore_backup(archive=archive, url=f"sqlite:///{tmp_path / 'copy.db'}",
                       data_dir=tmp_path / "data")
    copy = sqlite3.connect(tmp_path / "copy.db")
    try:
        assert copy.execute("SELECT id FROM calls").fetchall() == [(1,)]
    finally:
        copy.close()


def test_a_missing_sqlite_file_is_named_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    with pytest.raises(DatabaseUnreachable):
        ops.create_backup(url=f"sqlite:///{missing}", data_dir=tmp_path,
                          target=tmp_path / "x.tar.gz")
    assert not missing.exists() and not (tmp_path / "x.tar.gz").exists()
