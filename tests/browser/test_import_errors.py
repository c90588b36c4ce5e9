"""A failed import lists every bad row on the import page and imports nothing."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.ui import login, nav_to, row, unique

pytestmark = pytest.mark.browser


def test_failed_import_shows_row_errors_and_imports_nothing(page: Page) -> None:
    good, bad_queue, bad_date = unique("IMP-"), unique("IMP-"), unique("IMP-")
    csv = (
        "code,title,body,module,queues,valid_from\n"
        f"{good},漫游资费说明（导入）,每天 25 元,个人业务/国际漫游,A,\n"
        f"{bad_queue},未知队列的知识,正文,个人业务/国际漫游,A|Z9,\n"
        f"{bad_date},日期写错的知识,正文,个人业务/国际漫游,A,2026/02/30\n"
    )

    login(page, "manager")
    nav_to(page, "导入知识")
    expect(page.get_by_role("heading", name="导入知识")).to_be_visible()
    page.locator("input[type=file][name=file]").set_input_files({
        "name": "知识导入.csv", "mimeType": "text/csv", "buffer": csv.encode("utf-8"),
    })
    page.locator("form.import-form").get_by_role("button", name="导入").click()

    report = page.locator("#report")
    expect(report.get_by_role("heading")).to_have_text("发现 2 个问题，未导入任何数据。")
    errors = report.locator("table.errors tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0).locator("td")).to_have_text(["3", "队列", "Z9", "未知队列：Z9。"])
    expect(errors.nth(1).locator("td")).to_have_text(
        ["4", "生效日期", "2026/02/30", "日期 2026/02/30 不存在。"])  # not "格式不正确"

    # All or nothing: the good row was not imported either.
    nav_to(page, "全部知识")
    page.get_by_label("标题或知识编号").fill(good)
    page.get_by_role("button", name="筛选").click()
    expect(row(page, "暂无知识。")).to_have_count(1)
    expect(row(page, good)).to_have_count(0)


def test_a_manager_exports_a_knowledge_package_and_checks_it_imports(page: Page) -> None:
    """The 知识包 button downloads a .zip the import form takes back (dry run)."""
    login(page, "manager")
    nav_to(page, "导入知识")
    with page.expect_download() as download:
        page.locator("#export-package").click()
    path = download.value.path()
    assert download.value.suggested_filename.endswith(".zip")
    data = Path(path).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        codes = [json.loads(line)["code"] for line in
                 archive.read("articles.jsonl").decode("utf-8").splitlines() if line]
        assert "KB-ZF-008" in codes
    page.locator("input[type=file][name=file]").set_input_files({
        "name": "知识包.zip", "mimeType": "application/zip", "buffer": data})
    page.get_by_label("仅校验（试运行）").check()
    page.locator("form.import-form").get_by_role("button", name="导入").click()
    expect(page.locator("#report").get_by_role("heading")).to_have_text(
        "文件校验通过（未写入任何数据）")
