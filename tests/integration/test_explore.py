"""``make explore`` (deploy/local/explore.sh) as a user runs it: it prints the URL, the
seed articles come up in the explorer, and Ctrl-C stops everything it started but not
a database that was already running."""

from __future__ import annotations

import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.integration.conftest import REPO, _free_port
from workers.sink.local_cluster import LocalCluster

EXPLORE_SH = REPO / "deploy" / "local" / "explore.sh"
FIRST_SEED = "000_3393e2ca348ff21d"


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_explore_serves_the_seeds_and_ctrl_c_stops_what_it_started(tmp_path: Path, postgres: LocalCluster) -> None:
    kafka_port, web_port = _free_port(), _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")},
        "KAFKA_PORT": str(kafka_port),
        "KAFKA_CONTROLLER_PORT": str(_free_port()),
        "KAFKA_STATE_DIR": str(tmp_path / "kafka"),
        # the session's database server is already running: explore must reuse it and leave it up
        "POSTGRES_PORT": str(postgres.port),
        "POSTGRES_STATE_DIR": str(postgres.state_dir),
        "EXPLORE_PORT": str(web_port),
        "EXPLORE_STATE_DIR": str(tmp_path / "explore"),
        "EXPLORE_NEWSFLOW": str(Path(sys.executable).parent / "newsflow"),
        "NEWSFLOW_METRICS_PORT": str(_free_port()),
        "NEWSFLOW_STORIES_METRICS_PORT": str(_free_port()),
    }
    proc = subprocess.Popen(
        [str(EXPLORE_SH)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    output: list[str] = []
    try:
        url = read_until_url(proc, output, timeout=420)
        assert url == f"http://127.0.0.1:{web_port}/"
        assert "reusing the running database" in "".join(output)

        deadline = time.monotonic() + 300
        while True:
            # the article, and its story: the story stage placed it and the sink stored that
            page = httpx.get(f"{url}articles/{FIRST_SEED}", timeout=10)
            if page.status_code == 200 and 'class="story-link"' in page.text:
                break
            assert proc.poll() is None, "".join(output)
            assert time.monotonic() < deadline, (
                f"the first seed or its story never reached the explorer:\n{''.join(output)}"
            )
            time.sleep(1)
        assert page.text.count('<mark class="entity') > 10
        assert "content-security-policy" in page.headers
        story = httpx.get(url.rstrip("/") + re.search(r'class="story-link" href="([^"]+)"', page.text)[1], timeout=10)  # type: ignore[index]
        assert story.status_code == 200 and FIRST_SEED in story.text

        children = [int(pid) for pid in re.findall(r"started the \w+ \(pid (\d+)", "".join(output))]
        assert len(children) == 4  # worker, story stage, sink, server
        os.kill(proc.pid, signal.SIGINT)
        rc = proc.wait(timeout=180)
        output.append(proc.stdout.read().decode(errors="replace") if proc.stdout else "")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            subprocess.run([str(REPO / "deploy/local/kafka.sh"), "stop", "--purge"], env=env, check=False)
    log = "".join(output)
    assert rc == 130, log
    assert not [pid for pid in children if running(pid)], log
    assert not listening(web_port) and not listening(kafka_port), log
    assert listening(postgres.port), "explore stopped a database it had not started"
    assert "stopped" in log
    subprocess.run([str(REPO / "deploy/local/kafka.sh"), "stop", "--purge"], env=env, check=False, capture_output=True)


def read_until_url(proc: subprocess.Popen[bytes], output: list[str], *, timeout: float) -> str:
    """Read the script's output until it prints the explorer's URL."""
    assert proc.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if selector.select(timeout=1):
            line = proc.stdout.readline().decode(errors="replace")
            if not line:
                break
            output.append(line)
            found = re.search(r"explore: explorer: (http://\S+)", line)
            if found:
                return found.group(1)
    raise AssertionError(f"explore printed no URL (exit {proc.poll()}):\n{''.join(output)}")
