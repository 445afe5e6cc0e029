"""Shared by the sink's integration tests: real enriched events, and checks that the
tables hold exactly one row set per article, equal to its event.

A table cannot hold two rows of one article (the article id is its primary key), so
"doubled" is counted where a second write would show: :func:`log_writes` puts a
trigger on ``articles`` that records every committed insert, and an article whose
same event (the same event id and pipeline version) was inserted twice, whether
deleted and rewritten or replaced by its own copy, is doubled. :func:`audit_rows`
refuses a database without that log, so an audit cannot quietly skip the count.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest

from tests.conftest import SEEDS
from workers.inputs.corpus import seed_articles
from workers.pipeline.enrich import Enricher
from workers.positions import Position
from workers.sink.rows import article_rows
from workers.sink.samples import enriched_events

__all__ = ["RowAudit", "audit_rows", "log_writes", "sink_events"]

#: The write log: one row per committed insert into ``articles`` (rolled-back inserts
#: go with their transaction). Test-only: created by :func:`log_writes`, never by the sink.
_WRITE_LOG = """
CREATE TABLE test_article_writes (
    article_id text NOT NULL, event_id text NOT NULL, pipeline_version text NOT NULL, kafka_offset bigint NOT NULL
);
CREATE FUNCTION test_log_article_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO test_article_writes VALUES (NEW.article_id, NEW.event_id, NEW.pipeline_version, NEW.kafka_offset);
    RETURN NULL;
END
$$;
CREATE TRIGGER test_articles_written AFTER INSERT ON articles
    FOR EACH ROW EXECUTE FUNCTION test_log_article_write();
"""


def log_writes(url: str) -> str:
    """Log every committed insert into ``articles`` of the database at ``url`` (call it
    before anything is written); returns ``url``, for fixtures."""
    with psycopg.connect(url) as conn:
        conn.execute(_WRITE_LOG)
    return url


@pytest.fixture(scope="session")
def sink_events(enricher: Enricher) -> list[dict[str, Any]]:
    """Enriched-article events of four wikinews seed articles (entities, claims, places)."""
    return enriched_events(seed_articles([str(SEEDS / "wikinews")])[:4], enricher)


@dataclass(frozen=True, slots=True)
class RowAudit:
    """How the tables compare with the events fed: articles missing; doubled (the same
    event inserted more than once, from the write log); unexpected; mismatched (body,
    content hash, event id, entity rows, mentions or claims differ from the event's);
    article ids with mentions, claims or entity rows but no article row (orphaned);
    entity keys the articles name that have no ``entities`` row, or one with another
    label (entities_missing); and dead letters other than those expected, as
    ``(origin, reason)`` pairs, each copy counted (dead_letters_wrong)."""

    fed: int
    missing: list[str]
    doubled: list[str]
    unexpected: list[str]
    mismatched: list[str]
    orphaned: list[str]
    entities_missing: list[str]
    dead_letters_wrong: list[tuple[str, str]]

    @property
    def exact(self) -> bool:
        return not (
            self.missing
            or self.doubled
            or self.unexpected
            or self.mismatched
            or self.orphaned
            or self.entities_missing
            or self.dead_letters_wrong
        )


_HERE = Position("t", 0, 0)


def audit_rows(url: str, events: Sequence[dict[str, Any]], dead_letters: Sequence[tuple[str, str]] = ()) -> RowAudit:
    """Compare the tables at ``url`` with ``events`` (the last event of each article id
    wins) and the dead letters with ``dead_letters`` (``(origin, reason)``, one a row).

    Raises:
        AssertionError: the database has no write log (:func:`log_writes` first).
    """
    expected = {e["id"]: article_rows(e, _HERE) for e in events}
    with psycopg.connect(url) as conn:
        logged = conn.execute("SELECT to_regclass('test_article_writes')").fetchone()
        assert logged != (None,), f"{url}: no write log, so doubles cannot be counted; call log_writes(url) first"
        writes = Counter(conn.execute("SELECT article_id, event_id, pipeline_version FROM test_article_writes"))
        stored = {
            row[0]: tuple(row[1:])
            for row in conn.execute("SELECT article_id, event_id, content_hash, body FROM articles")
        }
        mentions: dict[str, list[tuple[Any, ...]]] = {}
        for row in conn.execute(
            "SELECT article_id, ordinal, entity_key, start_offset, end_offset, text FROM mentions ORDER BY 1, 2"
        ):
            mentions.setdefault(row[0], []).append(tuple(row[1:]))
        claims: dict[str, list[tuple[Any, ...]]] = {}
        for row in conn.execute(
            "SELECT article_id, claim_id, claimant_key, cue_lemma, content_start, content_end, kind, stance "
            "FROM claims ORDER BY article_id, ordinal"
        ):
            claims.setdefault(row[0], []).append(tuple(row[1:]))
        article_entities: dict[str, list[tuple[Any, ...]]] = {}
        for row in conn.execute(
            "SELECT article_id, entity_key, name, label, salience, date, mention_count FROM article_entities"
        ):
            article_entities.setdefault(row[0], []).append(tuple(row[1:]))
        labels = dict(conn.execute("SELECT entity_key, label FROM entities").fetchall())
        dead = Counter(conn.execute("SELECT origin, reason FROM dead_letters").fetchall())
        orphaned = [
            row[0]
            for row in conn.execute(
                "SELECT article_id FROM article_entities UNION SELECT article_id FROM mentions "
                "UNION SELECT article_id FROM claims EXCEPT SELECT article_id FROM articles ORDER BY 1"
            )
        ]
    mismatched = []
    wanted_entities: dict[str, str] = {}
    for article_id, rows in expected.items():
        wanted_entities.update((e.entity_key, e.label) for e in rows.entities)
        if article_id not in stored:
            continue
        want_mentions = [(m.ordinal, m.entity_key, m.start_offset, m.end_offset, m.text) for m in rows.mentions]
        want_claims = [
            (c.claim_id, c.claimant_key, c.cue_lemma, c.content_start, c.content_end, c.kind, c.stance)
            for c in rows.claims
        ]
        want_entities = sorted(
            (x.entity_key, x.name, x.label, x.salience, x.date, x.mention_count) for x in rows.article_entities
        )
        if (
            mentions.get(article_id, []) != want_mentions
            or claims.get(article_id, []) != want_claims
            or stored[article_id] != (rows.article.event_id, rows.article.content_hash, rows.article.body)
            or not _same_entity_rows(sorted(article_entities.get(article_id, [])), want_entities)
        ):
            mismatched.append(article_id)
    want_dead = Counter(dead_letters)
    return RowAudit(
        fed=len(expected),
        missing=sorted(set(expected) - set(stored)),
        doubled=sorted({a for (a, _, _), n in writes.items() if n > 1}),
        unexpected=sorted(set(stored) - set(expected)),
        mismatched=sorted(mismatched),
        orphaned=orphaned,
        entities_missing=sorted(k for k, label in wanted_entities.items() if labels.get(k) != label),
        dead_letters_wrong=sorted(((dead - want_dead) + (want_dead - dead)).elements()),
    )


def _same_entity_rows(got: list[tuple[Any, ...]], want: list[tuple[Any, ...]]) -> bool:
    """Entity rows equal, salience (a ``real``: 24 bits) up to float precision."""
    if len(got) != len(want):
        return False
    for g, w in zip(got, want, strict=True):
        if g[:3] + g[4:] != w[:3] + w[4:]:
            return False
        if (g[3] is None) != (w[3] is None) or (g[3] is not None and not math.isclose(g[3], w[3], rel_tol=1e-6)):
            return False
    return True
