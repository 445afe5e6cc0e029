"""The story stage's ceiling in articles per second, end to end on a real broker: a measurement.

Run by hand against a running broker (deploy/local/kafka.sh start)::

    python -m tests.measurements.stories_stage [ARTICLES] [--cpu N] [--checkpoint-articles N]

It enriches the development stories set once (not timed), copies it to ``ARTICLES``
articles with new ids (:mod:`tests.test_stories.stream`), feeds them to an isolated
``articles.enriched`` (3 partitions), then starts ``newsflow stories`` pinned to one
core (``taskset -c N``, default 0) and reads its ``newsflow_stories_articles_total``
until every article is placed. The rate is taken between the first placed article and
the last, so it holds everything of the stage's per-batch work (journal, assign,
publish with acks=all, commit, checkpoints) and none of its start-up. It prints the
rate, the batch and checkpoint times and the last checkpoint's size.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

import orjson
from kafka import KafkaProducer

from tests.integration.conftest import _free_port, settings_env
from tests.test_stories.stream import copies, dev_events
from workers.kafka.admin import create_topics
from workers.kafka.client import client_config
from workers.settings import Settings


def scrape(port: int) -> dict[str, float]:
    """Every sample on the stage's /metrics, labelled series summed under their name."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            text = response.read().decode()
    except OSError:
        return {}
    found: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name = line.split("{", 1)[0].split(" ", 1)[0]
            found[name] = found.get(name, 0.0) + float(line.rsplit(" ", 1)[1])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("articles", type=int, nargs="?", default=3000)
    parser.add_argument("--cpu", type=int, default=0, help="the core the stage is pinned to")
    parser.add_argument(
        "--checkpoint-articles", type=int, default=Settings().stories_checkpoint_articles, help="checkpoint interval"
    )
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="stories-bench-")
    settings = Settings(partitions=3, data_dir=data, stories_checkpoint_articles=args.checkpoint_articles).isolated(
        "bench" + uuid.uuid4().hex[:6]
    )
    create_topics(settings)
    stream = copies(dev_events(settings.spacy_model), args.articles, prefix="bench")
    producer = KafkaProducer(**client_config(settings, acks="all", linger_ms=20))
    for event in stream:
        producer.send(settings.topic_enriched, key=event["id"].encode(), value=orjson.dumps(event))
    producer.flush(timeout=120)
    producer.close()

    env = settings_env(settings)
    port = _free_port()
    env["NEWSFLOW_STORIES_METRICS_PORT"] = str(port)
    pin = ["taskset", "-c", str(args.cpu)] if shutil.which("taskset") else []
    stage = subprocess.Popen([*pin, sys.executable, "-m", "workers", "stories"], env=env, stderr=subprocess.DEVNULL)
    try:
        first = last = None
        while True:
            metrics = scrape(port)
            placed = metrics.get("newsflow_stories_articles_total", 0.0)
            if placed and first is None:
                first = (time.monotonic(), placed)
            if placed >= args.articles:
                last = (time.monotonic(), placed)
                break
            if stage.poll() is not None:
                raise SystemExit(f"the stage exited {stage.returncode}")
            time.sleep(0.05)
        assert first is not None
        rate = (last[1] - first[1]) / max(1e-9, last[0] - first[0])
        batches = metrics.get("newsflow_stories_batch_seconds_count", 0.0)
        batch_mean = metrics.get("newsflow_stories_batch_seconds_sum", 0.0) / max(1.0, batches)
        checkpoints = metrics.get("newsflow_stories_checkpoint_seconds_count", 0.0)
        checkpoint_mean = metrics.get("newsflow_stories_checkpoint_seconds_sum", 0.0) / max(1.0, checkpoints)
        print(
            f"stories stage, one core: {args.articles} articles, {rate:.0f} articles/s "
            f"(batches of up to {settings.stories_batch_max_articles}: {batches:.0f}, mean {batch_mean * 1000:.0f} ms; "
            f"checkpoints: {checkpoints:.0f}, mean {checkpoint_mean * 1000:.0f} ms, last "
            f"{metrics.get('newsflow_stories_state_bytes', 0) / 1e6:.2f} MB; "
            f"open stories {metrics.get('newsflow_stories_open', 0):.0f})"
        )
    finally:
        stage.terminate()
        stage.wait(timeout=60)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
