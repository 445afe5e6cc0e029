"""Every SQL statement of the "Queries" block of ``docs/sink.md`` (once the README's) runs
on a store the sink's store filled with the real enriched seed articles, through the
select-only reader role, and returns rows (the story views on the story stage's events
for those articles, made by the stage's own code): an example that broke (a renamed column, a key
that no longer exists) fails here, and so does a page that lost the block."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import psycopg
import pytest

from tests.conftest import SEEDS
from tests.integration.postgres import fresh_database
from workers.inputs.corpus import seed_articles
from workers.pipeline.enrich import Enricher
from workers.pipeline.events import encode
from workers.positions import Position
from workers.sink.local_cluster import LocalCluster
from workers.sink.rows import article_rows
from workers.sink.samples import enriched_events
from workers.sink.store import Batch, OffsetRange, SinkStore
from workers.sink.story_rows import StageSchema, stage_rows
from workers.sink.tables import StageRows
from workers.stories.article import story_article
from workers.stories.assign import StoryAssigner
from workers.stories.events import link_events, story_event

PAGE = SEEDS.parent.parent / "docs" / "sink.md"
TOPIC = "articles.enriched"
STORIES = "stories"


def documented_statements() -> list[str]:
    """The statements of the ```sql block under the sink page's "Queries" paragraph."""
    assert PAGE.is_file(), "docs/sink.md is missing: the sink's example queries live there"
    text = PAGE.read_text(encoding="utf-8")
    block = re.search(r"\*\*Queries\.\*\*.*?```sql\n(.*?)```", text, re.DOTALL)
    assert block, "docs/sink.md has no **Queries.** paragraph with a ```sql block"
    lines = [line for line in block.group(1).splitlines() if not line.lstrip().startswith("--")]
    statements = [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
    assert statements, "docs/sink.md's **Queries.** block holds no statement"
    return statements


@pytest.fixture(scope="module")
def store(postgres: LocalCluster, enricher: Enricher) -> Iterator[str]:
    """A database holding the seed articles, as the sink writes them; the reader's URL."""
    events = enriched_events(seed_articles([str(SEEDS)]), enricher)
    with contextmanager(fresh_database)(postgres) as database:
        sink = SinkStore(database.url, "readme-test")
        try:
            rows = [article_rows(e, Position(TOPIC, 0, i)) for i, e in enumerate(events)]
            sink.write(Batch(rows, (), [OffsetRange(TOPIC, 0, None, len(events))]))
            stage = stage_of(events)
            sink.write(Batch(stage=stage, offsets=[OffsetRange(STORIES, 0, None, len(stage))]))
        finally:
            sink.close()
        yield database.reader_url


def stage_of(events: list[dict[str, Any]]) -> list[StageRows]:
    """The rows of the story stage's events for ``events``: each article's story event, then its links."""
    assigner = StoryAssigner()
    sent: list[tuple[StageSchema, object]] = []
    for event in events:
        assignment = assigner.assign(story_article(event))
        sent.append(("story", story_event(assignment, "docs")))
        sent += [("claim-link", link) for link in link_events(assignment, "docs")]
    return [
        stage_rows(orjson.loads(encode(value)), schema, Position(STORIES, 0, i))
        for i, (schema, value) in enumerate(sent)
    ]


def test_the_sink_page_shows_a_query_for_each_question() -> None:
    joined = " ".join(documented_statements())
    for surface in (
        "entity_mentions_per_day",
        "claims_by_claimant",
        "claims_about_entity",
        "entity_cooccurrence",
        "search(",
        "stories_last_day",
        "story_timeline",
        "story_claims_ledger",
    ):
        assert surface in joined


@pytest.mark.parametrize("statement", documented_statements(), ids=lambda s: s.split("FROM ")[1].split()[0])
def test_each_documented_query_returns_rows_on_the_seed_articles(store: str, statement: str) -> None:
    with psycopg.connect(store) as conn:
        rows = conn.execute(statement).fetchall()  # type: ignore[arg-type]  # the docs' text, not user input
    assert rows, statement
