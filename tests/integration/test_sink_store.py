"""The sink's PostgreSQL adapter on a real database: idempotent, replacing, fenced."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.integration.postgres import Database
from tests.integration.sink_support import audit_rows, log_writes, sink_events
from workers.positions import Position
from workers.sink.exceptions import RejectedBatch, StaleOffsets
from workers.sink.rows import article_rows, dead_letter_row
from workers.sink.samples import dead_letter_event, renumbered, sample_stream
from workers.sink.store import Batch, OffsetRange, SinkStore

__all__ = ["sink_events"]  # the fixture, imported for pytest

TOPIC = "articles.enriched"


def batch_of(events: list[dict[str, Any]], start: int = 0, expected: int | None = None) -> Batch:
    rows = [article_rows(e, Position(TOPIC, 0, start + i)) for i, e in enumerate(events)]
    return Batch(rows, (), [OffsetRange(TOPIC, 0, expected, start + len(events))])


@pytest.fixture
def store(database: Database) -> Any:
    store = SinkStore(log_writes(database.url), "g1")
    yield store
    store.close()


def test_a_batch_writes_every_article_with_its_mentions_and_claims(
    store: SinkStore, database: Database, sink_events: list[dict[str, Any]]
) -> None:
    events = list(sample_stream(sink_events, 12))
    result = store.write(batch_of(events))
    assert result.new == 12 and result.rows["claims"] == sum(len(e["claims"]) for e in events)
    assert audit_rows(database.url, events).exact


def test_the_offsets_are_stored_with_the_rows(store: SinkStore, sink_events: list[dict[str, Any]]) -> None:
    store.write(batch_of(list(sample_stream(sink_events, 3))))
    assert store.stored_offsets([TOPIC]) == {(TOPIC, 0): 3}


def test_the_same_event_written_twice_is_written_once(
    store: SinkStore, database: Database, sink_events: list[dict[str, Any]]
) -> None:
    events = list(sample_stream(sink_events, 4))
    store.write(batch_of(events))
    again = store.write(batch_of(events, start=4, expected=4))
    assert (again.new, again.replaced, again.duplicates) == (0, 0, 4)
    assert audit_rows(database.url, events).exact


def test_the_audit_counts_the_same_event_written_again_as_doubled(
    store: SinkStore, database: Database, sink_events: list[dict[str, Any]]
) -> None:
    events = list(sample_stream(sink_events, 2))
    store.write(batch_of(events))
    with psycopg.connect(database.url) as conn:  # the row goes, so the same event is written anew
        conn.execute("DELETE FROM articles WHERE article_id = %s", (events[0]["id"],))
    store.write(batch_of(events, start=2, expected=2))
    audit = audit_rows(database.url, events)
    assert (audit.doubled, audit.missing, audit.mismatched) == ([events[0]["id"]], [], [])


def test_the_audit_sees_a_changed_body_entity_row_and_a_stray_dead_letter(
    store: SinkStore, database: Database, sink_events: list[dict[str, Any]]
) -> None:
    events = list(sample_stream(sink_events, 3))
    store.write(batch_of(events))
    row = dead_letter_row(dead_letter_event(error="x", offset=1, value=b"{"), Position("articles.dlq", 0, 0))
    store.write(Batch((), [row], [OffsetRange("articles.dlq", 0, None, 1)]))
    with psycopg.connect(database.url) as conn:
        conn.execute("UPDATE articles SET body = body || ' ' WHERE article_id = %s", (events[0]["id"],))
        conn.execute(
            "UPDATE article_entities SET mention_count = mention_count + 1 WHERE article_id = %s", (events[1]["id"],)
        )
    audit = audit_rows(database.url, events)
    assert audit.mismatched == sorted([events[0]["id"], events[1]["id"]])
    assert audit.dead_letters_wrong == [(row.origin, row.reason)]
    assert audit_rows(database.url, events, dead_letters=[(row.origin, row.reason)]).dead_letters_wrong == []


def test_a_re_enriched_article_replaces_its_rows(
    store: SinkStore, database: Database, sink_events: list[dict[str, Any]]
) -> None:
    first = renumbered(sink_events[0], "a-1")
    store.write(batch_of([first]))
    second = renumbered(sink_events[1], "a-1")  # other content under the same article id
    result = store.write(batch_of([second], start=1, expected=1))
    assert result.replaced == 1
    assert audit_rows(database.url, [second]).exact


def test_deleting_articles_deletes_their_rows(
    store: SinkStore, database: Database, sink_events: list[dict[str, Any]]
) -> None:
    events = list(sample_stream(sink_events, 4))
    store.write(batch_of(events))
    with psycopg.connect(database.url) as conn:  # as an operator would
        conn.execute("DELETE FROM articles WHERE article_id = ANY(%s)", ([e["id"] for e in events[:2]],))
    audit = audit_rows(database.url, events[2:])
    assert audit.exact, audit
    with psycopg.connect(database.url) as conn:
        left = conn.execute(
            "SELECT (SELECT count(*) FROM mentions) + (SELECT count(*) FROM claims)"
            " + (SELECT count(*) FROM article_entities)"
        ).fetchone()
    kept = article_rows(events[2], Position(TOPIC, 0, 0)), article_rows(events[3], Position(TOPIC, 0, 0))
    assert left == (sum(len(r.mentions) + len(r.claims) + len(r.article_entities) for r in kept),)


def test_a_new_pipeline_version_replaces_the_rows_of_the_same_content(
    store: SinkStore, database: Database, sink_events: list[dict[str, Any]]
) -> None:
    store.write(batch_of([renumbered(sink_events[0], "a-1")]))
    newer = renumbered(sink_events[0], "a-1", pipeline_version="99.0")
    assert store.write(batch_of([newer], start=1, expected=1)).replaced == 1
    with psycopg.connect(database.url) as conn:
        assert conn.execute("SELECT pipeline_version FROM articles").fetchall() == [("99.0",)]


OLD_RULES, NEW_RULES = "0.1.0+aaaaaaaaaaaa", "0.1.0+bbbbbbbbbbbb"
BEFORE_UPGRADE, AFTER_UPGRADE = "2024-12-05T12:00:00.000Z", "2024-12-06T09:30:00.000Z"


@pytest.mark.parametrize("order", ["new-then-old", "old-then-new"])
@pytest.mark.parametrize("together", [False, True], ids=["two-batches", "one-batch"])
def test_the_store_keeps_the_article_enriched_by_the_newer_rules_whatever_the_order(
    store: SinkStore, database: Database, sink_events: list[dict[str, Any]], order: str, together: bool
) -> None:
    # The same article (the same body, so the same event id) enriched by two rule
    # versions: the older rules missed its last claim; the newer ones ran later.
    new = renumbered(sink_events[0], "a-1", pipeline_version=NEW_RULES, processed_at=AFTER_UPGRADE)
    old = renumbered(sink_events[0], "a-1", pipeline_version=OLD_RULES, processed_at=BEFORE_UPGRADE)
    assert old["claims"], "the seed article has claims"
    old["claims"] = old["claims"][:-1]
    assert old["event_id"] == new["event_id"]
    fed = [new, old] if order == "new-then-old" else [old, new]
    if together:
        result = store.write(batch_of(fed))
        assert (result.new, result.duplicates, result.stale) == (1, 1, 1)
    else:
        store.write(batch_of(fed[:1]))
        second = store.write(batch_of(fed[1:], start=1, expected=1))
        if order == "new-then-old":
            assert (second.replaced, second.duplicates, second.stale) == (0, 1, 1)
        else:
            assert (second.replaced, second.duplicates, second.stale) == (1, 0, 0)
    audit = audit_rows(database.url, [new])
    assert audit.exact, audit
    with psycopg.connect(database.url) as conn:
        assert conn.execute("SELECT pipeline_version FROM articles").fetchall() == [(NEW_RULES,)]


def test_a_repeat_of_the_stored_event_made_later_is_still_a_duplicate(
    store: SinkStore, sink_events: list[dict[str, Any]]
) -> None:
    first = renumbered(sink_events[0], "a-1", processed_at=BEFORE_UPGRADE)
    store.write(batch_of([first]))
    again = renumbered(sink_events[0], "a-1", processed_at=AFTER_UPGRADE)  # a worker restarted and redid it
    result = store.write(batch_of([again], start=1, expected=1))
    assert (result.replaced, result.duplicates, result.stale) == (0, 1, 0)


def test_a_batch_expecting_an_offset_another_sink_moved_is_refused_whole(
    store: SinkStore, database: Database, sink_events: list[dict[str, Any]]
) -> None:
    store.write(batch_of(list(sample_stream(sink_events, 2))))
    zombie = batch_of(list(sample_stream(sink_events, 2, prefix="late")), start=0, expected=None)
    with pytest.raises(StaleOffsets, match=r"\[E914\]"):
        store.write(zombie)
    assert audit_rows(database.url, list(sample_stream(sink_events, 2))).exact


def test_an_entity_keeps_one_row_with_the_latest_name(store: SinkStore, sink_events: list[dict[str, Any]]) -> None:
    events = list(sample_stream(sink_events, 8))
    store.write(batch_of(events))
    keys = {e["id"] for event in events for e in event["entities"]}
    with psycopg.connect(store.url) as conn:
        rows = conn.execute("SELECT entity_key FROM entities").fetchall()
    assert sorted(r[0] for r in rows) == sorted(keys)


def test_dead_letters_are_written_once(store: SinkStore, database: Database) -> None:
    event = dead_letter_event(error="x", offset=1, value=b"{")
    row = dead_letter_row(event, Position("articles.dlq", 0, 0))
    store.write(Batch((), [row], [OffsetRange("articles.dlq", 0, None, 1)]))
    store.write(Batch((), [row], [OffsetRange("articles.dlq", 0, 1, 1)]))
    with psycopg.connect(database.url) as conn:
        assert conn.execute("SELECT count(*) FROM dead_letters").fetchone() == (1,)


def test_the_views_answer_the_questions_users_ask(store: SinkStore, sink_events: list[dict[str, Any]]) -> None:
    events = list(sample_stream(sink_events, 4))
    store.write(batch_of(events))
    claimant = next(
        c["claimant"]["entity_id"] for e in events for c in e["claims"] if c["claimant"] and c["claimant"]["entity_id"]
    )
    word = next(c["content"]["text"].split()[-1].strip(".,\"'") for e in events for c in e["claims"])
    with psycopg.connect(store.url) as conn:
        assert conn.execute("SELECT sum(mentions) FROM entity_mentions_per_day").fetchone() == (
            sum(len(e["mentions"]) for ev in events for e in ev["entities"]),
        )
        by_claimant = conn.execute("SELECT count(*) FROM claims_by_claimant WHERE claimant_key = %s", (claimant,))
        assert by_claimant.fetchone() == (
            sum(1 for e in events for c in e["claims"] if c["claimant"] and c["claimant"]["entity_id"] == claimant),
        )
        assert conn.execute("SELECT count(*) FROM claims_about_entity").fetchone()[0] > 0  # type: ignore[index]
        assert conn.execute("SELECT count(*) FROM entity_cooccurrence").fetchone()[0] > 0  # type: ignore[index]
        hits = conn.execute("SELECT kind FROM search(%s, 1000)", (word,)).fetchall()
        assert ("claim",) in hits


def distinct_words(n: int) -> str:
    """Text of ``n`` distinct words whose tsvector is over PostgreSQL's 1 MB (for 110,000)."""
    return " ".join(f"w{i:05x}q" for i in range(n))


def test_an_article_over_postgresqls_search_vector_limit_is_stored_with_its_title_alone_searchable(
    store: SinkStore, database: Database, sink_events: list[dict[str, Any]]
) -> None:
    """Its body would make a tsvector over 1 MB (SQLSTATE 54000): the article is stored with
    all its rows, the search vector holds the title only, and the article says so."""
    event = dict(next(iter(sample_stream(sink_events, 1))))
    event["body"] = distinct_words(110_000)  # under 1 MB, distinct words
    assert len(event["body"].encode()) < 1_000_000
    assert store.write(batch_of([event])).new == 1
    assert store.stored_offsets([TOPIC]) == {(TOPIC, 0): 1}
    assert audit_rows(database.url, [event]).exact
    title_word = max((w.strip("'\",.:") for w in event["title"].split()), key=len)  # no stop word
    with psycopg.connect(database.url) as conn:
        flags, by_body, by_title = conn.execute(
            "SELECT flags, search @@ plainto_tsquery('english', 'w00010q'),"
            " search @@ plainto_tsquery('english', %s) FROM articles",
            (title_word,),
        ).fetchone() or (None, None, None)
    assert "search_body_omitted" in flags and by_body is False and by_title is True


def test_a_claim_over_postgresqls_search_vector_limit_is_refused_for_good(
    store: SinkStore, sink_events: list[dict[str, Any]]
) -> None:
    """SQLSTATE 54000 is an OperationalError to psycopg, but no retry can pass it: refused,
    for the consumer to write the event as a dead letter, instead of a partition stopped."""
    event = dict(next(iter(sample_stream(sink_events, 1))))
    claim = event["claims"][0]
    claim["content"] = {**claim["content"], "text": distinct_words(110_000)}
    with pytest.raises(RejectedBatch, match=r"\[E915\].*tsvector"):
        store.write(batch_of([event]))
    assert store.stored_offsets([TOPIC]) == {}


def test_a_probe_writes_nothing_and_moves_no_offset(
    store: SinkStore, database: Database, sink_events: list[dict[str, Any]]
) -> None:
    result = store.probe(batch_of(list(sample_stream(sink_events, 3))))
    assert result.new == 3
    assert store.stored_offsets([TOPIC]) == {}
    with psycopg.connect(database.url) as conn:
        assert conn.execute("SELECT (SELECT count(*) FROM articles) + (SELECT count(*) FROM mentions)").fetchone() == (
            0,
        )


def test_rows_refused_by_one_check_are_refused_with_one_signature(
    store: SinkStore, database: Database, sink_events: list[dict[str, Any]]
) -> None:
    with psycopg.connect(database.url) as conn:  # a schema that does not take what the code writes
        conn.execute("ALTER TABLE claims ADD CONSTRAINT claims_kind_known CHECK (kind = 'never')")
    signatures = []
    for i, event in enumerate(sample_stream(sink_events, 2, prefix="sig")):
        with pytest.raises(RejectedBatch) as refused:
            store.write(batch_of([event], start=i))
        signatures.append(refused.value.signature)
    assert signatures[0] == signatures[1] == "SQLSTATE 23514 on claims: claims_kind_known"
