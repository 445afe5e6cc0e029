"""``newsflow demo``: the whole pipeline once, end to end, on a running broker."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from kafka import KafkaConsumer, TopicPartition

from workers.cli.summary import summarize, summarize_stories
from workers.exceptions import InvalidArticle, NewsflowError
from workers.inputs.corpus import SEED_DIR
from workers.inputs.files import read_inputs
from workers.kafka.admin import create_topics
from workers.kafka.client import client_config, wait_for_broker
from workers.kafka.feed import feed_articles
from workers.kafka.tail import TailRecord, end_offsets
from workers.pipeline.decode import decode_article
from workers.settings import Settings
from workers.stories.stage.runner import reset_state


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "demo",
        help="run the pipeline end to end once and print the results",
        description="On a running broker: create the topics, start one enrichment worker and "
        "the story stage, feed the articles, wait until each has come out enriched or "
        "dead-lettered and every enriched one has found its story, print a summary of each "
        "article and the stories found among them (with their claim links), stop both. "
        "Exits 0 when every article was enriched and placed in a story; 1 when one was "
        "dead-lettered (named, with the dead letter's reason) or a process exited non-zero; "
        "2 on an invalid input, a timeout or a process that died.",
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
    # The demo shows the stories among its own articles: the story stage starts from a
    # fresh state (an earlier run's stories, or a state another version saved, [E420]).
    print(f"story stage: {reset_state(settings, 'here')}")
    watched = (settings.topic_enriched, settings.topic_dlq, settings.topic_stories, settings.topic_claim_links)
    starts = {topic: end_offsets(settings, topic) for topic in watched}
    deadline = time.monotonic() + args.timeout

    with tempfile.TemporaryDirectory(prefix="newsflow-demo-") as tmp:
        logs = {name: Path(tmp) / f"{name}.log" for name in ("worker", "stories")}
        worker = _start(settings, logs["worker"], "worker")
        stage = _start(settings, logs["stories"], "stories")
        processes = {"worker": worker, "story stage": stage}
        try:
            sent = feed_articles(inputs, settings).sent
            print(f"fed {sent} articles to {settings.topic_raw}; waiting for the worker and the story stage ...")
            outcome = _collect(settings, starts, set(expected), deadline, processes)
        except NewsflowError:
            for path in logs.values():
                print(_tail(path), file=sys.stderr)
            raise
        finally:
            code = _stop(worker)
            stage_code = _stop(stage)
        print(f"worker stopped (exit code {code}), story stage stopped (exit code {stage_code})")

    for article_id in expected:
        if article_id in outcome.enriched:
            print(summarize(outcome.enriched[article_id]))
    print(summarize_stories(outcome.stories, outcome.links, outcome.enriched))
    missing = [i for i in dict.fromkeys(expected) if i not in outcome.enriched]
    print(
        f"\n{len(outcome.enriched)} of {len(set(expected))} articles enriched, "
        f"{len(outcome.dead)} dead-lettered, worker exit {code}; "
        f"{len({s['story_id'] for s in outcome.stories.values()})} stories, "
        f"{len(outcome.links)} claim links, story stage exit {stage_code}"
    )
    if missing:
        print(f"not enriched: {', '.join(missing)}", file=sys.stderr)
        for article_id in missing:
            print(f"  {article_id}: dead-lettered, {outcome.dead.get(article_id)}", file=sys.stderr)
    return 0 if not missing and code == 0 and stage_code == 0 else 1


def _expected_ids(inputs: list[Any], settings: Settings) -> list[str]:
    ids = []
    for item in inputs:
        try:
            ids.append(decode_article(item.value, max_body_bytes=settings.max_body_bytes).id)
        except InvalidArticle as exc:
            raise NewsflowError(f"[E501] {item.origin} is not a valid article: {exc}") from None
    return ids


def _start(settings: Settings, log_path: Path, command: str) -> subprocess.Popen[bytes]:
    """``newsflow <command>`` (the worker, the story stage) with the demo's settings."""
    # The demo's own settings, whole: the processes read the topics the demo feeds and
    # watches. A data dir of the demo's own: a worker already running on this machine
    # keeps its own; the demo's copies of the state are rebuilt from their changelogs.
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
    for name in Settings.__dataclass_fields__:
        env[f"NEWSFLOW_{name.upper()}"] = str(getattr(settings, name))
    env["NEWSFLOW_DATA_DIR"] = str(log_path.parent / f"{command}-data")
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "workers", command], stdout=log, stderr=subprocess.STDOUT, env=env
        )


def _stop(worker: subprocess.Popen[bytes]) -> int:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            return worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
    return worker.wait()


@dataclass
class Outcome:
    """What became of the demo's articles so far: enriched (the article event) or
    dead-lettered (the dead letter's reason and error), by article id."""

    enriched: dict[str, dict[str, Any]] = field(default_factory=dict)
    dead: dict[str, str] = field(default_factory=dict)
    #: The newest story event of each enriched article, and the claim links by id.
    stories: dict[str, dict[str, Any]] = field(default_factory=dict)
    links: dict[str, dict[str, Any]] = field(default_factory=dict)

    def accounted(self, wanted: set[str]) -> bool:
        """Every wanted article enriched or dead-lettered, and every enriched one in a story."""
        return wanted <= self.enriched.keys() | self.dead.keys() and self.enriched.keys() <= self.stories.keys()

    def add(self, record: TailRecord, settings: Settings, wanted: set[str]) -> None:
        """Note ``record`` (from the enriched, dead-letter, stories or claim-links topic)
        if it is about one of ours."""
        value = orjson.loads(record.value or b"{}")
        if record.topic == settings.topic_stories:
            if value.get("article_id") in wanted:
                self.stories[value["article_id"]] = value
            return
        if record.topic == settings.topic_claim_links:
            if value.get("claim", {}).get("article_id") in wanted:
                self.links[value["link_id"]] = value
            return
        if record.topic == settings.topic_enriched:
            if value.get("id") in wanted and value["id"] not in self.enriched:
                self.enriched[value["id"]] = value
                print(f"  enriched {len(self.enriched)}/{len(wanted)}: {value['id']}", file=sys.stderr)
            return
        # A dead letter names the article when its input could be decoded; the input's
        # key (the feed keys by id) otherwise.
        article_id = value.get("article_id") or value.get("key")
        if article_id in wanted and article_id not in self.dead:
            self.dead[article_id] = f"{value.get('reason')}: {value.get('error')}"
            print(f"  dead-lettered: {article_id} ({value.get('reason')})", file=sys.stderr)


def _collect(
    settings: Settings,
    starts: dict[str, dict[int, int]],
    wanted: set[str],
    deadline: float,
    processes: dict[str, subprocess.Popen[bytes]],
) -> Outcome:
    """Read the watched topics from ``starts`` (offsets by topic and partition) until
    every wanted id has come out enriched or dead-lettered, and each enriched one has
    its story event.

    Raises:
        NewsflowError: a process died, or the deadline passed first (naming the
            articles that had not come out, or not found their story).
    """
    outcome = Outcome()
    consumer = KafkaConsumer(**client_config(settings, enable_auto_commit=False, group_id=None))
    try:
        tps = [TopicPartition(topic, p) for topic, offsets in starts.items() for p in offsets]
        consumer.assign(tps)
        for tp in tps:
            consumer.seek(tp, starts[tp.topic][tp.partition])
        while not outcome.accounted(wanted):
            if time.monotonic() > deadline:
                raise _late(outcome, wanted)
            batches = consumer.poll(timeout_ms=500)
            for name, process in processes.items():
                if not batches and process.poll() is not None:
                    raise NewsflowError(f"[E502] the {name} exited early with code {process.returncode}")
            for records in batches.values():
                for r in records:
                    outcome.add(
                        TailRecord(r.topic, r.partition, r.offset, r.timestamp, r.key, r.value), settings, wanted
                    )
    finally:
        consumer.close()
    return outcome


def _late(outcome: Outcome, wanted: set[str]) -> NewsflowError:
    pending = sorted(wanted - outcome.enriched.keys() - outcome.dead.keys())
    if pending:
        return NewsflowError(
            f"[E503] only {len(outcome.enriched)} of {len(wanted)} articles enriched in time; "
            f"not come out: {', '.join(pending)}"
        )
    unplaced = sorted(outcome.enriched.keys() - outcome.stories.keys())
    return NewsflowError(
        f"[E504] only {len(outcome.stories)} of {len(outcome.enriched)} enriched articles placed in a story "
        f"in time; no story event for: {', '.join(unplaced)}"
    )


def _tail(path: Path, lines: int = 40) -> str:
    text = path.read_text(errors="replace").splitlines() if path.exists() else []
    return f"{path.stem} log (last lines):\n" + "\n".join(text[-lines:])
