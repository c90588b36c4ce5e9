"""`seci backup` / `seci restore` from the command line, in the CLI's language (Chinese
by default). SQLite files, as in tests/test_cli.py; the services run on both databases in
tests/ops/test_backup.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner, Result

from seci.cli import app
from seci.core.config import get_settings
from seci.core.db import get_engine, get_sessionmaker

runner = CliRunner()


def seci(*args: str) -> Result:
    return runner.invoke(app, list(args))


def _clear_caches() -> None:
    get_sessionmaker.cache_clear()
    get_engine.cache_clear()
    get_settings.cache_clear()


def _use(monkeypatch: pytest.MonkeyPatch, database: Path, data_dir: Path) -> None:
    get_engine().dispose()
    monkeypatch.setenv("SECI_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("SECI_DATA_DIR", str(data_dir))
    _clear_caches()


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.delenv("SECI_DEFAULT_LOCALE", raising=False)
    _use(monkeypatch, tmp_path / "seci.db", tmp_path / "var")
    assert seci("db", "upgrade").exit_code == 0
    (tmp_path / "var" / "uploads" / "u1").mkdir(parents=True)
    (tmp_path / "var" / "uploads" / "u1" / "roster.csv").write_text("工号,姓名\n", "utf-8")
    yield tmp_path
    get_engine().dispose()
    _clear_caches()


def test_backup_then_restore_into_a_new_site(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = seci("backup", str(site / "backups"))
    assert result.exit_code == 0, result.output
    assert "备份已写入" in result.output
    [archive] = (site / "backups").glob("seci-backup-*.tar.gz")

    _use(monkeypatch, site / "new" / "seci.db", site / "new-var")
    result = seci("restore", str(archive))
    assert result.exit_code == 0, result.output
    assert "已恢复" in result.output
    with get_engine().connect() as connection:
        queues = connection.execute(text("SELECT COUNT(*) FROM queues")).scalar()
    assert queues == 8
    assert (site / "new-var" / "uploads" / "u1" / "roster.csv").exists()

    result = seci("restore", str(archive))  # the database now holds tables
    assert result.exit_code == 1
    assert "--force" in result.output and "已有数据表" in result.output
    assert seci("restore", "--force", str(archive)).exit_code == 0


def test_english_messages_when_the_locale_says_so(site: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECI_DEFAULT_LOCALE", "en")
    get_settings.cache_clear()
    result = seci("backup", str(site / "b.tar.gz"))
    assert result.exit_code == 0, result.output
    assert "Backup written" in result.output
    junk = site / "junk.tar.gz"
    junk.write_bytes(b"nope")
    result = seci("restore", str(junk))
    assert result.exit_code == 1 and "is not a SECI backup" in result.output
