"""The story stage on the real broker: one view, and its recovery from kill -9, a standby
take-over and a broker restart.

Every test feeds real enriched events (the development stories set, enriched once and
copied with new ids: :mod:`tests.test_stories.stream`) to an isolated
``articles.enriched`` of three partitions, runs ``newsflow stories`` as subprocesses and
then checks, after deduplicating by article id and by link id as the sink does:

- every article is in exactly one story (all its story events name one story);
- the stage placed the articles in the order its journal says (read back from the raw
  changelog, fences applied), and ``newsflow stories FILE`` (the offline command) on
  the same events in that order gives the same story for every article and the same
  set of link ids: none lost, none doubled, none invented.

Repeats (events published twice, by a replay) are counted and printed (``pytest -s``).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
from kafka import KafkaProducer

from tests.integration.accounting import read_topic
from tests.integration.conftest import Broker, _free_port, isolated_settings, settings_env, wait_for
from tests.integration.conftest import running as running_broker
from tests.test_stories.stream import copies, dev_events
from workers.kafka.client import client_config
from workers.kafka.tail import end_offsets
from workers.settings import Settings
from workers.stories.stage.journal import Fence, JournalRecord

#: Articles a test streams: the development set about six times.
ARTICLES = 320
#: A killed active member's session expires after 15 s (the stage's consumer); the
#: group then hands the partitions on. Everything else must fit in the rest.
RECOVERY_TIMEOUT = 150.0


@pytest.fixture(scope="module")
def events() -> list[dict[str, Any]]:
    return dev_events(Settings().spacy_model)


class StageProcess:
    """A ``newsflow stories`` subprocess with its log in a file."""

    def __init__(self, settings: Settings, log_path: Path, **env: str) -> None:
        self.log_path = log_path
        environ = settings_env(settings)
        self.metrics_port = _free_port()
        environ["NEWSFLOW_STORIES_METRICS_PORT"] = str(self.metrics_port)
        environ.update(env)
        with log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "workers", "stories"], stdout=log, stderr=subprocess.STDOUT, env=environ
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def metric(self, name: str) -> float | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as response:
                text = response.read().decode()
        except OSError:
            return None
        total = None
        for line in text.splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                total = (total or 0.0) + float(line.rsplit(" ", 1)[1])
        return total

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self, timeout: float = 60) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        return self.proc.wait()


StartStage = Callable[..., StageProcess]


@pytest.fixture
def start_stage(tmp_path: Path) -> Iterator[StartStage]:
    started: list[StageProcess] = []

    def start(settings: Settings, **env: str) -> StageProcess:
        stage = StageProcess(settings, tmp_path / f"stage-{len(started)}.log", **env)
        started.append(stage)
        return stage

    yield start
    for stage in started:
        stage.stop()


def stage_settings(bootstrap: str, tmp_path: Path) -> Settings:
    # Small checkpoints, so that a fault finds a checkpoint and a journal after it.
    return isolated_settings(
        bootstrap,
        tmp_path / "data",
        stories_batch_max_articles=20,
        stories_checkpoint_articles=60,
        lag_interval_seconds=1,
    )


def feed(settings: Settings, stream: list[dict[str, Any]]) -> None:
    producer = KafkaProducer(**client_config(settings, acks="all"))
    try:
        for event in stream:
            producer.send(settings.topic_enriched, key=event["id"].encode(), value=orjson.dumps(event))
        producer.flush(timeout=60)
    finally:
        producer.close()


def placed_ids(settings: Settings) -> set[str]:
    return {orjson.loads(r.value or b"")["article_id"] for r in read_topic(settings, settings.topic_stories)}


def wait_placed(settings: Settings, ids: set[str], alive: Callable[[], None], timeout: float) -> float:
    return wait_for(lambda: ids <= placed_ids(settings), alive, timeout=timeout, what="every article placed")


def alive(*stages: StageProcess) -> Callable[[], None]:
    def check() -> None:
        for stage in stages:
            assert stage.proc.poll() is None, f"stage exited {stage.proc.returncode}:\n{stage.log()[-4000:]}"

    return check


def journal_order(settings: Settings) -> list[tuple[int, int]]:
    """The inputs the stage placed, in its order: the valid journal records of the raw
    changelog (tombstoned or not), fences applied as a resume applies them."""
    fences: list[Fence] = []
    journal: dict[int, JournalRecord] = {}
    written: list[JournalRecord] = []
    for record in read_topic(settings, settings.stories_changelog_topic):
        key = record.key or b""
        if record.value is None:
            continue
        if key.startswith(b"fence/"):
            raw = orjson.loads(record.value)
            fences.append(Fence(raw["epoch"], raw["from_seq"]))
        elif key.startswith(b"journal/"):
            raw = orjson.loads(record.value)
            written.append(JournalRecord(raw["seq"], raw["epoch"], tuple(map(tuple, raw["inputs"]))))
    for r in written:
        later = [f for f in fences if f.epoch > r.epoch and f.from_seq <= r.seq]
        if not later:
            journal[r.seq] = r
    assert sorted(journal) == list(range(1, len(journal) + 1)), f"journal has gaps: {sorted(journal)[:10]}"
    return [where for seq in sorted(journal) for where in journal[seq].inputs]


@dataclass
class Check:
    """The stage's outputs checked against the offline command in the journal's order."""

    articles: int
    stories: int
    links: int
    story_repeats: int
    link_repeats: int

    def line(self, what: str) -> str:
        return (
            f"\n[{what}] articles={self.articles} stories={self.stories} links={self.links} "
            f"repeated story events={self.story_repeats} repeated link events={self.link_repeats}"
        )


def check_against_offline(settings: Settings, tmp_path: Path, ids: set[str]) -> Check:
    inputs = {(r.partition, r.offset): r.value or b"" for r in read_topic(settings, settings.topic_enriched)}
    order = journal_order(settings)
    assert len(order) == len(set(order)) == len(inputs), (len(order), len(set(order)), len(inputs))
    ordered = tmp_path / "in-journal-order.jsonl"
    ordered.write_bytes(b"".join(inputs[where] + b"\n" for where in order))
    offline = subprocess.run(
        [sys.executable, "-m", "workers", "stories", str(ordered)],
        env=settings_env(settings),
        capture_output=True,
        timeout=300,
        check=True,
    )
    lines = [orjson.loads(line) for line in offline.stdout.splitlines()]
    expected_story = {line["story"]["article_id"]: line["story"]["story_id"] for line in lines}
    expected_links = {link["link_id"] for line in lines for link in line["links"]}

    story_of: dict[str, set[str]] = defaultdict(set)
    story_events: Counter[str] = Counter()
    for record in read_topic(settings, settings.topic_stories):
        event = orjson.loads(record.value or b"")
        story_of[event["article_id"]].add(event["story_id"])
        story_events[event["article_id"]] += 1
        assert record.key == event["story_id"].encode()
    link_events: Counter[str] = Counter()
    for record in read_topic(settings, settings.topic_claim_links):
        link_events[orjson.loads(record.value or b"")["link_id"]] += 1

    assert set(story_of) == ids, f"not placed: {sorted(ids - set(story_of))[:5]}"
    several = {a: s for a, s in story_of.items() if len(s) > 1}
    assert not several, f"articles in more than one story: {list(several.items())[:5]}"
    differ = {a for a, s in story_of.items() if s != {expected_story[a]}}
    assert not differ, f"stories unlike the offline command's: {sorted(differ)[:5]}"
    assert set(link_events) == expected_links, (
        f"links lost: {len(expected_links - set(link_events))}, invented: {len(set(link_events) - expected_links)}"
    )
    assert expected_links, "the stream made no claim link: the link checks proved nothing"
    return Check(
        len(story_of),
        len(set(expected_story.values())),
        len(expected_links),
        sum(story_events.values()) - len(story_events),
        sum(link_events.values()) - len(link_events),
    )


def test_the_stage_places_every_article_once_as_the_offline_command_does_in_its_order(
    pipeline_settings: Settings, tmp_path: Path, start_stage: StartStage, events: list[dict[str, Any]]
) -> None:
    settings = stage_settings(pipeline_settings.bootstrap_servers, tmp_path)
    stream = copies(events, ARTICLES, prefix="e2e")
    stage = start_stage(settings)
    feed(settings, stream)
    ids = {e["id"] for e in stream}
    wait_placed(settings, ids, alive(stage), RECOVERY_TIMEOUT)
    wait_for(lambda: stage.metric("newsflow_stories_active") == 1.0, alive(stage), timeout=30, what="the stage active")
    assert stage.stop() == 0, stage.log()[-4000:]
    check = check_against_offline(settings, tmp_path, ids)
    print(check.line("one stage"))
    assert check.story_repeats == check.link_repeats == 0
    committed = end_offsets(settings, settings.topic_enriched)
    assert sum(committed.values()) == ARTICLES


def test_a_stage_killed_mid_stream_resumes_from_its_changelog_without_loss_or_doubles(
    pipeline_settings: Settings, tmp_path: Path, start_stage: StartStage, events: list[dict[str, Any]]
) -> None:
    settings = stage_settings(pipeline_settings.bootstrap_servers, tmp_path)
    stream = copies(events, ARTICLES, prefix="kill")
    ids = {e["id"] for e in stream}
    feed(settings, stream)
    # Killed (SIGKILL) once 150 articles' outputs are out and before their commit: a
    # checkpoint behind, journal records after it, the last batch not committed.
    first = start_stage(settings, NEWSFLOW_TEST_HOOKS="true", NEWSFLOW_STORIES_CRASH_AFTER_ARTICLES="150")
    first.proc.wait(timeout=RECOVERY_TIMEOUT)
    assert first.proc.returncode == -signal.SIGKILL, first.log()[-4000:]
    assert "checkpoint" in first.log()
    second = start_stage(settings)
    waited = wait_placed(settings, ids, alive(second), RECOVERY_TIMEOUT)
    assert second.stop() == 0, second.log()[-4000:]
    check = check_against_offline(settings, tmp_path, ids)
    replayed = [line for line in second.log().splitlines() if "replayed" in line]
    print(check.line("kill -9 and restart") + f" recovered_in={waited:.1f}s\n{replayed[:1]}")
    assert check.story_repeats > 0, "the kill hit no batch in flight: the replay went untested"


def test_a_standby_takes_over_when_the_active_stage_is_killed(
    pipeline_settings: Settings, tmp_path: Path, start_stage: StartStage, events: list[dict[str, Any]]
) -> None:
    settings = stage_settings(pipeline_settings.bootstrap_servers, tmp_path)
    stream = copies(events, ARTICLES, prefix="standby")
    ids = {e["id"] for e in stream}
    one = start_stage(settings)
    wait_for(lambda: one.metric("newsflow_stories_active") == 1.0, alive(one), timeout=60, what="one active")
    two = start_stage(settings)
    wait_for(lambda: two.metric("newsflow_stories_ready") == 1.0, alive(one, two), timeout=60, what="a standby")
    # Half the stream before the kill, half after: the standby has articles of its own to
    # place (the active one may have placed the first half whole by the time it dies).
    feed(settings, stream[: ARTICLES // 2])
    wait_for(lambda: len(placed_ids(settings)) >= 150, alive(one, two), timeout=RECOVERY_TIMEOUT, what="150 placed")
    assert two.metric("newsflow_stories_active") == 0.0, "both stages active"
    one.kill()
    killed = time.monotonic()
    feed(settings, stream[ARTICLES // 2 :])
    wait_placed(settings, ids, alive(two), RECOVERY_TIMEOUT)
    recovered = time.monotonic() - killed
    takeover = two.metric("newsflow_stories_takeover_seconds")
    assert two.metric("newsflow_stories_active") == 1.0
    assert two.stop() == 0, two.log()[-4000:]
    check = check_against_offline(settings, tmp_path, ids)
    print(check.line("standby take-over") + f" takeover={takeover:.2f}s all_placed_after_kill={recovered:.1f}s")
    assert takeover is not None and takeover < 30


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[Broker]:
    yield from running_broker(Broker(tmp_path / "kafka"))


def test_the_stage_rides_out_a_broker_restart_without_loss_or_doubles(
    own_broker: Broker, tmp_path: Path, start_stage: StartStage, events: list[dict[str, Any]]
) -> None:
    settings = stage_settings(own_broker.bootstrap, tmp_path)
    stream = copies(events, ARTICLES, prefix="broker")
    ids = {e["id"] for e in stream}
    stages = [start_stage(settings)]
    feed(settings, stream[: ARTICLES // 2])
    wait_for(lambda: len(placed_ids(settings)) >= 100, alive(stages[0]), timeout=RECOVERY_TIMEOUT, what="100 placed")
    own_broker.script("stop")
    time.sleep(10.0)
    own_broker.script("start")
    feed(settings, stream[ARTICLES // 2 :])

    def alive_or_restarted() -> None:
        if stages[-1].proc.poll() is not None:
            print(f"\nFINDING: stage exited {stages[-1].proc.returncode} after the broker restart; restarting it")
            stages.append(start_stage(settings))

    waited = wait_placed(settings, ids, alive_or_restarted, RECOVERY_TIMEOUT)
    assert stages[-1].stop() == 0, stages[-1].log()[-4000:]
    check = check_against_offline(settings, tmp_path, ids)
    print(check.line("broker restart") + f" placed_after_restart={waited:.1f}s stage_restarts={len(stages) - 1}")
    assert len(stages) == 1, f"the stage did not survive the broker restart:\n{stages[0].log()[-4000:]}"


def test_reset_state_here_starts_afresh_where_the_old_state_had_got_to(
    pipeline_settings: Settings, tmp_path: Path, start_stage: StartStage, events: list[dict[str, Any]]
) -> None:
    settings = stage_settings(pipeline_settings.bootstrap_servers, tmp_path)
    stream = copies(events, 80, prefix="reset")
    feed(settings, stream[:60])
    stage = start_stage(settings)
    wait_placed(settings, {e["id"] for e in stream[:60]}, alive(stage), RECOVERY_TIMEOUT)
    assert stage.stop() == 0
    reset = subprocess.run(
        [sys.executable, "-m", "workers", "stories", "--reset-state"],
        env=settings_env(settings),
        capture_output=True,
        timeout=120,
    )
    assert reset.returncode == 0, reset.stderr.decode()
    assert b"resumes at" in reset.stderr
    feed(settings, stream[60:])
    again = start_stage(settings)
    wait_placed(settings, {e["id"] for e in stream}, alive(again), RECOVERY_TIMEOUT)
    assert again.stop() == 0
    placed = Counter(orjson.loads(r.value or b"")["article_id"] for r in read_topic(settings, settings.topic_stories))
    assert set(placed.values()) == {1}, "the reset state placed an article the old state had placed"
    assert "restored; checkpoint" in again.log()
