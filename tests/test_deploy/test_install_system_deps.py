"""deploy/local/install-system-deps.sh installs Debian's prometheus when promtool is missing.

The script runs with a PATH of stubs: ``apt-get`` records its arguments instead of
installing, ``id`` says root (so no sudo), java and mvn exist.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.test_deploy.deploy_files import REPO

SCRIPT = REPO / "deploy" / "local" / "install-system-deps.sh"
#: The other tools the script looks for: PostgreSQL's server, chromium and its driver.
OTHERS = ["pg_ctlcluster", "chromium", "chromedriver"]


def stub(bin_dir: Path, name: str, body: str = "exit 0") -> None:
    path = bin_dir / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


def run_with(tmp_path: Path, present: list[str]) -> list[str]:
    """Run the script with only ``present`` tools (and java, mvn); return apt-get's calls."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "apt-get.calls"
    stub(bin_dir, "apt-get", f'echo "$*" >> {calls}')
    stub(bin_dir, "id", "echo 0")
    for tool in ["java", "mvn", *present]:
        stub(bin_dir, tool)
    result = subprocess.run(
        ["/bin/bash", str(SCRIPT)], env={"PATH": str(bin_dir)}, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    return calls.read_text().splitlines() if calls.exists() else []


def test_installs_prometheus_when_promtool_is_missing(tmp_path: Path) -> None:
    calls = run_with(tmp_path, present=["kcat", "prometheus", *OTHERS])
    assert calls[-1].split()[-1] == "prometheus"


def test_installs_prometheus_when_the_server_is_missing(tmp_path: Path) -> None:
    calls = run_with(tmp_path, present=["kcat", "promtool", *OTHERS])
    assert calls[-1].split()[-1] == "prometheus"


def test_installs_nothing_when_everything_is_there(tmp_path: Path) -> None:
    assert run_with(tmp_path, present=["kcat", "prometheus", "promtool", *OTHERS]) == []


def test_installs_postgresql_and_chromium_when_missing(tmp_path: Path) -> None:
    calls = run_with(tmp_path, present=["kcat", "prometheus", "promtool"])
    assert calls[-1].split()[-3:] == ["postgresql", "chromium", "chromium-driver"]
