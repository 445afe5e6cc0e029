"""(L) The sink's throughput alone and under explorer readers, in one run.

Each way writes the same N article events (real enrichment of seed articles, renumbered)
through the sink's path (:func:`workers.benchmark.sink.sink_rate`: events parsed, rows
made, ``SinkStore.write`` in transactions of ``--batch``) into a fresh database of one
throwaway cluster that already holds ``--prefill`` articles:

(a) alone;
(b) while ``newsflow serve`` (its own process, on 127.0.0.1) serves readers from another
    process (:mod:`workers.benchmark.explorer_readers`): ``--clients`` page clients
    reading the front page, searches (a stop-word one among them), article, entity and
    chart pages, ``--think`` seconds apart each, and ``--streams`` live-feed clients
    (those past ``NEWSFLOW_WEB_MAX_STREAMS`` are answered 503 and retry). The readers are
    bounded in count and in time (``--reader-seconds``), and started before the timed
    write, which they read while it happens.

The ratio (a)/(b) of the times is the share of its throughput alone that the sink keeps
under the readers (target >= 0.8). The two ways run in ``--repeat`` pairs (5), one right
after the other, the order turned round every pair (alone first, then readers first, ...)
so that a drift in the machine's other load falls on both alike; the figure is the median
of the pairs' ratios, printed with their lowest and highest. With it: the machine (cores,
load average before and after), the CPU the explorer used while the sink wrote (the
``newsflow serve`` process, its database sessions and the reader process, in cores), and
the readers' counts (pages by status, streams served and refused, articles each stream
received, any received twice).

Run: ``python -m workers.benchmark.explorer_load --think 1.0`` (needs Debian's PostgreSQL
and Linux's /proc; starts and removes its own cluster with ``deploy/local/postgres.sh``).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import psycopg

from workers.positions import Position
from workers.settings import Settings
from workers.sink.local_cluster import LocalCluster, free_port, local_cluster
from workers.sink.rows import article_rows
from workers.sink.samples import sample_stream
from workers.sink.schema import READER_ROLE, apply_migrations

__all__ = ["LoadBench", "main", "measure", "reader_paths"]

_TOPIC = "articles.enriched"


@dataclass(frozen=True, slots=True)
class LoadBench:
    """What one run measured: the sink's seconds alone and under readers, pair by pair."""

    events: int
    batch: int
    prefill: int
    clients: int
    streams: int
    think: float
    max_streams: int
    alone_seconds: list[float]
    readers_seconds: list[float]
    readers: list[dict[str, Any]] = field(default_factory=list)
    explorer_cpu: list[dict[str, float]] = field(default_factory=list)  # CPU seconds while the sink wrote
    cores: int = 0
    load_before: float = 0.0
    load_after: float = 0.0

    @property
    def ratios(self) -> list[float]:
        """Each pair's throughput under readers over alone."""
        return [a / r for a, r in zip(self.alone_seconds, self.readers_seconds, strict=True)]

    @property
    def ratio(self) -> float:
        """The median pair's throughput under readers over alone (target >= 0.8)."""
        return statistics.median(self.ratios)

    def _rate(self, seconds: list[float]) -> str:
        rates = sorted(self.events / s for s in seconds)
        return f"{statistics.median(rates):5.0f} articles/s median ({rates[0]:.0f}-{rates[-1]:.0f})"

    def report(self) -> str:
        ratios = self.ratios
        lines = [
            f"(L) the sink alone vs under explorer readers, {self.events} articles onto {self.prefill}, "
            f"transactions of {self.batch}, {len(ratios)} pairs (order turned round each pair):",
            f"    machine: {self.cores} cores, load average {self.load_before:.1f} before, {self.load_after:.1f} after",
            f"    sink alone:         {self._rate(self.alone_seconds)}",
            f"    sink under readers: {self._rate(self.readers_seconds)}",
            f"    readers: {self.clients} page clients ({self.think:g} s apart each), {self.streams} live-feed "
            f"clients (server limit {self.max_streams})",
            f"    ratio under readers / alone, pair by pair: {' '.join(f'{r:.2f}' for r in ratios)}",
            f"    ratio under readers / alone: {self.ratio:.2f} median, {min(ratios):.2f}-{max(ratios):.2f} "
            "(target >= 0.8)",
        ]
        for i, (seconds, cpu) in enumerate(zip(self.readers_seconds, self.explorer_cpu, strict=False), 1):
            used = ", ".join(f"{k} {v / seconds:.2f}" for k, v in cpu.items())
            lines.append(f"    explorer CPU while the sink wrote, pair {i} (cores): {used}")
        for i, counts in enumerate(self.readers, 1):
            lines.append(f"    readers, pair {i}: {json.dumps(counts, sort_keys=True)}")
        return "\n".join(lines)


def reader_paths(events: Sequence[dict[str, Any]]) -> list[str]:
    """The pages the page clients read, in turn: the front page, searches (one of stop
    words only, which takes the substring fallback), and each article's, entity's and
    chart's page."""
    paths = ["/", "/?q=the", "/?q=police", "/?q=%22state+media%22"]
    for event in events:
        paths.append(f"/articles/{event['id']}")
        for entity in event["entities"][:3]:
            paths += [f"/entities/{entity['id']}", f"/entities/{entity['id']}/mentions.svg"]
    return paths


def _write(url: str, payloads: Sequence[bytes], batch: int) -> float:
    from workers.benchmark.sink import sink_rate

    return sink_rate(url, payloads, batch)


def _prefill(url: str, events: Sequence[dict[str, Any]]) -> None:
    from workers.benchmark.sink import copy_rate

    copy_rate(url, [article_rows(e, Position(_TOPIC, 1, i)) for i, e in enumerate(events)])


def _wait_for_http(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"newsflow serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise RuntimeError(f"newsflow serve did not answer on {url}")


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float:
    """CPU seconds (user and system) a process has used so far (0: it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _explorer_cpu(cluster: LocalCluster, database: str, serve: int, readers: int) -> dict[str, float]:
    """CPU seconds so far of ``newsflow serve``, of its database sessions and of the readers."""
    with psycopg.connect(cluster.url("newsflow"), autocommit=True) as conn:
        sessions = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND usename = %s", (database, READER_ROLE)
        ).fetchall()
    return {
        "serve": _cpu_seconds(serve),
        "its database sessions": sum(_cpu_seconds(pid) for (pid,) in sessions),
        "reader process": _cpu_seconds(readers),
    }


@contextmanager
def _readers(
    cluster: LocalCluster, database: str, paths: Sequence[str], args: argparse.Namespace, out: list[dict[str, Any]]
) -> Iterator[Callable[[], dict[str, float]]]:
    """``newsflow serve`` on ``database`` and the reader process, running; their counts
    go to ``out``. Yields a function that tells the CPU seconds they used so far."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")},
        "NEWSFLOW_WEB_DATABASE_URL": cluster.url(database, reader=True),
        "NEWSFLOW_WEB_MAX_STREAMS": str(args.max_streams),
        "NEWSFLOW_WEB_CACHE_SECONDS": str(args.cache_seconds),
    }
    serve = subprocess.Popen(
        [sys.executable, "-m", "workers", "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    with tempfile.NamedTemporaryFile("w", suffix=".paths", delete=False) as f:
        f.write("\n".join(paths))
    readers: subprocess.Popen[str] | None = None
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for_http(base + "/", serve)
        readers = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "workers.benchmark.explorer_readers",
                base,
                "--paths-file",
                f.name,
                "--clients",
                str(args.clients),
                "--streams",
                str(args.streams),
                "--think",
                str(args.think),
                "--seconds",
                str(args.reader_seconds),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert readers.stdout is not None
        if readers.stdout.readline().strip() != "ready":
            raise RuntimeError("the readers did not start")
        time.sleep(args.warm_up)  # the streams connected and the pages flowing
        yield lambda: _explorer_cpu(cluster, database, serve.pid, readers.pid)
        time.sleep(args.settle)  # the feeds catch up with the last transaction
    finally:
        if readers is not None:
            readers.send_signal(signal.SIGTERM)
            stdout, _ = readers.communicate(timeout=60)
            lines = [line for line in stdout.splitlines() if line.startswith("{")]
            if lines:
                out.append(json.loads(lines[-1]))
        serve.send_signal(signal.SIGINT)
        try:
            serve.wait(30)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait()
        Path(f.name).unlink(missing_ok=True)


def _one_way(
    cluster: LocalCluster,
    prefill: Sequence[dict[str, Any]],
    payloads: Sequence[bytes],
    paths: Sequence[str],
    args: argparse.Namespace,
    counts: list[dict[str, Any]],
    cpu: list[dict[str, float]],
    *,
    readers: bool,
) -> float:
    """Seconds the sink takes to write ``payloads`` into a fresh prefilled database,
    alone or under readers (whose counts and CPU seconds are appended)."""
    name = cluster.create_database()
    url = cluster.url(name)
    try:
        with psycopg.connect(url) as conn:
            apply_migrations(conn)
        _prefill(url, prefill)
        if not readers:
            return _write(url, payloads, args.batch)
        with _readers(cluster, name, paths, args, counts) as explorer_cpu:
            before = explorer_cpu()
            seconds = _write(url, payloads, args.batch)
            after = explorer_cpu()
            cpu.append({k: after[k] - before[k] for k in after})
            return seconds
    finally:
        cluster.drop_database(name)


def measure(cluster: LocalCluster, events: Sequence[dict[str, Any]], args: argparse.Namespace) -> LoadBench:
    """Write ``args.events`` renumbered copies of ``events`` alone and under readers,
    each into a fresh database prefilled with ``args.prefill`` articles, in
    ``args.repeat`` pairs, the order turned round each pair."""
    prefill = list(sample_stream(events, args.prefill, prefix="prefill"))
    payloads = [orjson.dumps(e) for e in sample_stream(events, args.events, prefix="load")]
    paths = reader_paths(prefill[: len(events)])
    seconds: dict[bool, list[float]] = {False: [], True: []}
    counts: list[dict[str, Any]] = []
    cpu: list[dict[str, float]] = []
    load_before = os.getloadavg()[0]
    for pair in range(args.repeat):
        for readers in (False, True) if pair % 2 == 0 else (True, False):
            seconds[readers].append(_one_way(cluster, prefill, payloads, paths, args, counts, cpu, readers=readers))
    return LoadBench(
        events=args.events,
        batch=args.batch,
        prefill=args.prefill,
        clients=args.clients,
        streams=args.streams,
        think=args.think,
        max_streams=args.max_streams,
        alone_seconds=seconds[False],
        readers_seconds=seconds[True],
        readers=counts,
        explorer_cpu=cpu,
        cores=os.cpu_count() or 0,
        load_before=load_before,
        load_after=os.getloadavg()[0],
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m workers.benchmark.explorer_load", description=__doc__.split("\n\n")[0])
    p.add_argument("--events", type=int, default=2000, help="articles the sink writes each way (2000)")
    p.add_argument("--batch", type=int, default=500, help="events per sink transaction (500)")
    p.add_argument("--prefill", type=int, default=1000, help="articles in the database before (1000)")
    p.add_argument("--clients", type=int, default=20, help="page clients (20)")
    p.add_argument("--streams", type=int, default=25, help="live-feed clients (25: 5 past the limit)")
    p.add_argument("--max-streams", type=int, default=20, help="NEWSFLOW_WEB_MAX_STREAMS of the server (20)")
    p.add_argument(
        "--cache-seconds",
        type=float,
        default=Settings().web_cache_seconds,
        help=f"NEWSFLOW_WEB_CACHE_SECONDS of the server ({Settings().web_cache_seconds:g}; 0: no page cache)",
    )
    p.add_argument("--think", type=float, default=0.1, help="seconds between two pages of a client (0.1)")
    p.add_argument("--reader-seconds", type=float, default=300, help="longest the readers run (300)")
    p.add_argument("--warm-up", type=float, default=3, help="seconds of readers before the timed write (3)")
    p.add_argument("--settle", type=float, default=3, help="seconds of readers after it (3)")
    p.add_argument(
        "--repeat", type=int, default=5, help="pairs of runs, alone and under readers; the median counts (5)"
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from workers.benchmark.sink import seed_events

    events, _ = seed_events()
    with local_cluster() as cluster:
        print(measure(cluster, events, args).report(), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
