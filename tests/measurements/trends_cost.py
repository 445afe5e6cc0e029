"""What the trend detector adds to the stories stage's per-article cost: a measurement.

Run by hand::

    python -m tests.measurements.trends_cost [ROUNDS]

It enriches the bench corpus once (100 seed articles), makes (T)'s stream of it (20
copies, one article every 5 minutes: ``workers/benchmark/stories.py``), then times (T)'s
loop over that stream on one core, without the trend detector and with it, alternately
``ROUNDS`` times (5) in one process, so that the load of the machine falls on both
alike. It prints articles per second of each pair and the median of with / without,
then the detector alone over the parsed articles (``observe`` only, the fastest of
three): microseconds per article. The figures are in docs/benchmark.md, (T).
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

import orjson
from threadpoolctl import threadpool_limits

from workers.benchmark.stories import _stream
from workers.inputs.corpus import SEED_DIR, build_corpus, seed_articles
from workers.nlp.pipeline import load_pipeline
from workers.pipeline.decode import decode_article
from workers.pipeline.enrich import Enricher
from workers.pipeline.events import encode
from workers.settings import Settings
from workers.stories.article import story_article
from workers.stories.assign import StoryAssigner
from workers.stories.events import link_events, story_event
from workers.stories.trends import TrendDetector


def _articles_per_second(stream: list[bytes], trends: bool) -> float:
    """(T)'s loop over ``stream``, with the trend detector or without; articles/s."""
    assigner, detector = StoryAssigner(), TrendDetector(version="measure")
    busy = 0.0
    with threadpool_limits(1):
        for value in stream:
            began = time.perf_counter()
            article = story_article(orjson.loads(value))
            assignment = assigner.assign(article)
            found = detector.observe(article, assignment.story.id) if trends else []
            encode(story_event(assignment, "measure"))
            for event in [*link_events(assignment, "measure"), *found]:
                encode(event)
            busy += time.perf_counter() - began
    return len(stream) / busy


def main(rounds: int = 5) -> None:
    settings = Settings()
    corpus = list(build_corpus(seed_articles([str(SEED_DIR)]), 100, prefix="bench"))
    enricher = Enricher(load_pipeline(settings.spacy_model))
    articles = [decode_article(a.value, max_body_bytes=settings.max_body_bytes) for a in corpus]
    events: list[dict[str, Any]] = [orjson.loads(encode(e)) for e in enricher.pipe(articles)]
    stream = list(_stream(events, 20))
    ratios = []
    for i in range(rounds):
        without = _articles_per_second(stream, trends=False)
        with_trends = _articles_per_second(stream, trends=True)
        ratios.append(with_trends / without)
        print(f"round {i + 1}: without trends {without:.0f} articles/s, with {with_trends:.0f} articles/s", flush=True)
    print(f"median with / without: {statistics.median(ratios):.3f} over {rounds} rounds of {len(stream)} articles")
    parsed = [story_article(orjson.loads(value)) for value in stream]
    alone = []
    for _ in range(3):
        detector = TrendDetector(version="measure")
        began = time.perf_counter()
        for article in parsed:
            detector.observe(article, "s")
        alone.append((time.perf_counter() - began) / len(parsed))
    names = sum(len(a.entities) for a in parsed) / len(parsed)
    print(f"the detector alone: {min(alone) * 1e6:.0f} us an article ({names:.1f} named entities each)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
