"""``newsflow demo``: the whole pipeline once, end to end, on a running broker."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import orjson

from workers.cli.summary import summarize
from workers.corpus import SEED_DIR
from workers.decode import decode_article
from workers.exceptions import InvalidArticle, NewsflowError
from workers.inputs import read_inputs
from workers.kafka.admin import create_topics
from workers.kafka.client import wait_for_broker
from workers.kafka.feed import feed_articles
from workers.kafka.tail import TailRecord, end_offsets, read_until, tail_topic
from workers.settings import Settings


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "demo",
        help="run the pipeline end to end once and print the results",
        description="On a running broker: create the topics, start one worker, feed the "
        "articles, wait until each has come out enriched (or dead-lettered), print a summary "
        "of each, stop the worker. Exits 0 when every article was accounted for.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help=f"articles to feed (default: {SEED_DIR})")
    p.add_argument("--timeout", type=float, default=300.0, metavar="S", help="give up after S seconds (default 300)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    paths = args.paths or [str(SEED_DIR)]
    inputs = list(read_inputs(paths))
    expected = _expected_ids(inputs, settings)
    wait_for_broker(settings)
    for name, partitions in create_topics(settings).items():
        print(f"topic {name}: {'exists' if partitions is None else 'created'}")
    enriched_from = end_offsets(settings, settings.topic_enriched)
    dlq_from = end_offsets(settings, settings.topic_dlq)

    with tempfile.TemporaryDirectory(prefix="newsflow-demo-") as tmp:
        log_path = Path(tmp) / "worker.log"
        worker = _start_worker(settings, log_path)
        try:
            sent = feed_articles(inputs, settings).sent
            print(f"fed {sent} articles to {settings.topic_raw}; waiting for the worker ...")
            results = _collect(settings, enriched_from, set(expected), args.timeout, worker)
            dead = _count(settings, settings.topic_dlq, dlq_from)
        except NewsflowError:
            print(_tail(log_path), file=sys.stderr)
            raise
        finally:
            code = _stop_worker(worker)
        print(f"worker stopped (exit code {code})")

    for article_id in expected:
        if article_id in results:
            print(summarize(results[article_id]))
    missing = [i for i in expected if i not in results]
    print(f"\n{len(results)} of {len(expected)} articles enriched, {dead} dead letters, worker exit {code}")
    if missing:
        print(f"not enriched: {', '.join(missing)}", file=sys.stderr)
    return 0 if not missing and code == 0 else 1


def _expected_ids(inputs: list[Any], settings: Settings) -> list[str]:
    ids = []
    for item in inputs:
        try:
            ids.append(decode_article(item.value, max_body_bytes=settings.max_body_bytes).id)
        except InvalidArticle as exc:
            raise NewsflowError(f"[E501] {item.origin} is not a valid article: {exc}") from None
    return ids


def _start_worker(settings: Settings, log_path: Path) -> subprocess.Popen[bytes]:
    # A data dir of the demo's own: a worker already running on this machine keeps its
    # own; the demo's copy of the duplicate index is rebuilt from the changelog.
    env = {
        **os.environ,
        "NEWSFLOW_BOOTSTRAP_SERVERS": settings.bootstrap_servers,
        "NEWSFLOW_DATA_DIR": str(log_path.parent / "worker-data"),
    }
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "workers", "worker"], stdout=log, stderr=subprocess.STDOUT, env=env
        )


def _stop_worker(worker: subprocess.Popen[bytes]) -> int:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            return worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
    return worker.wait()


def _collect(
    settings: Settings, start: dict[int, int], wanted: set[str], timeout: float, worker: subprocess.Popen[bytes]
) -> dict[str, dict[str, Any]]:
    """Read enriched articles from ``start`` until every wanted id has arrived.

    Raises:
        NewsflowError: the worker died, or the timeout passed first.
    """
    results: dict[str, dict[str, Any]] = {}

    def done(records: list[TailRecord]) -> bool:
        article = orjson.loads(records[-1].value or b"{}") if records else {}
        if article.get("id") in wanted and article["id"] not in results:
            results[article["id"]] = article
            print(f"  enriched {len(results)}/{len(wanted)}: {article['id']}", file=sys.stderr)
        return len(results) == len(wanted)

    def check_worker() -> None:
        if worker.poll() is not None:
            raise NewsflowError(f"[E502] the worker exited early with code {worker.returncode}")

    try:
        read_until(settings, settings.topic_enriched, done, timeout=timeout, start_offsets=start, on_idle=check_worker)
    except TimeoutError:
        raise NewsflowError(
            f"[E503] only {len(results)} of {len(wanted)} articles enriched after {timeout:.0f} s"
        ) from None
    return results


def _count(settings: Settings, topic: str, start: dict[int, int]) -> int:
    return sum(1 for _ in tail_topic(settings, topic, start_offsets=start, idle_timeout=1.0))


def _tail(path: Path, lines: int = 40) -> str:
    text = path.read_text(errors="replace").splitlines() if path.exists() else []
    return "worker log (last lines):\n" + "\n".join(text[-lines:])
