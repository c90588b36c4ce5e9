"""A large knowledge import must not stop the server: it runs off the event loop, and the
server keeps answering everyone else while it parses and validates.

The server process's import is held mid-way (a prelude wraps ``import_articles`` to wait
for a file the test creates), so the test needs no timing: another request must be
answered *while* the import is still held. Before the import left the event loop the
other request could not be answered at all until the import ended."""

from __future__ import annotations

import io
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from seci.accounts import service as accounts
from tests.factories import build_world
from tests.servers import Server, call

PRELUDE = """
import os, time
import seci.knowledge.importing as importing
_real = importing.import_articles
def _held(*args, **kwargs):
    open(os.environ["HOLD_DIR"] + "/started", "w").close()
    deadline = time.monotonic() + 60  # never hang the suite, even when broken
    while not os.path.exists(os.environ["HOLD_DIR"] + "/release") and time.monotonic() < deadline:
        time.sleep(0.05)
    return _real(*args, **kwargs)
importing.import_articles = _held
"""

CSV = ("code,title,body,module\n"
       "OFF-1,宽带报修流程,先重启光猫。,家庭业务/宽带\n").encode()


@pytest.fixture
def held_server(committed_engine: Engine, tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    with Session(committed_engine, expire_on_commit=False) as db:
        world = build_world(db)
        token = accounts.issue_api_token(db, user=world["manager"], name="off-loop test")
        db.commit()
    hold = tmp_path / "hold"
    hold.mkdir()
    url = committed_engine.url.render_as_string(hide_password=False)
    server = Server(url, tmp_path / "data", env={"HOLD_DIR": str(hold)}, prelude=PRELUDE)
    server.start()
    try:
        yield server.base, token, hold
    finally:
        (hold / "release").touch()
        server.stop()


def _multipart(data: bytes, filename: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = io.BytesIO()
    body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
               f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode())
    body.write(data)
    body.write(f"\r\n--{boundary}--\r\n".encode())
    return body.getvalue(), f"multipart/form-data; boundary={boundary}"


def _post_import(base: str, token: str, result: dict[str, object]) -> None:
    payload, content_type = _multipart(CSV, "articles.csv")
    request = urllib.request.Request(f"{base}/api/v1/import", data=payload, method="POST",
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=90) as response:
        result["status"] = response.status


def _wait_for(path: Path, importer: threading.Thread) -> None:
    pause = threading.Event()
    while not path.exists() and importer.is_alive():
        pause.wait(0.05)
    assert path.exists(), "the import never started"


def test_the_server_answers_while_an_import_is_working(
        held_server: tuple[str, str, Path]) -> None:
    base, token, hold = held_server
    result: dict[str, object] = {}
    importer = threading.Thread(target=_post_import, args=(base, token, result))
    importer.start()
    _wait_for(hold / "started", importer)
    status, _ = call("GET", base + "/login")  # answered while the import is held
    assert status == 200
    assert importer.is_alive() and "status" not in result  # the import is still working
    (hold / "release").touch()
    importer.join(timeout=90)
    assert result["status"] == 200
