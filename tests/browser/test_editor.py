"""The article editor as editors use it: content pasted from Word with a table and a list,
a screenshot pasted in, a file attached, all saved as the Markdown SECI stores; the images
and files served only to those who may read the article."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.ui import choose_module, flash, login, unique

pytestmark = pytest.mark.browser

# A 4×3 PNG (red), as a screenshot tool puts on the clipboard.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb"
    "6QAAAABJRU5ErkJggg==")

# What Word (and WPS) put on the clipboard for a heading, a bulleted list and a bordered
# table: lists are paragraphs with mso-list styles, not <ul>.
WORD_HTML = """<html xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word"><head><meta charset="utf-8">
<style>p.MsoListParagraph{mso-style-priority:34}</style></head><body lang=ZH-CN>
<!--StartFragment-->
<h2>办理条件</h2>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if
!supportLists]><span
style='font-family:Symbol;mso-fareast-font-family:Symbol'><span style='mso-list:Ignore'>·<span
style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><![endif]>
<span
lang=ZH-CN>在网满</span> 120 <span lang=ZH-CN>天</span><o:p></o:p></p>
<p class=MsoListParagraphCxSpMiddle style='margin-left:42.0pt;mso-list:l0 level2 lfo1'><![if
!supportLists]><span
style='font-family:Wingdings'><span style='mso-list:Ignore'>§<span
style='font:7.0pt "Times New Roman"'>&nbsp; </span></span></span><![endif]>含携入后的在网时长<o:p>
</o:p></p>
<p class=MsoListParagraphCxSpLast style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if
!supportLists]><span
style='font-family:Symbol'><span style='mso-list:Ignore'>·<span
style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span></span></span><![endif]>无欠费、无合约限制
<o:p></o:p></p>
<p class=MsoNormal>办理步骤：<o:p></o:p></p>
<p class=MsoListParagraphCxSpFirst style='mso-list:l1 level1 lfo2'><![if !supportLists]><span
style='mso-list:Ignore'>1.<span style='font:7.0pt "Times New Roman"'>&nbsp; </span></span>
<![endif]>发送
CXXZ 到 10086 查询资格<o:p></o:p></p>
<p class=MsoListParagraphCxSpLast style='mso-list:l1 level1 lfo2'><![if !supportLists]><span
style='mso-list:Ignore'>2.<span style='font:7.0pt "Times New Roman"'>&nbsp; </span></span>
<![endif]>持身份证到营业厅办理<o:p></o:p></p>
<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0
style='border-collapse:collapse'>
 <tr><td width=200 style='border:solid windowtext 1.0pt'><p class=MsoNormal><b><span
 lang=ZH-CN>套餐</span></b><o:p></o:p></p></td><td width=200><p class=MsoNormal><b>月费</b></p>
</td></tr>
 <tr><td><p class=MsoNormal>300M 宽带</p></td><td><p class=MsoNormal>50元/月</p></td></tr>
 <tr><td><p class=MsoNormal>1000M 宽带</p></td><td><p class=MsoNormal>100元/月</p></td></tr>
</table>
<!--EndFragment-->
</body></html>"""


def wysiwyg(page: Page) -> None:
    """Wait for the editor and put the caret into its WYSIWYG pane."""
    pane = page.locator(".toastui-editor-ww-container .ProseMirror")
    expect(pane).to_be_visible()
    pane.click()


def paste(page: Page, *, html: str | None = None, png: bytes | None = None) -> None:
    """A paste event as the browser fires it for Ctrl+V (playwright cannot reach the system
    clipboard headless): the clipboard's HTML and/or an image file."""
    page.evaluate(
        """([html, png]) => {
            const data = new DataTransfer();
            if (html) { data.setData("text/html", html); data.setData("text/plain", "x"); }
            if (png) {
                const bytes = Uint8Array.from(atob(png), c => c.charCodeAt(0));
                data.items.add(new File([bytes], "screenshot.png", {type: "image/png"}));
            }
            const pane = document.querySelector(".toastui-editor-ww-container .ProseMirror");
            pane.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data,
                                                            bubbles: true, cancelable: true}));
        }""", [html, base64.b64encode(png).decode() if png else None])


def source(page: Page) -> str:
    """The Markdown the form will post (the editor writes it into the body's field)."""
    return page.locator("#body-input").input_value()


def watch_console(page: Page) -> list[str]:
    """Errors the page logs, Content-Security-Policy refusals included."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_word_paste_screenshot_and_attachment_are_saved_and_served(
        page: Page, new_context: Callable[..., BrowserContext]) -> None:
    errors = watch_console(page)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
    login(page, "editor")
    page.goto("/kb/new-article")
    title = f"携号转网办理条件 {unique()}"
    page.get_by_label("标题").fill(title)
    choose_module(page, "国际漫游")
    page.get_by_role("checkbox", name="A", exact=True).check()

    wysiwyg(page)
    paste(page, html=WORD_HTML)
    expect(page.locator(".toastui-editor-ww-container table")).to_be_visible()
    body = source(page)
    assert re.search(r"^#+ 办理条件$", body, re.M), body
    # Word's list paragraphs became real lists (nested, bullets and numbers), its table a
    # Markdown table with the first row as the header; Word's bullets are not left as text.
    assert re.search(r"^[-*] 在网满 120 天$", body, re.M), body
    assert re.search(r"^ {2,4}[-*] 含携入后的在网时长$", body, re.M), body
    assert re.search(r"^[-*] 无欠费、无合约限制$", body, re.M), body
    assert re.search(r"^1\. 发送 ?CXXZ 到 10086 查询资格$", body, re.M), body
    assert re.search(r"^2\. 持身份证到营业厅办理$", body, re.M), body
    assert re.search(r"^\| 套餐 \| 月费 \|$", body, re.M), body
    assert re.search(r"^\| 300M 宽带 \| 50元/月 \|$", body, re.M), body
    assert "·" not in body and "§" not in body, body

    with page.expect_response(lambda r: r.url.endswith("/api/v1/attachments")) as uploaded:
        paste(page, png=PNG)
    assert uploaded.value.status == 201
    image_url = uploaded.value.json()["url"]
    expect(page.locator(f".toastui-editor-ww-container img[src='{image_url}']")).to_be_visible()
    assert f"]({image_url})" in source(page)

    # A file for agents to download, through the toolbar's attachment button.
    with page.expect_response(lambda r: r.url.endswith("/api/v1/attachments")):
        page.locator("input[type=file][accept*='.xlsx']").set_input_files(
            files=[{"name": "宽带资费表.csv", "mimeType": "text/csv",
                    "buffer": "套餐,月费\n300M,50\n".encode()}])
    expect(page.locator("#rich-editor-status")).to_contain_text("宽带资费表.csv")
    assert "[宽带资费表.csv](/kb/attachments/" in source(page)

    # Refused: a script in disguise. Said in the status line; nothing inserted.
    before = source(page)
    page.locator("input[type=file][accept*='.xlsx']").set_input_files(
        files=[{"name": "logo.png", "mimeType": "image/png",
                "buffer": b"<svg xmlns='http://www.w3.org/2000/svg'><script>1</script></svg>"}])
    expect(page.locator("#rich-editor-status.error")).to_contain_text("logo.png")
    assert source(page) == before

    page.get_by_role("button", name="保存草稿").click()
    expect(flash(page)).to_have_text("草稿已创建。")
    article_url = page.url
    article = page.locator("main .markdown").first
    expect(article.locator("table td", has_text="50元/月")).to_be_visible()
    image = article.locator(f"img[src='{image_url}']")
    expect(image).to_be_visible()
    assert page.evaluate("img => img.naturalWidth", image.element_handle()) == 4
    link = article.get_by_role("link", name="宽带资费表.csv")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "宽带资费表.csv"

    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    assert not outside, outside  # nothing from the internet (usage statistics are off)

    # An agent may not read a draft, so neither its image; nor may someone not logged in.
    agent = new_context().new_page()
    login(agent, "agent")
    assert agent.request.get(image_url).status == 404
    assert new_context().request.get(image_url).status == 404
    assert page.request.get(image_url).status == 200
    assert article_url


def test_opening_and_saving_unchanged_keeps_the_markdown(page: Page) -> None:
    """The editor rewrites the body only when someone changes it."""
    login(page, "editor")
    page.goto("/kb/new-article")
    title = f"国际漫游开通 {unique()}"
    body = ("### 办理方式\n1. 发送 KTMY 到 10086\n2. 【坐席提示】先核实实名\n\n"
            "| 区域 | 资费 |\n|---|---|\n| 港澳 | 25元/天 |")
    page.get_by_label("标题").fill(title)
    choose_module(page, "国际漫游")
    page.locator("#body-input").fill(body)
    page.get_by_role("button", name="保存草稿").click()
    expect(flash(page)).to_have_text("草稿已创建。")
    page.locator(".actions").get_by_role("link", name="编辑", exact=True).click()
    expect(page.locator(".toastui-editor-ww-container .ProseMirror")).to_be_visible()
    assert source(page) == body
    expect(page.locator(".toastui-editor-ww-container table")).to_contain_text("25元/天")
