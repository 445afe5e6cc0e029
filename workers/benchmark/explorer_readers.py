"""Readers of the explorer for the load benchmark: page clients and live-feed clients.

A bounded load, in count and in time: ``--clients`` threads each GET one page after
another (the paths given, in turn, ``--think`` seconds apart) and ``--streams`` threads
each hold ``/events`` open and note the article ids the feed sends (a client answered
503 waits the ``Retry-After`` and asks again). Everything stops after ``--seconds`` or
on SIGTERM, whichever comes first, and one JSON line of counts is printed. Standard
library only, and run as a process of its own (by :mod:`workers.benchmark.explorer_load`)
so the readers' Python never shares a GIL with the sink being measured.

Run: ``python -m workers.benchmark.explorer_readers http://127.0.0.1:8000 --paths-file F``
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import signal
import socket
import sys
import threading
import urllib.parse
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import FrameType

__all__ = ["ReaderCounts", "main", "page_client", "stream_client"]


@dataclass
class ReaderCounts:
    """What the readers did (each thread writes its own entries; summed at the end)."""

    pages: Counter[int] = field(default_factory=Counter)  # answers by HTTP status
    page_errors: int = 0  # no answer at all (connection refused, reset, timeout)
    streams_opened: int = 0
    streams_refused: int = 0  # 503 past NEWSFLOW_WEB_MAX_STREAMS
    received: list[list[str]] = field(default_factory=list)  # article ids, one list per stream
    lock: threading.Lock = field(default_factory=threading.Lock)
    open_sockets: set[socket.socket] = field(default_factory=set)  # shut down at the end

    def hang_up(self) -> None:
        """Shut every open stream's socket, so that its blocked read returns at once."""
        with self.lock:
            for sock in self.open_sockets:
                with contextlib.suppress(OSError):  # already closed by the server
                    sock.shutdown(socket.SHUT_RDWR)

    def summary(self) -> dict[str, object]:
        per_stream = [len(ids) for ids in self.received if ids]
        doubled = sum(len(ids) - len(set(ids)) for ids in self.received)
        return {
            "pages": dict(self.pages),
            "page_errors": self.page_errors,
            "streams_opened": self.streams_opened,
            "streams_refused": self.streams_refused,
            "stream_articles_min": min(per_stream, default=0),
            "stream_articles_max": max(per_stream, default=0),
            "stream_articles_doubled": doubled,
        }


def _connection(base: urllib.parse.SplitResult, timeout: float) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(base.hostname or "127.0.0.1", base.port or 80, timeout=timeout)


def page_client(
    base: urllib.parse.SplitResult,
    paths: Sequence[str],
    first: int,
    think: float,
    stop: threading.Event,
    counts: ReaderCounts,
) -> None:
    """GET ``paths`` in turn from index ``first``, ``think`` seconds apart, until ``stop``."""
    conn = _connection(base, timeout=30)
    i = first
    while not stop.is_set():
        path = paths[i % len(paths)]
        i += 1
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            with counts.lock:
                counts.pages[response.status] += 1
        except (OSError, http.client.HTTPException):
            with counts.lock:
                counts.page_errors += 1
            conn.close()
            conn = _connection(base, timeout=30)
        stop.wait(think)
    conn.close()


def stream_client(base: urllib.parse.SplitResult, stop: threading.Event, counts: ReaderCounts) -> None:
    """Hold ``/events`` open and note every article id it sends, until ``stop``."""
    ids: list[str] = []
    with counts.lock:
        counts.received.append(ids)
    last_id = ""
    while not stop.is_set():
        conn = _connection(base, timeout=30)  # the server pings every 15 s
        try:
            conn.request("GET", "/events", headers={"Accept": "text/event-stream", "Last-Event-ID": last_id})
            if conn.sock is not None:
                with counts.lock:
                    counts.open_sockets.add(conn.sock)
            response = conn.getresponse()
            if response.status != 200:
                response.read()
                with counts.lock:
                    counts.streams_refused += 1
                stop.wait(float(response.getheader("retry-after") or 3))
                continue
            with counts.lock:
                counts.streams_opened += 1
            while not stop.is_set():
                line = response.fp.readline()
                if not line:
                    break
                text = line.decode("utf-8").rstrip("\r\n")
                if text.startswith("id:"):
                    last_id = text[3:].strip()
                elif text.startswith("data:"):
                    ids.append(json.loads(text[5:])["id"])
        except (OSError, http.client.HTTPException):
            stop.wait(1)
        finally:
            with counts.lock:
                counts.open_sockets.discard(conn.sock)
            conn.close()


def run(
    base_url: str, paths: Sequence[str], *, clients: int, streams: int, seconds: float, think: float
) -> ReaderCounts:
    """Run the readers until ``seconds`` pass or SIGTERM comes; their counts."""
    base = urllib.parse.urlsplit(base_url)
    stop = threading.Event()
    counts = ReaderCounts()

    def on_term(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_term)
    threads = [threading.Thread(target=stream_client, args=(base, stop, counts), daemon=True) for _ in range(streams)]
    threads += [
        threading.Thread(target=page_client, args=(base, paths, i, think, stop, counts), daemon=True)
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    print("ready", flush=True)
    stop.wait(seconds)
    stop.set()
    counts.hang_up()
    for thread in threads:
        thread.join(5)
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m workers.benchmark.explorer_readers", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("url", help="the explorer, e.g. http://127.0.0.1:8000")
    parser.add_argument("--paths-file", required=True, help="the pages to read, one path a line")
    parser.add_argument("--clients", type=int, default=20, help="page clients (20)")
    parser.add_argument("--streams", type=int, default=20, help="live-feed clients (20)")
    parser.add_argument("--seconds", type=float, default=300, help="longest run (300)")
    parser.add_argument("--think", type=float, default=0.1, help="seconds between two pages of one client (0.1)")
    args = parser.parse_args(argv)
    with open(args.paths_file, encoding="utf-8") as f:
        paths = [line.strip() for line in f if line.strip()]
    counts = run(args.url, paths, clients=args.clients, streams=args.streams, seconds=args.seconds, think=args.think)
    print(json.dumps(counts.summary()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
