"""Measure the explorer's queries with copies and stories: 5,000 articles (1,000 of them
copies the duplicate index flagged) and the wire story of tests/integration/story_store.py,
on a throwaway PostgreSQL cluster. Not a test (pytest does not collect it); prints the
median of 7 reads of each page's query, measured in one run::

    .venv/bin/python -m tests.test_web.measure_copies
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import psycopg

from tests.integration.story_store import write_events, write_wire_story
from tests.test_web.factories import hama_event
from workers.sink.local_cluster import local_cluster
from workers.sink.schema import apply_migrations
from workers.web.postgres import PostgresSource
from workers.web.source import NUMERIC_LABELS


def main() -> None:
    with local_cluster() as cluster:
        name = cluster.create_database()
        url = cluster.url(name)
        with psycopg.connect(url) as conn:
            apply_migrations(conn)
        write_wire_story(url)
        start = 22
        for chunk in range(10):
            events = []
            for i in range(500):
                n = chunk * 500 + i
                e = hama_event(f"bulk-{n}", source=f"S{n % 40}")
                if n % 5 == 4:
                    e = {**e, "duplicate_of": {"id": f"bulk-{n - 1}", "kind": "exact", "similarity": 1.0}}
                events.append(e)
            write_events(url, events, start=start)
            start += len(events)
        with psycopg.connect(url) as conn:
            conn.execute("ANALYZE")
        src = PostgresSource(cluster.url(name, reader=True))

        def ms(f: Callable[..., object], *a: object) -> float:
            t = []
            for _ in range(7):
                s = time.perf_counter()
                f(*a)
                t.append(time.perf_counter() - s)
            return statistics.median(t) * 1000

        print(f"front page (50 originals + their copies): {ms(src.latest_articles, None, 50):.1f} ms")
        print(f"search 'rebels': {ms(src.latest_articles, 'rebels', 50):.1f} ms")
        print(f"entity person:ahmed-karim (5,021 articles name it): {ms(src.entity, 'person:ahmed-karim'):.1f} ms")
        print(f"mentions per day: {ms(src.mentions_per_day, 'person:ahmed-karim'):.1f} ms")
        print(f"neighbours without dates: {ms(src.neighbours, 'person:ahmed-karim', 30, NUMERIC_LABELS):.1f} ms")
        print(f"claims by: {ms(src.claims_by, 'person:ahmed-karim', 100):.1f} ms")
        print(f"active stories: {ms(src.active_stories, 10):.1f} ms")
        print(f"story members: {ms(src.story_members, 'story-hama'):.1f} ms")
        with psycopg.connect(url) as conn:
            plan = conn.execute(
                "EXPLAIN SELECT duplicate_of, count(*) FROM articles WHERE duplicate_of = ANY(%s) GROUP BY 1",
                (["bulk-3", "bulk-8"],),
            ).fetchall()
            print("copies query plan:", " / ".join(r[0].strip() for r in plan))
        src.close()
        cluster.drop_database(name)


if __name__ == "__main__":
    main()
