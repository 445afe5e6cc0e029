"""``newsflow dlq replay`` on the real broker, with real workers writing the dead letters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from tests.checks import assert_valid_event
from tests.conftest import SEEDS
from tests.integration.conftest import WorkerProcess, all_alive, newsflow
from workers.inputs.files import InputArticle, read_inputs
from workers.kafka.feed import feed_articles
from workers.kafka.tail import TailRecord, end_offsets, read_until
from workers.pipeline.dlq import dead_letter
from workers.pipeline.events import encode
from workers.settings import Settings

TIMEOUT = 240.0
SEED = SEEDS / "000_3393e2ca348ff21d.txt"  # a body of about 2,500 bytes


def read(settings: Settings, topic: str, count: int, alive: Callable[[], None] = lambda: None) -> list[TailRecord]:
    """The first ``count`` records of ``topic``, failing early when ``alive`` says a worker died."""
    return read_until(settings, topic, lambda rs: len(rs) >= count, timeout=TIMEOUT, from_beginning=True, on_idle=alive)


def replay(settings: Settings, *args: str) -> dict[str, Any]:
    """Run ``newsflow dlq replay --json ARGS``; its summary."""
    result = newsflow(settings, "dlq", "replay", "--json", *args)
    assert result.returncode == 0, result.stderr.decode()
    summary: dict[str, Any] = orjson.loads(result.stdout.splitlines()[-1])
    return summary


def records_in(settings: Settings, topic: str) -> int:
    return sum(end_offsets(settings, topic).values())


def put_letters(settings: Settings, *values: bytes) -> None:
    """Write values straight onto the dead-letter topic, as a worker would."""
    feed_articles([InputArticle("letter", None, v) for v in values], settings, topic=settings.topic_dlq)


def letter_for(settings: Settings, record: TailRecord, **fields: Any) -> bytes:
    """The dead letter a worker would write for ``record`` of the input topic."""
    letter = dead_letter(
        reason="body_too_large",
        error="too large",
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key,
        value=record.value,
        failed_at="2024-12-05T11:00:00.000Z",
    )
    return orjson.dumps({**orjson.loads(encode(letter)), **fields})


def test_replayed_article_is_enriched_after_the_fix_and_only_once(
    pipeline_settings: Settings, start_worker: Callable[[Settings], WorkerProcess]
) -> None:
    article = next(read_inputs([str(SEED)]))
    strict = start_worker(pipeline_settings.with_overrides(max_body_bytes=1000))
    feed_articles([article], pipeline_settings)
    [letter] = read(pipeline_settings, pipeline_settings.topic_dlq, 1, all_alive(strict))
    assert orjson.loads(letter.value or b"")["reason"] == "body_too_large"
    assert strict.stop() == 0, strict.log()[-3000:]

    fixed = start_worker(pipeline_settings)  # the default limit of 1 MB
    first = replay(pipeline_settings, "--reason", "body_too_large")
    [enriched] = read(pipeline_settings, pipeline_settings.topic_enriched, 1, all_alive(fixed))
    second = replay(pipeline_settings, "--reason", "body_too_large")

    assert (first["replayed"], first["replayed_by_reason"]) == (1, {"body_too_large": 1})
    event = orjson.loads(enriched.value or b"")
    assert_valid_event(event)
    assert article.key is not None and event["id"] == article.key.decode()
    assert event["body"] == orjson.loads(article.value)["body"]
    assert (second["considered"], second["replayed"]) == (0, 0)
    assert records_in(pipeline_settings, pipeline_settings.topic_raw) == 2  # the original and one replay


def test_input_that_fails_again_is_replayed_up_to_the_limit_then_skipped(
    pipeline_settings: Settings, start_worker: Callable[[Settings], WorkerProcess]
) -> None:
    worker = start_worker(pipeline_settings)
    alive = all_alive(worker)
    feed_articles([InputArticle("bad", b"bad-1", b"{not json")], pipeline_settings)

    summaries = []
    for letters in range(1, 5):
        read(pipeline_settings, pipeline_settings.topic_dlq, letters, alive)
        summaries.append(replay(pipeline_settings, "--reason", "invalid_json", "--max-replays", "3"))

    letters = [orjson.loads(r.value or b"") for r in read(pipeline_settings, pipeline_settings.topic_dlq, 4, alive)]
    assert [s["replayed"] for s in summaries] == [1, 1, 1, 0]
    assert [s["skipped_limit"] for s in summaries] == [0, 0, 0, 1]
    assert sorted(letter["replays"] for letter in letters) == [0, 1, 2, 3]
    assert {(letter["key"], letter["value"], letter["reason"]) for letter in letters} == {
        ("bad-1", "{not json", "invalid_json")
    }
    assert records_in(pipeline_settings, pipeline_settings.topic_raw) == 4  # the original and three replays


def test_dry_run_produces_and_commits_nothing(pipeline_settings: Settings) -> None:
    feed_articles([InputArticle("a", b"a1", b'{"id": "a1", "body": "Rain, said the minister."}')], pipeline_settings)
    [source] = read(pipeline_settings, pipeline_settings.topic_raw, 1)
    put_letters(pipeline_settings, letter_for(pipeline_settings, source), b"{not a letter")

    dry = newsflow(pipeline_settings, "dlq", "replay", "--dry-run")
    again = replay(pipeline_settings, "--dry-run")
    raw_after_dry_runs = records_in(pipeline_settings, pipeline_settings.topic_raw)
    real = replay(pipeline_settings)

    assert dry.returncode == 0, dry.stderr.decode()
    lines = dry.stdout.decode().splitlines()
    assert lines[0].startswith(f"would replay {source.topic}[{source.partition}]@{source.offset} (body_too_large")
    assert lines[-1].startswith("would replay 1 of 2 dead letters")
    assert "malformed" in dry.stderr.decode()
    assert raw_after_dry_runs == 1  # only the original
    assert (again["considered"], again["replayed"], again["malformed"]) == (2, 1, 1)  # nothing was committed
    assert (real["considered"], real["replayed"], real["malformed"]) == (2, 1, 1)


def test_omitted_value_is_read_back_from_the_source_topic(pipeline_settings: Settings) -> None:
    value = b'{"id": "big", "body": "Too large to fit in a dead letter, said the minister."}'
    feed_articles([InputArticle("big", b"big", value)], pipeline_settings)
    [source] = read(pipeline_settings, pipeline_settings.topic_raw, 1)
    gone = letter_for(pipeline_settings, source, value="", value_omitted=True, offset=source.offset + 5)
    put_letters(pipeline_settings, letter_for(pipeline_settings, source, value="", value_omitted=True), gone)

    summary = replay(pipeline_settings)
    original, replayed = read(pipeline_settings, pipeline_settings.topic_raw, 2)

    assert (summary["replayed"], summary["source_missing"]) == (1, 1)
    assert (replayed.key, replayed.value) == (original.key, original.value) == (b"big", value)
