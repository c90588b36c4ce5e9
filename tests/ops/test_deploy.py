"""The deployment files in deploy/ agree with the package and with each other: the units
start `seci` commands that exist with options they accept, nginx proxies to the port the
web unit listens on with limits that fit SECI's uploads, the env example names real
settings. With an nginx binary on PATH, `nginx -t` checks the configuration too."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import typer

from seci.app import STATIC_DIR
from seci.cli import app
from seci.core.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX = DEPLOY / "nginx" / "seci.conf"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
ENV_EXAMPLE = DEPLOY / "seci.env.example"


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """systemd's INI dialect: sections, repeated keys allowed, '#'/';' comments."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for number, raw in enumerate(path.read_text("utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None and "=" in line, f"{path.name}:{number}: {raw!r}"
        key, value = line.split("=", 1)
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def entry_points() -> set[str]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return set(tomllib.load(handle)["project"]["scripts"])


def seci_command(args: list[str]) -> Any:
    """Parse a `seci …` command line as the CLI would (unknown commands or options raise);
    returns the click context of the command it names."""
    command: Any = typer.main.get_command(app)
    rest = list(args)
    while hasattr(command, "commands"):  # a group: the next word names a sub-command
        name = rest.pop(0)
        assert name in command.commands, f"`seci {name}` does not exist"
        command = command.commands[name]
    return command.make_context("seci", rest)


def exec_start(unit: Path) -> list[str]:
    [line] = parse_unit(unit)["Service"]["ExecStart"]
    return shlex.split(line)


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def nginx_sizes(text: str) -> list[int]:
    units = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
    return [int(n) * units[u.lower()]
            for n, u in re.findall(r"client_max_body_size\s+(\d+)([kKmMgG]?);", text)]


def test_there_are_web_and_worker_units() -> None:
    assert {u.name for u in UNITS} >= {"seci-web.service", "seci-worker.service"}


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_units_start_commands_that_exist(unit: Path) -> None:
    sections = parse_unit(unit)
    assert "Service" in sections and "Unit" in sections
    args = exec_start(unit)
    program = Path(args[0])
    assert program.is_absolute()
    if program.name in entry_points():
        context = seci_command(args[1:])
        assert context.command.name in {"serve", "worker", "backup"}
        env_file = Path(sections["Service"]["EnvironmentFile"][0].lstrip("-"))
        assert env_file.name == "seci.env" and ENV_EXAMPLE.exists()
    else:
        assert shutil.which(program.name), f"{program} is not a system program here"
    for post in sections["Service"].get("ExecStartPost", []):
        assert shutil.which(Path(shlex.split(post)[0]).name)


def test_timers_start_units_that_exist() -> None:
    for timer in (DEPLOY / "systemd").glob("*.timer"):
        sections = parse_unit(timer)
        assert "OnCalendar" in sections["Timer"]
        assert (timer.with_suffix(".service")).exists()


def test_the_web_unit_runs_several_workers_on_the_port_nginx_proxies_to() -> None:
    args = exec_start(DEPLOY / "systemd" / "seci-web.service")
    assert args[1] == "serve" and int(option(args, "--workers")) > 1
    port = option(args, "--port")
    upstream = re.search(r"upstream\s+seci_web\s*\{([^}]*)\}", NGINX.read_text("utf-8"))
    assert upstream is not None
    assert re.findall(r"server\s+127\.0\.0\.1:(\d+);", upstream.group(1)) == [port]
    assert f"SECI_PORT={port}\n" in ENV_EXAMPLE.read_text("utf-8")


def test_nginx_streams_the_assistant_and_fits_the_upload_limits() -> None:
    text = NGINX.read_text("utf-8")
    assistant = re.search(r"location /api/v1/assistant/ \{([^}]*)\}", text)
    assert assistant is not None
    assert "proxy_buffering off;" in assistant.group(1)
    timeout = re.search(r"proxy_read_timeout (\d+)s;", assistant.group(1))
    assert timeout is not None and int(timeout.group(1)) >= 3600
    defaults = Settings()
    sizes = nginx_sizes(text)
    assert min(sizes) >= defaults.import_max_bytes  # every location takes an import
    for path in ("/api/v1/calls/imports", "/calls/import"):
        block = re.search(rf"location {re.escape(path)} \{{([^}}]*)\}}", text)
        assert block is not None, path
        assert max(nginx_sizes(block.group(1))) >= defaults.call_import_max_bytes
        assert "proxy_request_buffering off;" in block.group(1)
    alias = re.search(r"location /static/ \{[^}]*alias ([^;]+);", text)
    assert alias is not None and alias.group(1).endswith("/seci/web/static/")
    assert STATIC_DIR.is_dir() and any(STATIC_DIR.iterdir())


def test_the_env_example_names_real_settings() -> None:
    known = {f"SECI_{name.upper()}" for name in Settings.model_fields}
    names = re.findall(r"^(SECI_\w+)=", ENV_EXAMPLE.read_text("utf-8"), flags=re.MULTILINE)
    assert names and set(names) <= known
    values = dict(line.split("=", 1) for line in ENV_EXAMPLE.read_text("utf-8").splitlines()
                  if line.startswith("SECI_"))
    settings = Settings.model_validate({k.removeprefix("SECI_").lower(): v
                                        for k, v in values.items()})
    assert settings.log_format == "json"


@pytest.mark.skipif(shutil.which("nginx") is None, reason="no nginx binary on PATH")
def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/logs/error.log;\n"
        "events {}\nhttp {\n"
        f"  access_log {tmp_path}/logs/access.log;\n"
        f"  client_body_temp_path {tmp_path}/body;\n  proxy_temp_path {tmp_path}/proxy;\n"
        f"  include {NGINX};\n}}\n", "utf-8")
    done = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(main)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    for unit in (DEPLOY / "systemd").iterdir():
        shutil.copy(unit, tmp_path / unit.name)
    done = subprocess.run(["systemd-analyze", "verify", "--man=no",
                           *sorted(str(p) for p in tmp_path.iterdir())],
                          capture_output=True, text=True, check=False, timeout=60)
    # The one thing it may miss here: /opt/seci/.venv/bin/seci of the installed site.
    complaints = [line for line in (done.stdout + done.stderr).splitlines()
                  if line.strip() and "/opt/seci/.venv/bin/seci is not executable" not in line]
    assert complaints == []
