"""Call mining in chromium, on planted calls: every finding of ``/mining`` shown with its
evidence and turned into knowledge the way a user would.

The module runs a server of its own: a new database with the demo's users, modules and
articles but, instead of the demo's calls, ``CALLS`` calls from the generator with the
mining effects planted (``seci.synthetic``; roster and calls imported like any export),
mined once. The shared server cannot take them: its demo calls fill the same thirteen
weeks with the same agent ids. The generator's ground truth says what the page must show
(the golden phrase families, the burst, the eSIM gap, the specialists, the causes of long
calls), so the tests look for those, not for whatever the miners happen to print.

The golden script the analyst turns into a best practice is credited to the agent who says
it most: after the first run the fixture gives that agent a SECI login through the roster,
as a centre whose agents all have logins would have.

The seed and size were checked to hold every planted finding at this volume (the miners
need about this many calls to flag a specialist; seed 21 at 15,000 calls flags none).
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from seci.accounts.models import User
from seci.accounts.roles import Role
from seci.accounts.service import create_user
from seci.app import create_app
from seci.calls.importing import CallSource, import_calls, load_row_context
from seci.calls.thresholds import refresh_thresholds
from seci.core import migrate
from seci.core.db import build_engine
from seci.core.tabular import FileFormat
from seci.demo import loader
from seci.demo.calls import mine_demo_calls
from seci.demo.loader import DEMO_PASSWORD, load_demo
from seci.mining.models import MiningAlert, MiningRun
from seci.roster.importing import import_roster
from seci.synthetic import GeneratorConfig, write_dataset
from tests.browser.conftest import (
    STARTUP_SECONDS,
    LiveServer,
    _free_socket,
    _index_and_train,
    _ThreadedServer,
    _wait_until_up,
)
from tests.browser.ui import flash, login, logout, unique
from tests.conftest import create_database

pytestmark = pytest.mark.browser

SEED = 11
CALLS = 15_000
RUN_SECONDS = 180_000  # ms: a whole mining run in the server's job thread, on a busy machine
# Labels of the zh_CN catalog (messages.po) the tests look for.
ALL_TOPICS = re.compile(r"^全部话题（(\d+) 个）$")
OUTCOME_BADGE = "只是描述结果"
TO_PRACTICE = "转为最佳实践"
DRAFT_ARTICLE = "起草知识"
TO_SIX_STEPS = "提交六步法"
SPECIALIST = "专长"
WAIT = "等待"


@dataclass(frozen=True)
class Planted:
    server: LiveServer
    truth: dict[str, Any]  # GroundTruth.extensions: what was planted
    calls: int  # calls in the first run
    script: str  # the golden script (over all topics) the analyst turns into a practice
    credited: str  # the display name of the agent who says it most (has a login)


# --- the server ----------------------------------------------------------------------------------
def _import_planted(folder: Path) -> Any:
    """``load_calls_demo`` for the demo loader: the planted roster and calls instead of the
    demo's (the same importers, thresholds refreshed)."""

    def load(session: Session, *, manager: User) -> int:
        import_roster(session, actor=manager, path=folder / "roster.jsonl",
                      fmt=FileFormat.JSONL)
        report = import_calls(session, actor=manager, context=load_row_context(session),
                              source=CallSource(calls=folder / "calls.jsonl",
                                                calls_format=FileFormat.JSONL))
        refresh_thresholds(session)
        return report.rows

    return load


def _matches(phrases: list[dict[str, str]]) -> list[str]:
    return [p["match"] for p in phrases]


def _saying(text: str, matches: list[str]) -> bool:
    return any(m in text for m in matches)


def _credited_script(findings: dict[str, Any], truth: dict[str, Any]) -> dict[str, Any]:
    """The golden script over all topics from the first planted family (said in every
    topic) with the most calls."""
    family = _matches(truth["golden"]["families"][0]["paraphrases"])
    scripts = [g for g in findings["golden_scripts"] if g["all_topics"]
               and not g["describes_outcome"] and _saying(g["phrase"], family)]
    assert scripts, [g["phrase"] for g in findings["golden_scripts"]]
    return max(scripts, key=lambda g: g["n_with"])


def _give_login(session: Session, folder: Path, agent_id: str) -> str:
    """A login for the agent (roster name, agent role), linked through a roster import;
    returns its display name."""
    rows = [json.loads(line) for line in
            (folder / "roster.jsonl").read_text(encoding="utf-8").splitlines()]
    row = next(r for r in rows if r["agent_id"] == agent_id)
    manager = session.scalars(select(User).where(User.username == "manager")).one()
    username = f"agent_{agent_id.lower()}"
    create_user(session, username=username, password=DEMO_PASSWORD, display_name=row["name"],
                roles=(Role.AGENT,), team=row["team"], actor=manager)
    link = folder / "link.jsonl"
    link.write_text(json.dumps(row | {"username": username}, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    import_roster(session, actor=manager, path=link, fmt=FileFormat.JSONL)
    return str(row["name"])


@contextmanager
def _serve(factory: sessionmaker[Session]) -> Iterator[LiveServer]:
    """The app on a free port in a background thread, its job runner started (as the
    shared server in conftest.py)."""
    sock = _free_socket()
    app = create_app(factory)
    _index_and_train(app.state.search_engine, factory)
    app.state.job_runner.start()
    config = uvicorn.Config(app, host="127.0.0.1", port=sock.getsockname()[1],
                            log_level="warning", lifespan="off", ws="none", access_log=False)
    server = _ThreadedServer(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name="seci-mining-server", daemon=True)
    thread.start()
    address = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        _wait_until_up(address, server, thread)
        yield LiveServer(address, factory)
    finally:
        app.state.job_runner.stop()
        server.should_exit = True
        thread.join(timeout=STARTUP_SECONDS)
        sock.close()


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Planted]:
    root = tmp_path_factory.mktemp("mining")
    base_url = os.environ.get("SECI_TEST_DATABASE_URL") or f"sqlite:///{root / 'seci.db'}"
    url, drop = create_database(base_url, root)
    migrate.upgrade(url)
    engine = build_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    folder = root / "calls"
    truth = write_dataset(GeneratorConfig(seed=SEED, total_calls=CALLS, demo_links=False)
                          .with_mining_effects(), folder).extensions
    try:
        with pytest.MonkeyPatch.context() as patch, factory() as session:
            patch.setattr(loader, "load_calls_demo", _import_planted(folder))
            load_demo(session)
            session.commit()
        run_id = mine_demo_calls(factory)
        with factory() as session:
            run = session.get(MiningRun, run_id)
            assert run is not None
            script = _credited_script(run.findings, truth)
            credited = _give_login(session, folder, script["top_agents"][0])
            session.commit()
            calls = run.calls
        with _serve(factory) as server:
            yield Planted(server, truth, calls, script["phrase"], credited)
    finally:
        engine.dispose()
        drop()  # type: ignore[operator]


@pytest.fixture(scope="module")
def live_server(planted: Planted) -> LiveServer:
    """This module's pages come from the planted server (``page`` and ``new_context``)."""
    return planted.server


# --- what the user sees --------------------------------------------------------------------------
def _cells(table: Locator, row: Locator) -> dict[str, str]:
    """A row's cells by their column headers."""
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    return dict(zip(headers, cells, strict=True))


def _golden_row(page: Page, phrase: str) -> Locator:
    name = page.locator("td:first-child > strong", has_text=re.compile(f"^{re.escape(phrase)}$"))
    return page.locator("#golden-scripts tbody tr").filter(has=name)


def _phrases(rows: Locator) -> list[str]:
    """The wording each row of a findings table shows first (its phrase)."""
    return [text.split("\n")[0].strip() for text in rows.locator("td:first-child")
            .all_inner_texts()]


def _open_mining(page: Page) -> None:
    page.locator("nav.mainnav").get_by_role("link", name="通话挖掘", exact=True).click()
    expect(page).to_have_url(re.compile(r"/mining$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("通话挖掘")


def _no_template_leaks(page: Page) -> None:
    """No unfilled placeholder or template error in what the page says."""
    text = page.locator("body").inner_text()
    for leak in ("{", "}", "Traceback", "Undefined", "jinja", "None"):
        assert leak not in text, (leak, page.url)



# --- the tests -----------------------------------------------------------------------------------
def test_an_analyst_mines_from_the_page(page: Page, planted: Planted) -> None:
    factory = planted.server.factory
    assert factory is not None
    with factory() as session:
        before = session.scalars(select(MiningRun.id).order_by(MiningRun.id.desc())).first()
    login(page, "analyst")
    _open_mining(page)
    page.locator("#mining-run").get_by_role("button", name="立即挖掘").click()
    expect(page).to_have_url(re.compile(r"/mining\?job=\d+$"))
    job = page.locator("#job")
    # The page follows the job in the background and reloads when it is done.
    expect(job.locator(".badge")).to_have_text("已完成", timeout=RUN_SECONDS)
    Path("/tmp/mt/job.txt").write_text(job.inner_text(), encoding="utf-8")
    expect(job.locator("#job-progress")).to_have_count(0)
    expect(page.locator("main")).to_contain_text(f"{planted.calls:,} 通通话")
    with factory() as session:
        latest = session.scalars(select(MiningRun).order_by(MiningRun.id.desc())).first()
        analyst = session.scalars(select(User).where(User.username == "analyst")).one()
        assert latest is not None and latest.id != before
        assert latest.created_by_id == analyst.id and latest.calls == planted.calls
    expect(_golden_row(page, planted.script)).to_have_count(1)
