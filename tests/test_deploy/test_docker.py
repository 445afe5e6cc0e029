"""deploy/docker/: the worker image."""

from __future__ import annotations

import json
import re
import shlex

from tests.test_deploy.deploy_files import DOCKERFILE
from workers.settings import Settings

DOCKERIGNORE = DOCKERFILE.with_name("Dockerfile.dockerignore")


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of every instruction, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def arguments(instruction: str) -> list[str]:
    return [rest for word, rest in instructions() if word == instruction]


def test_base_image_is_python_3_11_slim_pinned_to_a_patch_release() -> None:
    (base,) = arguments("FROM")
    assert re.fullmatch(r"python:3\.11\.\d+-slim(-\w+)?", base), base


def test_image_installs_the_package_with_pip() -> None:
    assert any(re.search(r"\bpip install \.(\s|$)", run) for run in arguments("RUN"))


def test_image_runs_as_a_non_root_user() -> None:
    users = arguments("USER")
    assert users and users[-1] not in {"root", "0"}


def test_image_exposes_the_settings_metrics_port() -> None:
    assert arguments("EXPOSE") == [str(Settings().metrics_port)]


def test_image_runs_the_worker() -> None:
    assert [json.loads(cmd) for cmd in arguments("CMD")] == [["newsflow", "worker"]]


def test_healthcheck_calls_healthz() -> None:
    (check,) = arguments("HEALTHCHECK")
    assert "/healthz" in check and "CMD" in shlex.split(check.replace("[", " ").replace("]", " "))


def test_build_context_leaves_out_everything_but_the_package() -> None:
    rules = [r.strip() for r in DOCKERIGNORE.read_text().splitlines() if r.strip() and not r.startswith("#")]
    assert rules[0] == "*"
    assert {"!pyproject.toml", "!README.md", "!workers/"} <= set(rules)


def test_image_copies_only_what_the_build_context_sends() -> None:
    sent = {r.lstrip("!").rstrip("/") for r in DOCKERIGNORE.read_text().splitlines() if r.startswith("!")}
    copied = {src.rstrip("/") for copy in arguments("COPY") for src in copy.split()[:-1]}
    assert copied <= sent
