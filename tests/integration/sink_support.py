"""Shared by the sink's integration tests: real enriched events, and checks that the
tables hold exactly one row set per article, equal to its event."""

from __future__ import annotations

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

__all__ = ["RowAudit", "audit_rows", "sink_events"]


@pytest.fixture(scope="session")
def sink_events(enricher: Enricher) -> list[dict[str, Any]]:
    """Enriched-article events of four wikinews seed articles (entities, claims, places)."""
    return enriched_events(seed_articles([str(SEEDS / "wikinews")])[:4], enricher)


@dataclass(frozen=True, slots=True)
class RowAudit:
    """How the tables compare with the events fed: articles missing or doubled,
    articles whose mentions or claims differ from their event, and article ids with
    mentions, claims or entity rows but no article row (orphaned)."""

    fed: int
    missing: list[str]
    doubled: list[str]
    unexpected: list[str]
    mismatched: list[str]
    orphaned: list[str]

    @property
    def exact(self) -> bool:
        return not (self.missing or self.doubled or self.unexpected or self.mismatched or self.orphaned)


_HERE = Position("t", 0, 0)


def audit_rows(url: str, events: Sequence[dict[str, Any]]) -> RowAudit:
    """Compare the tables at ``url`` with ``events`` (the last event of each article id wins)."""
    expected = {e["id"]: article_rows(e, _HERE) for e in events}
    with psycopg.connect(url) as conn:
        counts = dict(conn.execute("SELECT article_id, count(*) FROM articles GROUP BY article_id").fetchall())
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
        versions = dict(conn.execute("SELECT article_id, event_id FROM articles").fetchall())
        orphaned = [
            row[0]
            for row in conn.execute(
                "SELECT article_id FROM article_entities UNION SELECT article_id FROM mentions "
                "UNION SELECT article_id FROM claims EXCEPT SELECT article_id FROM articles ORDER BY 1"
            )
        ]
    mismatched = []
    for article_id, rows in expected.items():
        if article_id not in counts:
            continue
        want_mentions = [(m.ordinal, m.entity_key, m.start_offset, m.end_offset, m.text) for m in rows.mentions]
        want_claims = [
            (c.claim_id, c.claimant_key, c.cue_lemma, c.content_start, c.content_end, c.kind, c.stance)
            for c in rows.claims
        ]
        if (
            mentions.get(article_id, []) != want_mentions
            or claims.get(article_id, []) != want_claims
            or versions[article_id] != rows.article.event_id
        ):
            mismatched.append(article_id)
    return RowAudit(
        fed=len(expected),
        missing=sorted(set(expected) - set(counts)),
        doubled=sorted(a for a, n in counts.items() if n > 1),
        unexpected=sorted(set(counts) - set(expected)),
        mismatched=sorted(mismatched),
        orphaned=orphaned,
    )
