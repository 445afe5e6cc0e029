"""The sink stores the story stage's outputs exactly once in effect, on the real PostgreSQL
and broker: stories, story membership, claim links and trends; repeats change nothing; a
sink killed mid-stream and restarted stores each event once; the views answer the
questions of the last day's stories, a story's timeline and its claims ledger.

"Stored once" is counted where a second write would show: a test-only trigger logs every
committed insert or update of ``story_articles``, ``claim_links`` and ``trends``
(:func:`log_stage_writes`), so a membership written twice (a replayed batch, a repeat
that was not recognised) is seen although the table holds one row per key.
"""

from __future__ import annotations

import math
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import psycopg
import pytest
from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic

from tests.integration.conftest import wait_for
from tests.integration.postgres import Database
from tests.integration.sink_support import audit_rows, sink_events
from tests.integration.test_sink_faults import SinkProcess, alive, sink_settings, start_sink
from tests.test_sink.stage_events import DAM, StageEvent, stage_stream, trend_event
from tests.test_stories.events import claim, enriched
from workers.kafka.client import client_config
from workers.pipeline.events import encode
from workers.positions import Position
from workers.settings import Settings
from workers.sink.samples import sample_stream
from workers.sink.store import Batch, OffsetRange, SinkStore
from workers.sink.story_rows import StageSchema, stage_rows
from workers.sink.story_store import KINDS, decide
from workers.sink.tables import ClaimLinkRow, StoryEventRows
from workers.stories.article import story_article
from workers.stories.assign import StoryAssigner, story_id
from workers.stories.events import link_events, story_event

__all__ = ["sink_events", "sink_settings", "start_sink"]  # fixtures, imported for pytest

TOPIC = "stories"
#: An audit that found nothing wrong.
CLEAN: dict[str, list[str]] = {"missing": [], "unexpected": [], "mismatched": [], "written_twice": []}

_WRITE_LOG = """
CREATE TABLE test_stage_writes (tbl text NOT NULL, key text NOT NULL, version text NOT NULL);
CREATE FUNCTION test_log_keyed_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO test_stage_writes
    VALUES (TG_TABLE_NAME, to_jsonb(NEW) ->> TG_ARGV[0], NEW.version);
    RETURN NULL;
END
$$;
CREATE TRIGGER test_story_articles_written AFTER INSERT OR UPDATE ON story_articles
    FOR EACH ROW EXECUTE FUNCTION test_log_keyed_write('article_id');
CREATE TRIGGER test_claim_links_written AFTER INSERT OR UPDATE ON claim_links
    FOR EACH ROW EXECUTE FUNCTION test_log_keyed_write('link_id');
CREATE TRIGGER test_trends_written AFTER INSERT OR UPDATE ON trends
    FOR EACH ROW EXECUTE FUNCTION test_log_keyed_write('trend_id');
"""


def log_stage_writes(url: str) -> str:
    """Log every committed write of a membership, a link or a trend at ``url``; returns ``url``."""
    with psycopg.connect(url) as conn:
        conn.execute(_WRITE_LOG)
    return url


def rows_of(events: Sequence[StageEvent]) -> list[Any]:
    return [stage_rows(event, schema, Position(TOPIC, 0, i)) for i, (schema, event) in enumerate(events)]


def batch_of(events: Sequence[StageEvent], start: int = 0, expected: int | None = None) -> Batch:
    """One transaction of ``events``, read from one partition from offset ``start`` on."""
    return Batch(stage=rows_of(events), offsets=[OffsetRange(TOPIC, 0, expected, start + len(events))])


@pytest.fixture
def store(database: Database) -> Iterator[SinkStore]:
    store = SinkStore(log_stage_writes(database.url), "g1")
    yield store
    store.close()


def fetch(url: str, query: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchall()


# ---------------------------------------------------------------------------
# Exactly once in effect: what the tables hold after a stream, counted against the events
# ---------------------------------------------------------------------------
def expected_tables(events: Sequence[StageEvent]) -> dict[str, dict[str, Any]]:
    """What each table must hold after ``events`` (read in this order within each key)."""
    kept: dict[str, dict[str, Any]] = {table: {} for table in KINDS}
    for rows in rows_of(events):
        pieces = (
            [("stories", rows.story), ("story_articles", rows.member)]
            if isinstance(rows, StoryEventRows)
            else [("claim_links" if isinstance(rows, ClaimLinkRow) else "trends", rows)]
        )
        for table, row in pieces:
            key = str(row[0])
            held = kept[table].get(key)
            kind = KINDS[table]
            if held is None or decide(kind.state(held), kind.state(row)) == "replace":
                kept[table][key] = row
    return kept


def audit_stage(url: str, events: Sequence[StageEvent]) -> dict[str, list[str]]:
    """The keys that differ from ``events``, by problem: missing, unexpected, mismatched
    (a row other than the newest event's), written more than once (the write log)."""
    want = expected_tables(events)
    problems: dict[str, list[str]] = {"missing": [], "unexpected": [], "mismatched": [], "written_twice": []}
    with psycopg.connect(url) as conn:
        for table, rows in want.items():
            kind = KINDS[table]
            columns = ", ".join(kind.row_type._fields)
            stored = {r[0]: r for r in conn.execute(f"SELECT {columns} FROM {table}")}
            problems["missing"] += [f"{table}:{k}" for k in sorted(set(rows) - set(stored))]
            problems["unexpected"] += [f"{table}:{k}" for k in sorted(set(stored) - set(rows))]
            problems["mismatched"] += [
                f"{table}:{k}" for k in sorted(set(rows) & set(stored)) if not _same(stored[k], rows[k])
            ]
        writes = Counter(conn.execute("SELECT tbl, key FROM test_stage_writes").fetchall())
    problems["written_twice"] = sorted(f"{t}:{k}" for (t, k), n in writes.items() if n > 1)
    return problems


def _same(stored: tuple[Any, ...], row: tuple[Any, ...]) -> bool:
    """A stored row equals an event's row (``real`` columns to float precision)."""
    for got, want in zip(stored, row, strict=True):
        if isinstance(want, float):
            if not math.isclose(got, want, rel_tol=1e-6):
                return False
        elif got != want:
            return False
    return True


def test_story_events_become_rows_and_the_same_events_again_change_nothing(
    store: SinkStore, database: Database
) -> None:
    events = [*stage_stream(), ("trend", trend_event())]
    first = store.write(batch_of(events))
    assert (first.new, first.rows["stories"], first.rows["story_articles"], first.rows["claim_links"]) == (8, 2, 4, 3)
    again = store.write(batch_of(events, start=len(events), expected=len(events)))  # a stage replay
    assert (again.new, again.replaced, again.duplicates) == (0, 0, 8)
    assert sum(again.rows.values()) == 0
    assert audit_stage(database.url, events) == CLEAN
    assert fetch(database.url, "SELECT count(*), count(DISTINCT article_id) FROM story_articles") == [(4, 4)]
    assert fetch(database.url, "SELECT size, sources FROM stories WHERE story_id = %s", story_id(DAM)) == [
        (3, ["herald", "post", "wire"])
    ]


def test_a_replay_of_older_story_events_leaves_the_newest_story_and_counts_them_stale(
    store: SinkStore, database: Database
) -> None:
    events = stage_stream()
    store.write(batch_of(events))
    older: list[StageEvent] = [e for e in events if e[0] == "story" and e[1]["story_id"] == story_id(DAM)][:2]
    later = store.write(batch_of(older, start=len(events), expected=len(events)))
    assert later.rows["stories"] == 0 and later.duplicates == 2  # their memberships: repeats
    assert fetch(database.url, "SELECT size FROM stories WHERE story_id = %s", story_id(DAM)) == [(3,)]
    assert audit_stage(database.url, events + older)["mismatched"] == []


def test_another_stage_versions_events_replace_the_stored_ones(store: SinkStore, database: Database) -> None:
    events = stage_stream()
    store.write(batch_of(events))
    moved = {**events[0][1], "story_id": "s-elsewhere", "version": "0.2.0+other"}
    moved_event: StageEvent = ("story", moved)
    result = store.write(batch_of([moved_event], start=len(events), expected=len(events)))
    assert (result.replaced, result.rows["story_articles"]) == (1, 1)
    assert fetch(database.url, "SELECT story_id, version FROM story_articles WHERE article_id = 'dam-1'") == [
        ("s-elsewhere", "0.2.0+other")
    ]


def test_a_trend_keeps_its_latest_count_of_the_window(store: SinkStore, database: Database) -> None:
    updates: list[StageEvent] = [
        ("trend", trend_event(count=n, window_end=f"2024-03-01T{h}:00:00Z")) for n, h in ((3, 10), (5, 12))
    ]
    store.write(batch_of(updates[::-1]))  # the later one read first: the earlier one is stale
    assert fetch(database.url, "SELECT count FROM trends") == [(5,)]


# ---------------------------------------------------------------------------
# The views answer the questions users ask
# ---------------------------------------------------------------------------
def test_the_views_answer_the_last_days_stories_a_timeline_and_a_claims_ledger(
    store: SinkStore, database: Database
) -> None:
    store.write(batch_of(stage_stream()))
    url, dam = database.reader_url, story_id(DAM)
    by_size = fetch(url, "SELECT story_id, articles, originals, sources FROM stories_last_day")
    assert by_size == [(dam, 3, 2, 3), (story_id("farm-1"), 1, 1, 1)]
    by_sources = fetch(url, "SELECT story_id FROM stories_last_day ORDER BY sources DESC, articles DESC")
    assert by_sources[0] == (dam,)
    timeline = fetch(url, "SELECT article_id, source, matched FROM story_timeline WHERE story_id = %s ORDER BY at", dam)
    assert timeline == [
        ("dam-1", "wire", "new"),
        ("dam-2", "herald", "entities_and_text"),
        ("dam-3", "post", "duplicate"),
    ]
    ledger = fetch(
        url,
        "SELECT proposition, claimant, polarity, text FROM story_claims_ledger WHERE story_id = %s "
        "ORDER BY proposition, polarity, claimant",
        dam,
    )
    assert ledger == [
        ("c1", "Engineers", "asserts", "the dam at Kariba had cracked"),
        ("c1", "The operator", "asserts", "the dam at Kariba had cracked"),
        ("c1", "The ministry", "denies", "the dam at Kariba had not cracked"),
    ]
    kinds = fetch(url, "SELECT kind, count(*) FROM claim_links WHERE story_id = %s GROUP BY kind ORDER BY kind", dam)
    assert kinds == [("contradicts", 2), ("corroborates", 1)]


# ---------------------------------------------------------------------------
# newsflow sink on the real broker
# ---------------------------------------------------------------------------
def create_story_topics(settings: Settings) -> None:
    """Create the story stage's topics that do not exist yet."""
    admin = KafkaAdminClient(**client_config(settings))
    try:
        missing = set(settings.story_topics) - set(admin.list_topics())
        if missing:
            admin.create_topics(
                [NewTopic(t, settings.partitions, settings.replication_factor) for t in sorted(missing)],
                timeout_ms=30_000,
            )
    finally:
        admin.close()


def produce(settings: Settings, events: Sequence[StageEvent]) -> dict[tuple[str, int], int]:
    """Produce ``events`` onto the stage's topics, keyed as the stage keys them; returns
    each partition's end offset."""
    topics: dict[StageSchema, str] = {
        "story": settings.topic_stories,
        "claim-link": settings.topic_claim_links,
        "trend": settings.topic_trends,
    }
    producer = KafkaProducer(**client_config(settings, acks="all", linger_ms=20))
    futures = []
    for schema, event in events:
        key = event["entity_id"] if schema == "trend" else event["story_id"]
        futures.append(producer.send(topics[schema], key=key.encode(), value=orjson.dumps(event)))
    producer.flush()
    producer.close()
    ends: dict[tuple[str, int], int] = {}
    for future in futures:
        meta = future.get(timeout=30)
        ends[(meta.topic, meta.partition)] = max(ends.get((meta.topic, meta.partition), 0), meta.offset + 1)
    return ends


def stored_ends(url: str, settings: Settings, topics: Sequence[str]) -> dict[tuple[str, int], int]:
    rows = fetch(
        url,
        "SELECT topic, partition, next_offset FROM sink_offsets WHERE group_id = %s AND topic = ANY(%s)",
        settings.sink_group_id,
        list(topics),
    )
    return {(t, p): o for t, p, o in rows}


def test_the_sink_runs_without_the_story_topics_and_reads_them_once_created(
    sink_settings: Settings,
    database: Database,
    sink_events: list[dict[str, Any]],
    start_sink: Callable[[Settings], SinkProcess],
) -> None:
    url = log_stage_writes(database.url)
    # Story topics of names nobody created (the fixture's `topics create` made the usual ones).
    late = uuid.uuid4().hex[:6]
    sink_settings = sink_settings.with_overrides(
        topic_stories=f"stories-late-{late}",
        topic_claim_links=f"claim-links-late-{late}",
        topic_trends=f"trends-late-{late}",
    )
    articles = list(sample_stream(sink_events, 3, prefix=f"st-{uuid.uuid4().hex[:6]}"))
    producer = KafkaProducer(**client_config(sink_settings, acks="all"))
    for e in articles:
        producer.send(sink_settings.topic_enriched, key=e["id"].encode(), value=orjson.dumps(e))
    producer.flush()
    producer.close()
    sink = start_sink(sink_settings)
    wait_for(lambda: not audit_rows(url, articles).missing, alive(sink), timeout=90, what="the articles stored")
    assert "not found in cluster metadata" not in sink.log()
    create_story_topics(sink_settings)
    events = [*stage_stream(), ("trend", trend_event())]
    ends = produce(sink_settings, events)
    waited = wait_for(
        lambda: stored_ends(url, sink_settings, sink_settings.story_topics) == ends,
        alive(sink),
        timeout=120,
        what="the story topics read",
    )
    print(f"\nstory topics created after the sink started: read {waited:.0f} s later")
    assert audit_stage(url, events) == CLEAN


def many_stories(stories: int, prefix: str) -> list[StageEvent]:
    """The stage's events for ``stories`` stories of four articles, each by another
    source and claimant, the bridge of its town collapsed or not: a story event per
    article and its contradictions and corroborations."""
    assigner = StoryAssigner()
    start = datetime(2024, 3, 1, tzinfo=UTC)
    sent: list[StageEvent] = []
    for turn, (who, source) in enumerate(
        (("The council", "wire"), ("Engineers", "herald"), ("The mayor", "post"), ("Residents", "times"))
    ):
        for n in range(stories):
            town = f"{prefix.capitalize()}town{n}"
            what = f"the bridge at {town} had {'not ' if turn % 2 else ''}collapsed"
            body = f"{who} said {what}. Traffic around {town} was diverted on day {turn}."
            at = (start + timedelta(minutes=n + stories * turn)).isoformat().replace("+00:00", "Z")
            event = enriched(
                f"{prefix}-{n}-{turn}",
                body,
                at=at,
                source=source,
                entities={f"GPE:{town}": 0.9},
                claims=[claim(body, f"{prefix}-c{n}-{turn}", who, what)],
            )
            assignment = assigner.assign(story_article(event))
            sent.append(("story", orjson.loads(encode(story_event(assignment, "0.1.0+fault")))))
            sent += [("claim-link", orjson.loads(encode(e))) for e in link_events(assignment, "0.1.0+fault")]
    return sent


def test_a_sink_killed_mid_stream_and_restarted_stores_each_story_event_once(
    sink_settings: Settings,
    database: Database,
    start_sink: Callable[[Settings], SinkProcess],
) -> None:
    url = log_stage_writes(database.url)
    # A database that takes 2 ms a membership row: the sink (about 2,000 story events a
    # second here) would otherwise store them all between two polls, before the kill.
    with psycopg.connect(url) as conn:
        conn.execute(
            "CREATE FUNCTION slow_row() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN PERFORM pg_sleep(0.002); RETURN NEW; END $$;"
            "CREATE TRIGGER slow_memberships BEFORE INSERT OR UPDATE ON story_articles "
            "FOR EACH ROW EXECUTE FUNCTION slow_row()"
        )
    settings = sink_settings.with_overrides(sink_batch_max_events=20)
    create_story_topics(settings)
    events = many_stories(400, f"k{uuid.uuid4().hex[:4]}")
    events += events[::10]  # a tenth sent again, as a stage replaying after a crash does
    ends = produce(settings, events)
    first = start_sink(settings)
    memberships = len({e["article_id"] for kind, e in events if kind == "story"})

    def stored() -> int:
        return int(fetch(url, "SELECT count(*) FROM story_articles")[0][0])

    wait_for(lambda: stored() >= memberships // 5, alive(first), timeout=120, what="a fifth stored")
    at_kill = stored()
    first.kill()
    assert at_kill < memberships, "the sink finished before the fault: send more stories"
    second = start_sink(settings)
    waited = wait_for(
        lambda: stored_ends(url, settings, settings.story_topics) == ends, alive(second), timeout=180, what="all read"
    )
    problems = audit_stage(url, events)
    print(
        f"\nFAULT TABLE | kill -9 of the sink mid-stream (story stage) | events fed {len(events)} | memberships "
        f"{memberships} (killed at {at_kill}) | "
        + " | ".join(f"{k} {len(v)}" for k, v in problems.items())
        + f" | done {waited:.0f} s after the restart"
    )
    assert problems == CLEAN
    assert fetch(url, "SELECT count(*) FROM dead_letters") == [(0,)]
