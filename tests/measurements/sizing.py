"""What one article costs in bytes, on every topic and in PostgreSQL: a measurement.

Run by hand (it starts a throwaway PostgreSQL; no broker)::

    python -m tests.measurements.sizing [--articles N]

It enriches the seed articles (``seeds/articles``) with the worker's code and sums, per
article, the bytes of its input on ``articles.raw`` and of the records the worker
publishes on ``articles.enriched``, ``claims`` and ``entities`` (key, value and the
record overhead the worker counts, ``workers.pipeline.events.RECORD_OVERHEAD_BYTES``),
then the story stage's ``stories``, ``claim-links`` and ``trends`` events for the same
articles in order (``newsflow stories``' code). It writes ``N`` renumbered copies of the
enriched events through the sink's path into a fresh database and reports the database's
growth per article after a ``VACUUM ANALYZE`` (tables, indexes, TOAST).

The README's capacity section ("To internet scale") multiplies these by the rates of
``newsflow bench``.
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter

import orjson
import psycopg

from workers.benchmark.sink import sink_rate
from workers.inputs.corpus import SEED_DIR, seed_articles
from workers.inputs.files import read_inputs
from workers.nlp.pipeline import load_pipeline
from workers.pipeline.enrich import Enricher
from workers.pipeline.events import RECORD_OVERHEAD_BYTES, article_records, encode
from workers.settings import DEFAULT_MODEL, Settings
from workers.sink.local_cluster import local_cluster
from workers.sink.samples import sample_stream
from workers.sink.schema import apply_migrations
from workers.stories.article import story_article
from workers.stories.assign import StoryAssigner
from workers.stories.events import link_events, story_event
from workers.stories.trends import TrendDetector, TrendParams
from workers.stories.version import stage_version


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000, help="articles written to PostgreSQL (2000)")
    args = parser.parse_args()
    settings = Settings(data_dir="/tmp/newsflow-sizing")
    articles = seed_articles([str(SEED_DIR)])
    raw = [len(item.value) for item in read_inputs([str(SEED_DIR)])]  # what `newsflow feed` sends
    enricher = Enricher(load_pipeline(DEFAULT_MODEL))
    topics: Counter[str] = Counter()
    events = []
    for article in articles:
        enriched = enricher(article)
        for record in article_records(enriched, settings):
            topics[record.topic] += len(record.key) + len(record.value or b"") + RECORD_OVERHEAD_BYTES
        events.append(orjson.loads(encode(enriched)))
    assigner = StoryAssigner()
    trend_params = TrendParams()
    version = stage_version(assigner.params, trend_params)
    trends = TrendDetector(trend_params, version=version)
    for event in events:
        story = story_article(event)
        assignment = assigner.assign(story)
        stage = [story_event(assignment, version), *link_events(assignment, version)]
        stage += trends.observe(story, assignment.story.id)
        for out in stage:
            key = 20  # a story or entity id
            topics["stories, claim-links, trends (the story stage)"] += len(encode(out)) + RECORD_OVERHEAD_BYTES + key
    n = len(articles)
    print(f"{n} seed articles, {statistics.mean(len(e['body'].split()) for e in events):.0f} words each on average")
    print(f"  articles.raw: {statistics.mean(raw) + RECORD_OVERHEAD_BYTES:,.0f} bytes an article")
    for topic, total in sorted(topics.items()):
        print(f"  {topic}: {total / n:,.0f} bytes an article")
    published = sum(topics.values()) / n + statistics.mean(raw) + RECORD_OVERHEAD_BYTES
    print(f"  every topic together: {published:,.0f} bytes an article (before replication)")
    with local_cluster() as cluster:
        name = cluster.create_database()
        url = cluster.url(name)
        with psycopg.connect(url, autocommit=True) as conn:
            apply_migrations(conn)
            conn.execute("VACUUM ANALYZE")
            empty = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        payloads = [orjson.dumps(e) for e in sample_stream(events, args.articles, prefix="size")]
        sink_rate(url, payloads, 500)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
            full = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        assert empty is not None and full is not None
        per_article = (full[0] - empty[0]) / args.articles
        print(f"  PostgreSQL: {per_article:,.0f} bytes an article ({args.articles} written, tables and indexes)")


if __name__ == "__main__":
    main()
