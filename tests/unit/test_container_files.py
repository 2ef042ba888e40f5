"""The container files no engine runs here: Dockerfile and compose.yaml are checked as text.

The image must install the way `make install` does — the path every test runs on — so the
Dockerfile's venv and pip steps are compared with the Makefile's (the image only leaves out the
`[dev]` extras), and it must copy every package pyproject.toml installs. compose.yaml is parsed
with PyYAML (a test dependency)."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import yaml

from core import config_rules

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _install_recipe() -> list[str]:
    """The Makefile's `$(STAMP)` recipe: the commands `make install` runs."""
    recipe = re.search(r"^\$\(STAMP\):.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M)
    assert recipe, "no $(STAMP) recipe in the Makefile"
    return [line.strip() for line in recipe.group(1).splitlines()]


def _pip_steps(commands: list[str]) -> list[list[str]]:
    """Each `python -m pip install …` as its arguments, `--quiet` and dev extras left out."""
    steps = []
    for command in commands:
        words = shlex.split(command)
        if words[1:4] == ["-m", "pip", "install"]:
            args = [word.replace("[dev]", "") for word in words[4:] if word != "--quiet"]
            steps.append(args)
    return steps


def _run_lines() -> list[str]:
    return [
        line.removeprefix("RUN ").strip()
        for line in DOCKERFILE.splitlines()
        if line.startswith("RUN ")
    ]


def test_the_image_installs_as_make_install_does() -> None:
    make_steps, image_steps = _pip_steps(_install_recipe()), _pip_steps(_run_lines())
    assert make_steps == [["--upgrade", "pip"], ["-e", "."]]
    assert image_steps == make_steps
    assert any("-m venv" in line for line in _install_recipe())
    assert any("-m venv" in line for line in _run_lines())


def test_the_image_copies_every_installed_package() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = {
        name.rstrip("*") for name in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    copied = set(re.findall(r"^COPY (\w+) \1$", DOCKERFILE, re.M))
    assert packages == copied


def test_the_image_runs_slim_311_as_a_user_with_a_health_check() -> None:
    assert re.search(r"^FROM python:3\.11-slim\b", DOCKERFILE, re.M)
    users = re.findall(r"^USER (\S+)", DOCKERFILE, re.M)
    assert users and users[-1] not in ("root", "0")
    assert "/healthz" in healthcheck_code() and "curl" not in healthcheck_code()
    assert re.search(r"^EXPOSE 8080$", DOCKERFILE, re.M)
    assert re.search(r'^CMD \["digestbot", "run"\]', DOCKERFILE, re.M)


def healthcheck_code() -> str:
    """The Python the image's HEALTHCHECK runs (`python -c …`); tests/e2e/test_http_server.py
    runs it against a real server."""
    found = re.search(r"^HEALTHCHECK .*\\\n\s*CMD (\[.*\])$", DOCKERFILE, re.M)
    assert found, "no HEALTHCHECK … CMD [...] in the Dockerfile"
    command: list[str] = json.loads(found.group(1))
    assert command[:2] == ["python", "-c"]
    return command[2]


def test_compose_publishes_the_http_port_on_loopback() -> None:
    ports = _compose()["services"]["bot"]["ports"]
    assert ports == ["127.0.0.1:8080:8080"]


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def test_compose_runs_the_bot_against_its_postgres() -> None:
    compose = _compose()
    bot, postgres = compose["services"]["bot"], compose["services"]["postgres"]
    assert postgres["image"] == "postgres:16"
    assert bot["env_file"] == ".env" and bot["build"] == "."
    url = re.sub(r"\$\{[^}]*\}", "pw", bot["environment"]["DATABASE_URL"])
    assert config_rules.database_url(url) == url
    assert "@postgres:5432/" in url
    assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_compose_keeps_data_in_named_volumes() -> None:
    compose = _compose()
    declared = set(compose["volumes"])
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            assert volume.split(":", 1)[0] in declared, volume
    assert declared == {"bot-data", "postgres-data"}
