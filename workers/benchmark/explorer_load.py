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
under the readers (target >= 0.8). Each way runs ``--repeat`` times (3), alternating; the
best time of each counts. The readers' counts (pages by status, streams served and
refused, articles each stream received, any received twice) are printed with it.

Run: ``python -m workers.benchmark.explorer_load --events 2000`` (needs Debian's
PostgreSQL; starts and removes its own cluster with ``deploy/local/postgres.sh``).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import psycopg

from workers.positions import Position
from workers.sink.local_cluster import LocalCluster, free_port, local_cluster
from workers.sink.rows import article_rows
from workers.sink.samples import sample_stream
from workers.sink.schema import READER_ROLE, apply_migrations

__all__ = ["LoadBench", "main", "measure", "reader_paths"]

_TOPIC = "articles.enriched"


@dataclass(frozen=True, slots=True)
class LoadBench:
    """What one run measured."""

    events: int
    batch: int
    prefill: int
    clients: int
    streams: int
    think: float
    max_streams: int
    alone_seconds: float
    readers_seconds: float
    repeat: int
    readers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        """The sink's throughput under readers over its throughput alone (target >= 0.8)."""
        return self.alone_seconds / self.readers_seconds

    def report(self) -> str:
        lines = [
            f"(L) the sink alone vs under explorer readers, {self.events} articles onto {self.prefill}, "
            f"transactions of {self.batch}, best of {self.repeat} alternating runs:",
            f"    sink alone:                      {self.alone_seconds:7.2f} s  "
            f"{self.events / self.alone_seconds:8.0f} articles/s",
            f"    sink under readers:              {self.readers_seconds:7.2f} s  "
            f"{self.events / self.readers_seconds:8.0f} articles/s",
            f"    readers: {self.clients} page clients ({self.think:g} s apart each), {self.streams} live-feed "
            f"clients (server limit {self.max_streams})",
            f"    ratio under readers / alone: {self.ratio:.2f} (target >= 0.8)",
        ]
        for i, counts in enumerate(self.readers, 1):
            lines.append(f"    readers, run {i}: {json.dumps(counts, sort_keys=True)}")
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


@contextmanager
def _readers(
    cluster: LocalCluster, database: str, paths: Sequence[str], args: argparse.Namespace, out: list[dict[str, Any]]
) -> Iterator[None]:
    """``newsflow serve`` on ``database`` and the reader process, running; their counts go to ``out``."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")},
        "NEWSFLOW_WEB_DATABASE_URL": cluster.url(database, reader=True),
        "NEWSFLOW_WEB_MAX_STREAMS": str(args.max_streams),
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
        yield
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
        _wait_for_readers_to_leave(cluster, database)


def _wait_for_readers_to_leave(cluster: LocalCluster, database: str, timeout: float = 30) -> None:
    """Wait until the reader role has no session left on ``database``: the owner may not
    end another role's sessions, so dropping the database would fail."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(cluster.url("newsflow"), autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND usename = %s",
                (database, READER_ROLE),
            ).fetchone()
            if row is None or row[0] == 0:
                return
            time.sleep(0.2)


def measure(cluster: LocalCluster, events: Sequence[dict[str, Any]], args: argparse.Namespace) -> LoadBench:
    """Write ``args.events`` renumbered copies of ``events`` alone and under readers,
    each into a fresh database prefilled with ``args.prefill`` articles, ``args.repeat``
    times in alternation; the best time of each way counts."""
    prefill = list(sample_stream(events, args.prefill, prefix="prefill"))
    payloads = [orjson.dumps(e) for e in sample_stream(events, args.events, prefix="load")]
    paths = reader_paths(prefill[: len(events)])
    seconds: dict[str, list[float]] = {"alone": [], "readers": []}
    counts: list[dict[str, Any]] = []
    for _ in range(args.repeat):
        for way in ("alone", "readers"):
            name = cluster.create_database()
            url = cluster.url(name)
            try:
                with psycopg.connect(url) as conn:
                    apply_migrations(conn)
                _prefill(url, prefill)
                if way == "alone":
                    seconds[way].append(_write(url, payloads, args.batch))
                else:
                    with _readers(cluster, name, paths, args, counts):
                        seconds[way].append(_write(url, payloads, args.batch))
            finally:
                cluster.drop_database(name)
    return LoadBench(
        events=args.events,
        batch=args.batch,
        prefill=args.prefill,
        clients=args.clients,
        streams=args.streams,
        think=args.think,
        max_streams=args.max_streams,
        alone_seconds=min(seconds["alone"]),
        readers_seconds=min(seconds["readers"]),
        repeat=args.repeat,
        readers=counts,
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m workers.benchmark.explorer_load", description=__doc__.split("\n\n")[0])
    p.add_argument("--events", type=int, default=2000, help="articles the sink writes each way (2000)")
    p.add_argument("--batch", type=int, default=500, help="events per sink transaction (500)")
    p.add_argument("--prefill", type=int, default=1000, help="articles in the database before (1000)")
    p.add_argument("--clients", type=int, default=20, help="page clients (20)")
    p.add_argument("--streams", type=int, default=25, help="live-feed clients (25: 5 past the limit)")
    p.add_argument("--max-streams", type=int, default=20, help="NEWSFLOW_WEB_MAX_STREAMS of the server (20)")
    p.add_argument("--think", type=float, default=0.1, help="seconds between two pages of a client (0.1)")
    p.add_argument("--reader-seconds", type=float, default=300, help="longest the readers run (300)")
    p.add_argument("--warm-up", type=float, default=3, help="seconds of readers before the timed write (3)")
    p.add_argument("--settle", type=float, default=3, help="seconds of readers after it (3)")
    p.add_argument("--repeat", type=int, default=3, help="alternating runs of each way; the best counts (3)")
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
