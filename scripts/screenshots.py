#!/usr/bin/env python3
"""Screenshots of the main pages for the documentation (docs/screenshots/*.png).

Runs the real thing: `seci demo --no-serve` loads the demo hotline into a fresh temporary
SECI_DATA_DIR, `seci serve` starts the server on a free 127.0.0.1 port, and Debian's
chromium (driven by Playwright) logs in as the demo users and photographs each page at
1366x768 in Simplified Chinese (the home pages and the menu also at 360x640, a phone).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--chromium PATH]

Needs the test extras (playwright) and `apt-get install chromium fonts-noto-cjk`;
never `playwright install`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/lib/chromium/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]
VIEWPORT: ViewportSize = {"width": 1366, "height": 768}
SMALL_PHONE: ViewportSize = {"width": 360, "height": 640}  # the home pages and the menu
PASSWORD = "demo-10086"  # noqa: S105 - the published demo password (seci.demo.loader)
MAX_BYTES = 300 * 1024

# A file with one good and two bad rows: the import page lists the bad ones.
BAD_IMPORT = (
    "code,title,body,module,queues,valid_from\n"
    "SHOT-001,国际漫游日套餐说明,每天 25 元不限量（演示数据）,个人业务/国际漫游,A|VIP,\n"
    "SHOT-002,流量结转规则,当月剩余流量可结转至次月,个人业务/资费套餐,A|Z9,\n"
    "SHOT-003,宽带续约优惠,续约 1 年送 3 个月,家庭业务/宽带,B,2026-13-45\n"
)


def seci_command() -> list[str]:
    script = Path(sys.executable).parent / "seci"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from seci.cli import main; main()"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/login", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer at {url}")


@contextmanager
def demo_server() -> Iterator[str]:
    """A demo SECI on a fresh data directory; stopped (and the directory removed) after."""
    with tempfile.TemporaryDirectory(prefix="seci-shots-") as data_dir:
        env = {k: v for k, v in os.environ.items() if k != "SECI_DATABASE_URL"}
        env.update(SECI_DATA_DIR=data_dir, SECI_DEFAULT_LOCALE="zh_CN")
        subprocess.run([*seci_command(), "demo", "--no-serve"], env=env, check=True,  # noqa: S603
                       cwd=data_dir, stdout=subprocess.DEVNULL)
        port = free_port()
        server = subprocess.Popen(  # noqa: S603
            [*seci_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env, cwd=data_dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(url, server)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


class Camera:
    def __init__(self, browser: Browser, url: str, out: Path) -> None:
        self.browser, self.url, self.out = browser, url, out
        self.taken: list[Path] = []

    @contextmanager
    def as_user(self, username: str | None) -> Iterator[Page]:
        context = self.browser.new_context(base_url=self.url, viewport=VIEWPORT,
                                           locale="zh-CN", timezone_id="Asia/Shanghai")
        page = context.new_page()
        try:
            if username:
                page.goto("/login")
                page.get_by_label("用户名").fill(username)
                page.get_by_label("密码").fill(PASSWORD)
                page.get_by_role("button", name="登录", exact=True).click()
                expect(page.get_by_role("button", name="退出登录")).to_be_visible()
            yield page
        finally:
            context.close()

    def shoot(self, page: Page, name: str, *, full_page: bool = False) -> None:
        path = self.out / f"{name}.png"
        page.evaluate("document.fonts.ready")
        page.screenshot(path=path, full_page=full_page, animations="disabled")
        if full_page and path.stat().st_size > MAX_BYTES:
            page.screenshot(path=path, animations="disabled")  # too big: the viewport only
        self.taken.append(path)
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}"
              f"  {path.stat().st_size // 1024} KB")


def nav_to(page: Page, name: str) -> None:
    """Open a page through the header: its work area's menu, then the page."""
    link = page.locator("nav.mainnav").get_by_role("link", name=name, exact=True,
                                                   include_hidden=True)
    page.locator("nav.mainnav details.area").filter(
        has=page.get_by_role("link", name=name, exact=True, include_hidden=True),
    ).locator("> summary").click()
    link.click()


def shoot_home(camera: Camera, page: Page, username: str) -> None:
    """The home page at 1366x768 and on a phone (360x640), the phone's menu opened."""
    camera.shoot(page, f"home-{username}")
    page.set_viewport_size(SMALL_PHONE)
    page.reload()
    camera.shoot(page, f"home-{username}-phone")
    page.locator("summary.menu-button").click()
    page.locator("nav.mainnav details.area").first.locator("> summary").click()
    camera.shoot(page, f"menu-{username}-phone")
    page.set_viewport_size(VIEWPORT)
    page.goto("/")


def open_article(page: Page, code: str) -> None:
    """Find an article by its code in the knowledge browser and open it."""
    page.goto("/kb")
    page.get_by_label("标题或知识编号").fill(code)
    page.get_by_role("button", name="筛选").click()
    page.locator("table.list tbody tr").filter(has_text=code).get_by_role("link").first.click()
    expect(page.locator(".article-head .code")).to_have_text(code)


def show_first_change(page: Page) -> None:
    """Scroll a diff so that its first insertion is in the middle of the screen."""
    first = page.locator("table.diff ins").first
    expect(first).to_be_visible()
    first.evaluate("e => e.scrollIntoView({block: 'center'})")


def take_all(camera: Camera) -> None:
    with camera.as_user(None) as page:
        page.goto("/login")
        page.get_by_label("用户名").fill("agent")
        camera.shoot(page, "login")

    with camera.as_user("agent") as page:
        shoot_home(camera, page, "agent")
        nav_to(page, "全部知识")
        page.locator(".sidebar").get_by_role("link", name="个人业务", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("个人业务")
        camera.shoot(page, "knowledge-browser")
        open_article(page, "KB-ZF-001")
        camera.shoot(page, "article", full_page=True)
        nav_to(page, "新知识")
        camera.shoot(page, "new-knowledge")

    with camera.as_user("editor") as page:
        open_article(page, "KB-ZF-001")
        page.locator(".actions").get_by_role("link", name="编辑", exact=True).click()
        # The WYSIWYG editor (editor.js): an edit as an editor makes it, through the editor.
        expect(page.locator(".toastui-editor-ww-container .ProseMirror")).to_be_visible()
        page.evaluate("""() => window.seciEditor.setMarkdown(window.seciEditor.getMarkdown()
            .replace("| 5G智享129 | 129元 |", "| 5G智享129 | 128元 |")
            + "\\n\\n### 温馨提示\\n\\n- 套餐外流量按 **3元/GB** 计费（演示数据）")""")
        expect(page.locator("#preview strong").filter(has_text="3元/GB")).to_be_visible()
        page.locator(".body-editor").evaluate(
            "e => { e.scrollIntoView({block: 'start'}); window.scrollBy(0, -60); }")
        camera.shoot(page, "editor")
        page.locator("#preview").evaluate("e => e.scrollIntoView({block: 'start'})")
        camera.shoot(page, "editor-preview")
        page.get_by_role("button", name="保存并提交审核").click()
        expect(page.locator("main .flash")).to_have_text("已提交审核。")

        nav_to(page, "纠错")
        expect(page.locator("#inbox tbody tr").first).to_contain_text("KB-ZF-001")
        camera.shoot(page, "feedback-inbox")

    with camera.as_user("reviewer") as page:
        nav_to(page, "审核")
        page.locator("table.list tbody tr").filter(has_text="KB-ZF-001").get_by_role(
            "link", name="审核", exact=True).click()
        show_first_change(page)
        camera.shoot(page, "review-draft-diff")

        open_article(page, "KB-ZW-001")
        page.get_by_role("link", name="与上一版本对比").first.click()
        show_first_change(page)
        camera.shoot(page, "version-diff")

    with camera.as_user("manager") as page:
        shoot_home(camera, page, "manager")
        page.locator("nav.mainnav details.area[data-area=knowledge] > summary").click()
        camera.shoot(page, "menu-manager")
        nav_to(page, "导入知识")
        page.locator("input[type=file][name=file]").set_input_files({
            "name": "知识导入.csv", "mimeType": "text/csv", "buffer": BAD_IMPORT.encode(),
        })
        page.locator("form.import-form").get_by_role("button", name="导入").click()
        expect(page.locator("#report, .error-message").first).to_be_visible()
        camera.shoot(page, "import-row-errors")

        nav_to(page, "审计日志")
        camera.shoot(page, "audit-log")

    with camera.as_user("admin") as page:
        nav_to(page, "用户")
        camera.shoot(page, "users-admin")


PHONE: ViewportSize = {"width": 390, "height": 844}


def take_phone_chat(camera: Camera) -> None:
    """The customer chat on a phone (390x844): waiting after a complaint and a second 转人工,
    then the call-back sheet opened from the waiting bar."""
    context = camera.browser.new_context(base_url=camera.url, viewport=PHONE, is_mobile=True,
                                         has_touch=True, locale="zh-CN",
                                         timezone_id="Asia/Shanghai")
    page = context.new_page()
    try:
        page.goto("/chat")
        log = page.get_by_role("log", name="对话")
        expect(log.locator("li.kind-greeting")).to_have_count(1)
        box = page.get_by_label("您的消息")
        for text in ("国际漫游怎么开通", "我要投诉，你们乱扣我话费", "转人工"):
            box.fill(text)
            box.press("Enter")
            expect(box).to_have_value("")
        expect(log.locator("li.kind-handoff")).to_have_count(2)
        camera.shoot(page, "chat-phone-after")
        page.get_by_role("button", name="留下号码，等待回电").click()
        page.get_by_label("手机号码").fill("13812345678")
        camera.shoot(page, "chat-phone-callback-after")
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--chromium", default=CHROMIUM if Path(CHROMIUM).exists()
                        else shutil.which("chromium"))
    args = parser.parse_args(argv)
    if not args.chromium:
        raise SystemExit("chromium not found: apt-get install chromium fonts-noto-cjk")
    args.out.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=20_000)
    with demo_server() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        try:
            camera = Camera(browser, url, args.out)
            take_all(camera)
            take_phone_chat(camera)
        finally:
            browser.close()
    too_big = [p.name for p in camera.taken if p.stat().st_size > MAX_BYTES]
    if too_big:
        print(f"larger than {MAX_BYTES // 1024} KB: {', '.join(too_big)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
