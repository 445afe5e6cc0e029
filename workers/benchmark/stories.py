"""(T) The stories stage's core on one core: articles per second and its state over time.

The corpus is enriched once (not timed: (2) times enrichment), then streamed through
what the stage does per record, timed: parse the ``articles.enriched`` bytes, read the
article (``story_article``), assign it (``StoryAssigner``), count it for trends
(``TrendDetector``) and encode its ``stories``, ``claim-links`` and ``trends`` events.
The stream is the corpus ``repeat`` times over, each copy a new article id, one article
every ``spacing`` of article time, so it runs through many idle windows; the assigner's
state (open stories, words, entities, claims, index entries), the trend detector's
(entities, window counts, stories) and the process's RSS are sampled as it goes, to
show them flat.

Nothing is asserted: the figures go into the report, next to (2)'s.
"""

from __future__ import annotations

import resource
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from threadpoolctl import threadpool_limits

from workers.benchmark.scenarios import Result, words_of
from workers.inputs.files import InputArticle
from workers.nlp.pipeline import load_pipeline
from workers.pipeline.decode import decode_article
from workers.pipeline.enrich import Enricher
from workers.pipeline.events import encode
from workers.settings import Settings
from workers.stories.article import story_article
from workers.stories.assign import StoryAssigner
from workers.stories.events import link_events, story_event
from workers.stories.trends import TrendDetector, TrendParams
from workers.stories.version import stage_version

__all__ = ["stories_stage"]

#: Article time between two articles of the stream.
SPACING = timedelta(minutes=5)
#: State samples over the stream.
SAMPLES = 10


def stories_stage(model: str, corpus: list[InputArticle], settings: Settings, repeat: int = 20) -> Result:
    """(T) see the module docstring; ``repeat`` copies of the corpus make the stream."""
    enricher = Enricher(load_pipeline(model))
    articles = [decode_article(a.value, max_body_bytes=settings.max_body_bytes) for a in corpus]
    events = [orjson.loads(encode(e)) for e in enricher.pipe(articles, batch_size=settings.batch_max_articles)]
    stream = list(_stream(events, repeat))
    assigner = StoryAssigner()
    trend_params = TrendParams()
    version = stage_version(assigner.params, trend_params)
    detector = TrendDetector(trend_params, version=version)
    every = max(1, len(stream) // SAMPLES)
    samples: list[dict[str, Any]] = []
    busy = 0.0
    links = 0
    trends = 0
    opened: set[str] = set()
    with threadpool_limits(1):
        for i, value in enumerate(stream, start=1):
            began = time.perf_counter()
            article = story_article(orjson.loads(value))
            assignment = assigner.assign(article)
            found = detector.observe(article, assignment.story.id)
            encode(story_event(assignment, version))
            for event in [*link_events(assignment, version), *found]:
                encode(event)
            busy += time.perf_counter() - began
            trends += len(found)
            links += len(assignment.links)
            opened.add(assignment.story.id)
            if i % every == 0:
                samples.append(
                    {
                        "articles": i,
                        "open_stories": len(assigner.stories),
                        "rss_mb": _rss_mb(),
                        **assigner.state_size(),
                        **detector.state_size(),
                    }
                )
    return Result(
        "stories stage core, one core",
        len(stream),
        words_of(corpus) * repeat,
        busy,
        {
            "stories": len(opened),
            "links": links,
            "trends": trends,
            "idle_hours": assigner.params.idle.total_seconds() / 3600,
            "state_first": samples[0] if samples else None,
            "state_last": samples[-1] if samples else None,
            "state_samples": samples,
        },
    )


def _stream(events: list[dict[str, Any]], repeat: int) -> Any:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    n = 0
    for round_ in range(repeat):
        for event in events:
            at = (start + n * SPACING).isoformat().replace("+00:00", "Z")
            copy = {**event, "id": f"{event['id']}-r{round_}", "published_at": at, "duplicate_of": None}
            yield orjson.dumps(copy)
            n += 1


def _rss_mb() -> float:
    """The resident memory of this process now, MB (Linux: /proc/self/statm, in pages)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return round(pages * resource.getpagesize() / 2**20, 1)
