"""(K) The sink against a plain ``COPY`` of the same rows, in one run.

The same N article events (real enrichment of seed articles, renumbered into N
articles) are written twice, each into a fresh database of one throwaway cluster:

(a) the sink's way, without Kafka: each event's JSON bytes parsed, its rows made, and
    :class:`~workers.sink.store.SinkStore` writing transactions of
    ``sink_batch_max_events`` events with their offsets (version check, entity upsert,
    ``COPY`` of the rest);
(b) a plain psycopg ``COPY`` of the same rows (made beforehand, not timed) into the same
    tables, entities deduplicated, in one transaction.

The ratio (a)/(b) is the share of the database's bulk-load speed the sink keeps (target
>= 0.5). The sink's articles/s is also set against the NLP's: enriching the seed
articles is timed in the same run (a small sample; ``newsflow bench`` (3) is the
reference), and the sink must be >= 50x faster so it is never the pipeline's bottleneck.

Each way runs ``--repeat`` times (3), alternating, and the best time of each counts.

Run: ``python -m workers.benchmark.sink --events 2000`` (needs Debian's PostgreSQL; starts
and removes its own cluster with ``deploy/local/postgres.sh``).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import psycopg

from workers.positions import Position
from workers.sink.local_cluster import LocalCluster, local_cluster
from workers.sink.rows import article_rows, parse_event
from workers.sink.samples import sample_stream
from workers.sink.schema import apply_migrations
from workers.sink.store import Batch, OffsetRange, SinkStore, copy_rows
from workers.sink.tables import ArticleEntityRow, ArticleRow, ArticleRows, ClaimRow, EntityRow, MentionRow

__all__ = ["SinkBench", "copy_rate", "main", "measure", "sink_rate"]

_TOPIC = "articles.enriched"


@dataclass(frozen=True, slots=True)
class SinkBench:
    """What one run measured."""

    events: int
    batch: int
    rows: int
    sink_seconds: float
    copy_seconds: float
    nlp_articles_per_second: float | None = None
    repeat: int = 1

    @property
    def sink_articles_per_second(self) -> float:
        return self.events / self.sink_seconds

    @property
    def copy_articles_per_second(self) -> float:
        return self.events / self.copy_seconds

    @property
    def ratio(self) -> float:
        """Sink speed over plain COPY speed (target >= 0.5)."""
        return self.copy_seconds / self.sink_seconds

    @property
    def over_nlp(self) -> float | None:
        """How many times the NLP's articles/s the sink writes (target >= 50)."""
        if not self.nlp_articles_per_second:
            return None
        return self.sink_articles_per_second / self.nlp_articles_per_second

    def report(self) -> str:
        lines = [
            f"(K) sink vs plain COPY, {self.events} articles ({self.rows} rows), transactions of {self.batch}, "
            f"best of {self.repeat} alternating runs:",
            f"    sink (parse + rows + SinkStore.write): {self.sink_seconds:7.2f} s  "
            f"{self.sink_articles_per_second:9.0f} articles/s",
            f"    plain COPY of the same rows:            {self.copy_seconds:7.2f} s  "
            f"{self.copy_articles_per_second:9.0f} articles/s",
            f"    ratio sink / COPY: {self.ratio:.2f} (target >= 0.5)",
        ]
        if self.over_nlp is not None and self.nlp_articles_per_second is not None:
            lines.append(
                f"    NLP (enriching the seeds, this run): {self.nlp_articles_per_second:.1f} articles/s; "
                f"sink = {self.over_nlp:.0f}x the NLP (target >= 50x)"
            )
        return "\n".join(lines)


def sink_rate(url: str, payloads: Sequence[bytes], batch: int) -> float:
    """Seconds for the sink's path to write ``payloads`` (JSON events) into ``url``."""
    store = SinkStore(url, "bench")
    store.connection()  # connecting is not the sink's steady state
    expected: int | None = None
    began = time.perf_counter()
    for start in range(0, len(payloads), batch):
        chunk = payloads[start : start + batch]
        rows = [article_rows(parse_event(p), Position(_TOPIC, 0, start + i)) for i, p in enumerate(chunk)]
        end = start + len(chunk)
        store.write(Batch(rows, (), [OffsetRange(_TOPIC, 0, expected, end)]))
        expected = end
    seconds = time.perf_counter() - began
    store.close()
    return seconds


def copy_rate(url: str, rows: Sequence[ArticleRows]) -> float:
    """Seconds for one plain ``COPY`` per table of ``rows`` into ``url``, one transaction."""
    entities: dict[str, EntityRow] = {}
    for r in rows:
        for e in r.entities:
            entities[e.entity_key] = e
    with psycopg.connect(url) as conn:
        began = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur:
            copy_rows(cur, "entities", EntityRow, list(entities.values()))
            copy_rows(cur, "articles", ArticleRow, [r.article for r in rows])
            copy_rows(cur, "article_entities", ArticleEntityRow, [x for r in rows for x in r.article_entities])
            copy_rows(cur, "mentions", MentionRow, [m for r in rows for m in r.mentions])
            copy_rows(cur, "claims", ClaimRow, [c for r in rows for c in r.claims])
        return time.perf_counter() - began


def measure(
    cluster: LocalCluster,
    events: Sequence[dict[str, Any]],
    n: int,
    batch: int,
    nlp_rate: float | None = None,
    *,
    repeat: int = 3,
) -> SinkBench:
    """Write ``n`` renumbered copies of ``events`` both ways, each into a fresh database,
    ``repeat`` times in alternation; the best time of each way counts (the machine is
    shared: the best run is the one least disturbed)."""
    stream = list(sample_stream(events, n, prefix="bench"))
    payloads = [orjson.dumps(e) for e in stream]
    rows = [article_rows(e, Position(_TOPIC, 0, i)) for i, e in enumerate(stream)]
    count = sum(1 + len(r.mentions) + len(r.claims) + len(r.article_entities) for r in rows)
    seconds: dict[str, list[float]] = {"sink": [], "copy": []}
    for _ in range(repeat):
        for way in ("sink", "copy"):
            name = cluster.create_database()
            url = cluster.url(name)
            try:
                with psycopg.connect(url) as conn:
                    apply_migrations(conn)
                seconds[way].append(sink_rate(url, payloads, batch) if way == "sink" else copy_rate(url, rows))
            finally:
                cluster.drop_database(name)
    return SinkBench(n, batch, count, min(seconds["sink"]), min(seconds["copy"]), nlp_rate, repeat)


def seed_events(limit: int = 8) -> tuple[list[dict[str, Any]], float]:
    """Enriched events of up to ``limit`` seed articles, and the enrichment's articles/s."""
    from workers.inputs.corpus import SEED_DIR, seed_articles
    from workers.nlp.pipeline import load_pipeline
    from workers.pipeline.enrich import Enricher
    from workers.pipeline.events import encode
    from workers.settings import DEFAULT_MODEL

    articles = seed_articles([str(SEED_DIR)])[:limit]
    enricher = Enricher(load_pipeline(DEFAULT_MODEL))
    enricher(articles[0])  # warm up
    began = time.perf_counter()
    events = [orjson.loads(encode(enricher(a))) for a in articles]
    return events, len(articles) / (time.perf_counter() - began)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workers.benchmark.sink", description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=2000, help="articles written each way (default 2000)")
    parser.add_argument(
        "--batch", type=int, default=500, help="events per sink transaction (NEWSFLOW_SINK_BATCH_MAX_EVENTS; 500)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="alternating runs of each way; the best counts (3)")
    args = parser.parse_args(argv)
    events, nlp_rate = seed_events()
    with local_cluster() as cluster:
        print(measure(cluster, events, args.events, args.batch, nlp_rate, repeat=args.repeat).report())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
