from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pytest

from tests.checks import assert_valid_event
from workers.models import DuplicateOf
from workers.pipeline.dedup import DuplicateIndex
from workers.pipeline.dlq import REPLAY_HEADER
from workers.pipeline.enrich import Enricher
from workers.pipeline.events import OutputLimits
from workers.pipeline.inflight import InFlightGuard
from workers.pipeline.process import InputRecord, RecordProcessor
from workers.settings import Settings

TEXT = "The mayor of Boston said on Monday that the bridge would reopen. Critics denied it."


def record(value: bytes | None, key: bytes | None = None) -> InputRecord:
    return InputRecord("articles.raw", 2, 41, key, value)


@pytest.fixture
def processor(enricher: Enricher, make_settings: Callable[..., Settings]) -> RecordProcessor:
    return RecordProcessor(enricher, make_settings(max_body_bytes=10_000), clock=lambda: "2024-12-05T12:00:00Z")


def test_valid_article_fans_out_to_every_output_topic_article_last(processor: RecordProcessor) -> None:
    outcome = processor(record(orjson.dumps({"id": "a1", "body": TEXT})))
    records = outcome.outputs
    topics = [r.topic for r in records]
    assert outcome.status == "enriched" and outcome.article_id == "a1"
    assert topics[-1] == "articles.enriched"
    assert outcome.article is not None
    assert topics.count("claims") == len(outcome.article.claims) >= 1
    assert topics.count("entities") == len(outcome.article.entities) >= 1
    for out in records:
        assert_valid_event(orjson.loads(out.value))


def test_invalid_article_becomes_exactly_one_dead_letter(processor: RecordProcessor) -> None:
    outcome = processor(record(b'{"body": 5}', key=b"k"))
    assert outcome.status == "dead_letter" and outcome.reason == "invalid_field"
    [out] = outcome.outputs
    letter = orjson.loads(out.value)
    assert_valid_event(letter)
    assert (out.topic, out.key) == ("articles.dlq", b"k")
    assert (letter["partition"], letter["offset"], letter["value"]) == (2, 41, '{"body": 5}')


def test_dead_letter_counts_the_replays_of_its_input(processor: RecordProcessor) -> None:
    replayed = InputRecord("articles.raw", 0, 7, None, b"not json", ((REPLAY_HEADER, b"2"), ("other", b"x")))
    [out] = processor(replayed).outputs
    assert orjson.loads(out.value)["replays"] == 2
    [first] = processor(record(b"not json")).outputs
    assert orjson.loads(first.value)["replays"] == 0


def test_enrichment_crash_dead_letters_only_the_failing_article(
    processor: RecordProcessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    import workers.pipeline.enrich

    real = workers.pipeline.enrich.extract_claims

    def explode_on_a2(doc: object, entities: object, *, article_id: str) -> object:
        if article_id == "a2":
            raise RuntimeError("model exploded")
        return real(doc, entities, article_id=article_id)  # type: ignore[arg-type]

    monkeypatch.setattr(workers.pipeline.enrich, "extract_claims", explode_on_a2)
    outcomes = processor.process_batch([record(orjson.dumps({"id": i, "body": TEXT})) for i in ("a1", "a2", "a3")])
    assert [o.status for o in outcomes] == ["enriched", "dead_letter", "enriched"]
    assert (outcomes[1].reason, outcomes[1].article_id) == ("enrichment_failed", "a2")
    assert "model exploded" in orjson.loads(outcomes[1].outputs[0].value)["error"]


def test_batch_keeps_input_order_with_invalid_records_mixed_in(processor: RecordProcessor) -> None:
    outcomes = processor.process_batch(
        [record(b"junk"), record(orjson.dumps({"id": "ok", "body": TEXT})), record(b'{"body": ""}')]
    )
    assert [(o.status, o.reason) for o in outcomes] == [
        ("dead_letter", "invalid_json"),
        ("enriched", None),
        ("dead_letter", "empty_body"),
    ]


def test_same_input_gives_the_same_event_ids(processor: RecordProcessor) -> None:
    value = orjson.dumps({"id": "a3", "body": TEXT})
    first = [orjson.loads(r.value)["event_id"] for r in processor(record(value)).outputs]
    second = [orjson.loads(r.value)["event_id"] for r in processor(record(value)).outputs]
    assert first == second and len(set(first)) == len(first)


def test_with_an_index_a_copy_under_another_id_is_flagged_and_the_original_remembered(
    enricher: Enricher, make_settings: Callable[..., Settings]
) -> None:
    store: dict[bytes, bytes] = {}
    processor = RecordProcessor(enricher, make_settings(), index=DuplicateIndex(store))
    original, copy, again = processor.process_batch(
        [record(orjson.dumps({"id": i, "body": TEXT})) for i in ("orig", "copy", "orig")]
    )
    assert original.article is not None and original.article.duplicate_of is None
    assert copy.article is not None and copy.article.duplicate_of == DuplicateOf("orig", "exact", 1.0)
    assert again.article is not None and again.article.duplicate_of is None  # a replay is not its own copy
    assert orjson.loads(copy.outputs[-1].value)["duplicate_of"]["id"] == "orig"
    assert store  # the original's keys


def test_a_failing_duplicate_check_still_publishes_the_article(
    enricher: Enricher, make_settings: Callable[..., Settings]
) -> None:
    class BrokenStore(dict[bytes, bytes]):
        def get(self, key: bytes, default: bytes | None = None) -> bytes | None:  # type: ignore[override]
            raise OSError("disk gone")

    processor = RecordProcessor(enricher, make_settings(), index=DuplicateIndex(BrokenStore()))
    outcome = processor(record(orjson.dumps({"id": "a1", "body": TEXT})))
    assert (outcome.status, outcome.dedup_failed) == ("enriched", True)
    assert outcome.article is not None and outcome.article.duplicate_of is None


def test_an_input_workers_died_on_twice_is_a_poison_dead_letter_and_not_enriched(
    enricher: Enricher, make_settings: Callable[..., Settings], start_guard: Callable[[], InFlightGuard]
) -> None:
    settings = make_settings()
    value = orjson.dumps({"id": "p1", "body": TEXT})
    for _ in range(2):  # two workers die with it in flight, one after the other
        start_guard().begin([record(value)])
    seen: list[str] = []
    guard = start_guard()
    processor = RecordProcessor(enricher, settings, in_flight=guard, before_enrich=lambda a: seen.append(a.id))
    outcome = processor(record(value))
    letter = orjson.loads(outcome.outputs[0].value)
    assert (outcome.reason, letter["attempts"], letter["value"], seen) == ("poison", 2, value.decode(), [])
    assert_valid_event(letter)
    assert start_guard().deaths(record(value)) == 0  # dealt with: crossed off for every worker


def test_suspects_of_a_death_are_enriched_alone_and_the_rest_of_the_batch_together(
    enricher: Enricher, make_settings: Callable[..., Settings], start_guard: Callable[[], InFlightGuard]
) -> None:
    batch = [InputRecord("articles.raw", 0, n, None, orjson.dumps({"id": f"a{n}", "body": TEXT})) for n in range(4)]
    start_guard().begin(batch[1:3])  # a worker died with a1 and a2 in flight
    groups: list[list[str]] = []
    real = enricher.enrich_batch

    class Spy(Enricher):
        def enrich_batch(self, articles: Any) -> Any:
            groups.append([a.id for a in articles])
            return real(articles)

    guard = start_guard()
    processor = RecordProcessor(Spy(enricher.nlp), make_settings(), in_flight=guard)
    outcomes = processor.process_batch(batch)
    assert [o.status for o in outcomes] == ["enriched"] * 4
    assert groups == [["a0", "a3"], ["a1"], ["a2"]]
    assert all(start_guard().deaths(r) == 0 for r in batch)


class Died(BaseException):
    """Stands in for the process dying mid-batch."""


def test_a_suspect_that_kills_another_worker_counts_two_deaths_whatever_its_batch(
    enricher: Enricher, make_settings: Callable[..., Settings], start_guard: Callable[[], InFlightGuard]
) -> None:
    batch = [InputRecord("articles.raw", 0, n, None, orjson.dumps({"id": f"a{n}", "body": TEXT})) for n in (5, 6, 7)]
    start_guard().begin(batch[:1])  # a worker died once with a5 in flight

    def die_on_a5(article: Any) -> None:
        if article.id == "a5":
            raise Died

    with pytest.raises(Died):  # a6 and a7, read after it, are processed first
        RecordProcessor(enricher, make_settings(), in_flight=start_guard(), before_enrich=die_on_a5).process_batch(
            batch
        )
    guard = start_guard()
    assert [guard.deaths(r) for r in batch] == [2, 0, 0]  # a6 and a7 were crossed off before a5 began
    [outcome] = RecordProcessor(enricher, make_settings(), in_flight=guard).process_batch(batch[:1])
    assert (outcome.reason, orjson.loads(outcome.outputs[0].value)["attempts"]) == ("poison", 2)


def test_a_dead_letter_over_its_topic_limit_drops_value_and_key_and_is_keyed_by_position(
    enricher: Enricher, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings()
    limits = OutputLimits(settings.max_message_bytes, {settings.topic_dlq: 2000})
    processor = RecordProcessor(enricher, settings, limits=limits, clock=lambda: "2024-12-05T12:00:00Z")
    huge_key = InputRecord("articles.raw", 3, 9, b"k" * 3000, b"not json")
    [out] = processor(huge_key).outputs
    letter = orjson.loads(out.value)
    assert (letter["key"], letter["value"], letter["value_omitted"]) == (None, "", True)
    assert (out.key, letter["partition"], letter["offset"], letter["reason"]) == (
        b"articles.raw:3:9",
        3,
        9,
        "invalid_json",
    )
    assert limits.fits(out)
    assert_valid_event(letter)


def test_with_a_window_the_index_goes_by_the_articles_publication_time(
    enricher: Enricher, make_settings: Callable[..., Settings], tmp_path: Any
) -> None:
    from datetime import timedelta

    from workers.state.store import ChangelogStore

    store = ChangelogStore(tmp_path / "index")
    try:
        processor = RecordProcessor(enricher, make_settings(), index=DuplicateIndex(store, window=timedelta(days=30)))
        dated = [("orig", "2024-01-01"), ("copy-in-window", "2024-01-20"), ("copy-after", "2024-03-01")]
        outcomes = processor.process_batch(
            [record(orjson.dumps({"id": i, "body": TEXT, "published_at": at})) for i, at in dated]
        )
        assert [o.article.duplicate_of.id if o.article and o.article.duplicate_of else None for o in outcomes] == [
            None,
            "orig",
            None,
        ]
    finally:
        store.close()
