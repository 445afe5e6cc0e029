"""Dead-letter halving on a real PostgreSQL: the sink's consumer (``SinkConsumer.write``)
with the real :class:`~workers.sink.store.SinkStore`, fed by a fake Kafka.

``tests/test_sink/test_consumer.py`` tests the halving against a fake store that refuses
by offset; here PostgreSQL itself refuses the article (a claim whose search vector is over
its 1 MB, SQLSTATE 54000; an article body that long is stored with its title alone
searchable), so the test fails if the database's refusal is not classified as for
good, if the halving loses or repeats a neighbour, or if the dead letter or the offsets
are not written in the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import psycopg
import pytest
from prometheus_client import CollectorRegistry

from tests.integration.postgres import Database
from tests.integration.sink_support import audit_rows, log_writes, sink_events
from tests.test_sink.test_batch import record
from tests.test_sink.test_consumer import TOPIC, FakeKafka
from workers.metrics import SinkMetrics
from workers.settings import Settings
from workers.sink.consumer import SinkConsumer
from workers.sink.samples import sample_stream
from workers.sink.store import SinkStore

__all__ = ["sink_events"]  # the fixture, imported for pytest

#: Records in the batch, and the offset of the one PostgreSQL refuses.
RECORDS = 8
REFUSED = 5


@pytest.fixture
def store(database: Database) -> Iterator[SinkStore]:
    store = SinkStore(log_writes(database.url), "halving")
    yield store
    store.close()


def too_big_for_search(event: dict[str, Any]) -> dict[str, Any]:
    """``event`` with a claim whose content makes a search vector over PostgreSQL's 1 MB."""
    big = dict(event)
    claims = [dict(c) for c in big["claims"]]
    claims[0]["content"] = {**claims[0]["content"], "text": " ".join(f"w{i:05x}q" for i in range(110_000))}
    big["claims"] = claims
    return big


def test_an_article_postgresql_refuses_is_found_by_halving_and_stored_alone_as_a_dead_letter(
    store: SinkStore, database: Database, sink_events: list[dict[str, Any]]
) -> None:
    events = list(sample_stream(sink_events, RECORDS, prefix="halving"))
    events[REFUSED] = too_big_for_search(events[REFUSED])
    records = [record(e, 0, i) for i, e in enumerate(events)]
    kafka = FakeKafka()
    sink = SinkConsumer(
        Settings(data_dir="/tmp/unused"), store, SinkMetrics(CollectorRegistry()), consumer=kafka, sleep=lambda _: None
    )
    sink.seek_to_stored(kafka.assigned)

    assert sink.write(records) == RECORDS

    good = [e for i, e in enumerate(events) if i != REFUSED]
    audit = audit_rows(database.url, good, dead_letters=[("sink", "database_rejected")])
    assert audit.exact, audit
    with psycopg.connect(database.url) as conn:
        dead = conn.execute("SELECT read_topic, read_partition, read_offset, key, value, error FROM dead_letters")
        (read_topic, read_partition, read_offset, key, value, error), *more = dead.fetchall()
    assert more == []
    assert (read_topic, read_partition, read_offset, key) == (TOPIC, 0, REFUSED, events[REFUSED]["id"])
    assert orjson.loads(value) == orjson.loads(records[REFUSED].value or b"") and "[E915]" in error
    assert store.stored_offsets([TOPIC]) == {(TOPIC, 0): RECORDS}
