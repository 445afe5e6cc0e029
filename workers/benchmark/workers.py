"""Worker processes for the benchmark: start, wait until ready, sample memory, stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import fields
from pathlib import Path

from workers.settings import Settings

__all__ = ["BenchWorker", "free_port", "settings_env"]


def settings_env(settings: Settings) -> dict[str, str]:
    """This process's environment with ``settings`` as ``NEWSFLOW_*`` variables (and no
    other ones), so that a child process runs with exactly these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
    for f in fields(Settings):
        env[f"NEWSFLOW_{f.name.upper()}"] = str(getattr(settings, f.name))
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class BenchWorker:
    """A ``newsflow worker`` subprocess with its own metrics port and data dir.

    BLAS is held to one thread per process, so N workers on N cores do not fight.
    """

    def __init__(self, settings: Settings, workdir: Path, name: str) -> None:
        self.port = free_port()
        self.log_path = workdir / f"{name}.log"
        env = settings_env(settings) | {
            "NEWSFLOW_METRICS_PORT": str(self.port),
            "NEWSFLOW_METRICS_HOST": "127.0.0.1",
            "NEWSFLOW_DATA_DIR": str(workdir / f"{name}-data"),
            "NEWSFLOW_LOG_LEVEL": "warning",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
        }
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "workers", "worker"], stdout=log, stderr=subprocess.STDOUT, env=env
            )

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/readyz", timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def wait_ready(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready():
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited with {self.proc.returncode}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"worker not ready after {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.5)

    def memory_mb(self) -> tuple[float, float]:
        """Current and peak resident memory (VmRSS, VmHWM) in MB."""
        values = {}
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, amount = line.split(":", 1)
                values[key] = int(amount.split()[0]) / 1024
        return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        return self.proc.wait()

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace").splitlines() if self.log_path.exists() else []
        return "\n".join(text[-lines:])
