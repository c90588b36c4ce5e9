"""SECI_LOG_FORMAT=json: one JSON object a line, for SECI's loggers and uvicorn's."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from typing import Any

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from seci.cli import app
from seci.core.config import Settings, get_settings
from seci.ops.logs import JsonFormatter, logging_config


def _record(**extra: Any) -> logging.LogRecord:
    record = logging.LogRecord("seci.jobs", logging.WARNING, __file__, 1,
                               "job %s failed: %s", (7, "磁盘已满"), None)
    record.__dict__.update(extra)
    return record


def test_a_record_becomes_one_json_line() -> None:
    line = JsonFormatter().format(_record(request_id="4f2a"))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "WARNING" and entry["logger"] == "seci.jobs"
    assert entry["message"] == "job 7 failed: 磁盘已满"
    assert entry["request_id"] == "4f2a"
    assert entry["time"].endswith("+00:00")
    assert "request_id" not in json.loads(JsonFormatter().format(_record()))


def test_an_exception_travels_inside_the_line() -> None:
    try:
        raise ValueError("bad row")
    except ValueError:
        record = _record(exc_info=sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert "ValueError: bad row" in entry["exception"]


def test_the_configuration_sends_seci_and_uvicorn_through_it() -> None:
    # In a process of its own: dictConfig changes the global logging set-up.
    code = ("import logging, logging.config; from seci.ops.logs import logging_config; "
            "logging.config.dictConfig(logging_config('json')); "
            "logging.getLogger('seci.assistant').info('流已连接'); "
            "logging.getLogger('uvicorn.error').info('Started server process')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert [(e["logger"], e["message"]) for e in lines] == [
        ("seci.assistant", "流已连接"), ("uvicorn.error", "Started server process")]
    assert logging_config("text")["formatters"]["seci"]["format"]


def test_the_setting_takes_text_or_json_only() -> None:
    assert Settings().log_format == "text"
    assert Settings(log_format="json").log_format == "json"
    with pytest.raises(ValidationError):
        Settings(log_format="xml")


def test_serve_hands_the_json_configuration_to_uvicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda target, **kwargs: seen.update(kwargs))
    monkeypatch.setenv("SECI_LOG_FORMAT", "json")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["serve", "--workers", "3", "--port", "8123"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert seen["workers"] == 3 and seen["port"] == 8123
    assert seen["log_config"] == logging_config("json")
