"""The `seci` command line: db upgrade, user create, demo, kb import / export.

The CLI opens its own sessions through seci.core.db (settings → engine → sessionmaker, all
lru_cached), not the per-test rolled-back session of tests/conftest.py. Each test here
therefore points SECI_DATABASE_URL at a fresh SQLite file in tmp_path and migrates it with
`seci db upgrade`. This is always SQLite, also when SECI_TEST_DATABASE_URL names a
PostgreSQL server: creating and migrating a PostgreSQL database per test would be slow, and
the import/export services are covered on PostgreSQL by tests/knowledge/.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from seci.accounts.models import Queue, User
from seci.accounts.roles import Role
from seci.accounts.service import find_user
from seci.cli import app
from seci.core.config import get_settings
from seci.core.db import get_engine, get_sessionmaker, session_scope
from seci.knowledge.models import Article, ArticleVersion
from seci.knowledge.modules import ensure_path, find_by_path
from seci.knowledge.tabular import COLUMNS

PASSWORD = "cli-pass-123"

runner = CliRunner()


def seci(*args: str, input: str | None = None) -> Result:
    return runner.invoke(app, list(args), input=input)


def _clear_caches() -> None:
    get_sessionmaker.cache_clear()
    get_engine.cache_clear()
    get_settings.cache_clear()


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh, migrated SQLite database that every `seci` command of the test uses."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SECI_DATABASE_URL", url)
    monkeypatch.setenv("SECI_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("SECI_DEFAULT_LOCALE", raising=False)  # the default is zh_CN
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):  # the shell's locale would win over it
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("SECI_IMPORT_MAX_BYTES", raising=False)
    _clear_caches()
    result = seci("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert "数据库已是最新版本" in result.output
    yield url
    get_engine().dispose()
    _clear_caches()


@pytest.fixture
def admin(cli_db: str) -> str:
    """An administrator with access to every business module, created through the CLI."""
    result = seci("user", "create", "admin", "--password", PASSWORD, "--role", "admin",
                  "--all-modules", "--name", "系统管理员")
    assert result.exit_code == 0, result.output
    return "admin"


def count(model: type[Any]) -> int:
    with session_scope() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def title_of(code: str) -> str | None:
    with session_scope() as session:
        return session.scalar(select(Article.title).where(Article.code == code))


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.get(c, "") for c in COLUMNS])
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return path


def row(code: str, **overrides: str) -> dict[str, str]:
    values = {"code": code, "title": f"国际漫游开通说明{code}", "body": "发送 KTMY 到 10086。",
              "module": "个人业务/资费套餐", "queues": "A|VIP", "tags": "漫游",
              "similar_questions": "出国了手机还能用不", "audience": "internal",
              "valid_from": "2026-01-01", "valid_to": ""}
    return values | overrides


# --- seci db upgrade ---------------------------------------------------------------------


def test_db_upgrade_creates_the_schema_and_the_eight_queues(cli_db: str) -> None:
    with session_scope() as session:
        codes = set(session.scalars(select(Queue.code)))
    assert codes == {"A", "A+", "B", "话费专席", "数据专席", "投诉专席", "VIP", "全球通"}
    again = seci("db", "upgrade")  # idempotent
    assert again.exit_code == 0
    assert count(Queue) == 8


# --- seci user create --------------------------------------------------------------------


def test_user_create_with_password_option_makes_a_user_who_can_log_in(cli_db: str) -> None:
    result = seci("user", "create", "wang", "--password", PASSWORD, "--role", "manager",
                  "--role", "reviewer", "--queue", "A", "--queue", "VIP", "--name", "王经理",
                  "--all-modules")
    assert result.exit_code == 0, result.output
    assert "已创建用户 wang。" in result.output
    with session_scope() as session:
        user = find_user(session, username="wang")
        assert user is not None
        assert set(user.roles) == {Role.MANAGER, Role.REVIEWER}
        assert user.display_name == "王经理" and user.all_modules
        queue_codes = {q.code for q in session.scalars(select(Queue))
                       if q.id in set(user.queue_ids)}
    assert queue_codes == {"A", "VIP"}


def test_user_create_prompts_for_the_password_twice(cli_db: str) -> None:
    result = seci("user", "create", "li", "--role", "editor",
                  input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # hidden input
    assert count(User) == 1


def test_user_create_with_unknown_queue_fails_and_creates_nobody(cli_db: str) -> None:
    result = seci("user", "create", "zhao", "--password", PASSWORD, "--role", "agent",
                  "--queue", "不存在")
    assert result.exit_code == 1
    assert "未找到队列 不存在。" in result.output
    assert count(User) == 0


def test_user_create_with_module_access(cli_db: str) -> None:
    with session_scope() as session:
        ensure_path(session, path="个人业务/资费套餐", actor=None)
    result = seci("user", "create", "chen", "--password", PASSWORD, "--role", "editor",
                  "--module", "个人业务")
    assert result.exit_code == 0, result.output
    with session_scope() as session:
        user = find_user(session, username="chen")
        assert user is not None
        assert user.module_ids == {find_by_path(session, path="个人业务").id}  # type: ignore[union-attr]
    missing = seci("user", "create", "zhou", "--password", PASSWORD, "--role", "editor",
                   "--module", "不存在/模块")
    assert missing.exit_code == 1
    assert "不存在/模块" in missing.output


def test_user_create_with_unknown_role_fails_cleanly(cli_db: str) -> None:
    result = seci("user", "create", "zhao", "--password", PASSWORD, "--role", "boss")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "boss" in result.output and "Traceback" not in result.output
    assert count(User) == 0


# --- seci demo ---------------------------------------------------------------------------


def test_demo_loads_once_and_keeps_changes_made_in_between(cli_db: str,
                                                           tmp_path: Path) -> None:
    first = seci("demo", "--no-serve")
    assert first.exit_code == 0, first.output
    assert "演示数据已加载。" in first.output
    assert "演示账号（密码 demo-10086）：" in first.output
    articles, users = count(Article), count(User)
    assert articles > 0 and users > 0

    # an edit in between: export, change one title, import as the demo manager
    exported = tmp_path / "kb.jsonl"
    assert seci("kb", "export", str(exported)).exit_code == 0
    lines = [json.loads(line) for line in exported.read_text("utf-8").splitlines()]
    code = lines[0]["code"]
    lines[0]["title"] = "演示之后改过的标题"
    edited = tmp_path / "edited.jsonl"
    edited.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    imported = seci("kb", "import", str(edited), "--as", "manager")
    assert imported.exit_code == 0, imported.output
    assert "更新 1 条" in imported.output

    second = seci("demo", "--no-serve")
    assert second.exit_code == 0, second.output
    assert "演示数据已存在，保持不变。" in second.output
    assert (count(Article), count(User)) == (articles, users)
    assert title_of(code) == "演示之后改过的标题"


def test_demo_next_to_an_existing_user_of_the_same_name_fails_without_a_traceback(
        admin: str) -> None:
    result = seci("demo", "--no-serve")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "admin" in result.output and "Traceback" not in result.output
    assert count(Article) == 0 and count(User) == 1


# --- seci kb import ----------------------------------------------------------------------


def test_kb_import_of_a_good_file_exits_0_and_writes_the_articles(admin: str,
                                                                  tmp_path: Path) -> None:
    path = write_csv(tmp_path / "知识.csv", [row("R-1"), row("R-2", module="新业务/5G")])
    result = seci("kb", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "已导入 2 行：新建 2 条，更新 0 条，0 条未变。" in result.output
    assert count(Article) == 2 and count(ArticleVersion) == 2
    assert title_of("R-2") == "国际漫游开通说明R-2"

    again = seci("kb", "import", str(path), "--as", admin)
    assert again.exit_code == 0
    assert "新建 0 条，更新 0 条，2 条未变" in again.output
    assert count(ArticleVersion) == 2


def test_kb_import_of_a_bad_file_exits_1_lists_rows_in_chinese_and_writes_nothing(
        admin: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bad.csv", [
        row("R-1"), row("R-2", title=""), row("R-3"), row("R-4", queues="Z9", valid_to="明天")])
    result = seci("kb", "import", str(path))
    assert result.exit_code == 1
    output = result.output
    assert "文件中发现 3 个问题，未导入任何数据。" in output
    assert "第 3 行，标题 列：此项为必填项。" in output
    assert "第 5 行，队列 列：未知队列：Z9。（值：Z9）" in output
    assert "第 5 行，失效日期 列：日期格式不正确：明天" in output
    assert "第 2 行" not in output and "第 4 行" not in output
    assert "Traceback" not in output
    assert count(Article) == 0


def test_kb_import_dry_run_reports_counts_and_writes_nothing(admin: str,
                                                             tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [row("R-1"), row("R-2")])
    result = seci("kb", "import", str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "试运行：2 行均有效；将新建 2 条，更新 0 条，0 条不变。" in result.output
    assert count(Article) == 0


def test_kb_import_dry_run_of_a_bad_file_exits_1(admin: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [row("R-1"), row("R-1")])
    result = seci("kb", "import", str(path), "--dry-run")
    assert result.exit_code == 1
    assert "第 2 行" in result.output and "第 3 行" in result.output
    assert "已在第" in result.output
    assert count(Article) == 0


@pytest.mark.parametrize(("name", "data", "message"), [
    ("a.csv", bytes(range(0x80, 0x100)), "既不是 UTF-8 也不是 GBK/GB18030"),
    ("a.xlsx", b"this is no workbook", "不是 Excel .xlsx 工作簿"),
    ("a.csv", b"", "文件中没有数据行。"),
    ("a.xls", b"\xd0\xcf\x11\xe0", "不支持的文件类型"),
])
def test_kb_import_of_a_malformed_file_exits_1_with_a_clear_message(
        admin: str, tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    result = seci("kb", "import", str(path))
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_kb_import_of_a_too_large_file_exits_1(admin: str, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECI_IMPORT_MAX_BYTES", "512")
    get_settings.cache_clear()
    path = write_csv(tmp_path / "big.csv", [row(f"R-{i}") for i in range(20)])
    result = seci("kb", "import", str(path))
    assert result.exit_code == 1
    assert "超过了" in result.output and "MB 的上限" in result.output
    assert count(Article) == 0


def test_kb_import_as_unknown_user_exits_2(cli_db: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [row("R-1")])
    result = seci("kb", "import", str(path), "--as", "nobody")
    assert result.exit_code == 2
    assert "未找到用户 nobody。" in result.output


def test_kb_import_as_a_user_without_permission_exits_1(admin: str, tmp_path: Path) -> None:
    assert seci("user", "create", "li", "--password", PASSWORD, "--role", "editor",
                "--all-modules").exit_code == 0
    path = write_csv(tmp_path / "a.csv", [row("R-1")])
    result = seci("kb", "import", str(path), "--as", "li")
    assert result.exit_code == 1
    assert "您没有执行此操作的权限" in result.output or "权限" in result.output
    assert count(Article) == 0


# --- seci kb export ----------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["xlsx", "csv", "jsonl", "zip"])
def test_kb_export_writes_a_file_that_imports_again(admin: str, tmp_path: Path,
                                                    suffix: str) -> None:
    source = write_csv(tmp_path / "in.csv", [
        # a leading apostrophe is how a spreadsheet keeps '=' as text
        row("R-1", title="'=SUM(1,2) 话费", tags="-5折|+86"),
        row("R-2", similar_questions="停机了还能接电话吗；能打出去吗", valid_to="2026-12-31",
            audience="")])
    assert seci("kb", "import", str(source)).exit_code == 0
    target = tmp_path / f"导出.{suffix}"
    result = seci("kb", "export", str(target))
    assert result.exit_code == 0, result.output
    assert "已写入" in result.output and target.stat().st_size > 0
    again = seci("kb", "import", str(target))
    assert again.exit_code == 0, again.output
    assert "新建 0 条，更新 0 条，2 条未变" in again.output
    assert title_of("R-1") == "=SUM(1,2) 话费"


def test_kb_export_to_an_unknown_file_type_exits_1(admin: str, tmp_path: Path) -> None:
    result = seci("kb", "export", str(tmp_path / "out.docx"))
    assert result.exit_code == 1
    assert "不支持的文件类型" in result.output
    assert not (tmp_path / "out.docx").exists()


def test_a_failed_export_leaves_the_old_file_as_it_was(admin: str, tmp_path: Path) -> None:
    target = tmp_path / "知识.jsonl"
    target.write_text("昨天的导出", encoding="utf-8")
    result = seci("kb", "export", str(target), "--as", "nobody")
    assert result.exit_code == 2  # an unknown user, as for every command
    assert target.read_text(encoding="utf-8") == "昨天的导出"
    assert not [p for p in tmp_path.iterdir() if "partial" in p.name]  # none left behind
    missing = seci("kb", "export", str(tmp_path / "没有这个目录" / "知识.jsonl"))
    assert missing.exit_code == 1 and "没有这个目录" in missing.output
    assert "Traceback" not in missing.output


# --- the command in the reader's language ------------------------------------------------

CJK_TEXT = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def shell_locale(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """No locale from the test machine: each test sets the one it reads."""
    for name in ("SECI_DEFAULT_LOCALE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.mark.parametrize("env", [{}, {"LANG": "zh_CN.UTF-8"}, {"SECI_DEFAULT_LOCALE": "zh_CN",
                                                                 "LANG": "en_US.UTF-8"}])
def test_help_is_chinese_by_default_and_in_a_chinese_shell(
        shell_locale: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for name, value in env.items():
        shell_locale.setenv(name, value)
    top = seci("--help")
    assert top.exit_code == 0, top.output
    assert "SECI 呼叫中心知识管理" in top.output
    assert "用法" in top.output and "命令" in top.output and "选项" in top.output
    assert "Usage" not in top.output and "Show this message" not in top.output
    sub = seci("kb", "import", "--help")
    assert sub.exit_code == 0, sub.output
    assert "导入知识" in sub.output and "只检查，不写入" in sub.output
    assert "Check only" not in sub.output and "[required]" not in sub.output


@pytest.mark.parametrize("env", [{"LANG": "en_US.UTF-8"}, {"LC_ALL": "en_GB.UTF-8",
                                                           "LANG": "zh_CN.UTF-8"},
                                 {"SECI_DEFAULT_LOCALE": "en", "LANG": "zh_CN.UTF-8"}])
def test_help_is_english_in_an_english_shell(shell_locale: pytest.MonkeyPatch,
                                             env: dict[str, str]) -> None:
    for name, value in env.items():
        shell_locale.setenv(name, value)
    top = seci("--help")
    assert top.exit_code == 0, top.output
    assert "SECI knowledge management for contact centres." in top.output
    assert "Usage" in top.output and "Commands" in top.output
    sub = seci("kb", "import", "--help")
    assert "Check only, write nothing" in sub.output
    assert not CJK_TEXT.search(top.output + sub.output)


def test_messages_follow_the_same_locale_as_help(shell_locale: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    shell_locale.setenv("SECI_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    shell_locale.setenv("SECI_DATA_DIR", str(tmp_path / "var"))
    try:
        shell_locale.setenv("LANG", "en_US.UTF-8")
        result = seci("db", "upgrade")
        assert result.exit_code == 0, result.output
        assert "Database is up to date" in result.output
        shell_locale.setenv("LANG", "zh_CN.UTF-8")
        assert "数据库已是最新版本" in seci("db", "upgrade").output
    finally:
        get_engine().dispose()
        _clear_caches()


def test_search_check_situations_lists_what_the_lexicon_misses(cli_db: str,
                                                                tmp_path: Path) -> None:
    sentences = tmp_path / "sentences.tsv"
    sentences.write_text("net.new-phone\t换了个新手机就上不了网了\nnet.new-phone\t我想办一张副卡\n"
                         "银行卡密码忘了咋整\n", "utf-8")
    result = seci("search", "check-situations", str(sentences))
    assert result.exit_code == 0, result.output
    assert "我想办一张副卡" in result.output and "未命中" in result.output
    assert "换了个新手机" not in result.output  # a sentence its entry fires on is fine
    assert "2 条标注了词条的说法中，50% 命中了该词条" in result.output
    assert "1 条范围外说法中，0% 被某个词条命中" in result.output
    as_json = seci("search", "check-situations", str(sentences), "--json")
    assert [s["outcome"] for s in json.loads(as_json.output)] == ["fired", "missed", "silent"]

    sentences.write_text("no.such-entry\t随便问问\n", "utf-8")
    refused = seci("search", "check-situations", str(sentences))
    assert refused.exit_code == 2 and "第 1 行：没有生效的词条“no.such-entry”" in refused.output
    assert "Traceback" not in refused.output
    sentences.write_bytes("网速慢".encode("gbk"))
    not_utf8 = seci("search", "check-situations", str(sentences))
    assert not_utf8.exit_code == 2 and "不是 UTF-8 文本" in not_utf8.output
