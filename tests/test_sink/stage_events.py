"""The story stage's events for the sink's tests, made by the stage's own code.

:func:`stage_stream` runs :class:`~workers.stories.assign.StoryAssigner` over a few
synthetic enriched articles and returns the ``stories`` and ``claim-links`` events it
sends, in order, with a ``trends`` event written by hand (schemas/trend.v1.json).
"""

from __future__ import annotations

from typing import Any

import orjson

from tests.test_stories.events import claim, enriched
from workers.pipeline.events import encode
from workers.sink.story_rows import StageSchema
from workers.stories.article import story_article
from workers.stories.assign import StoryAssigner
from workers.stories.events import link_events, story_event

__all__ = ["DAM", "StageEvent", "stage_stream", "trend_event"]

VERSION = "0.1.0+sinktest"
KARIBA = {"FAC:Kariba": 0.9, "ORG:Engineers": 0.2}
_A = "The ministry said the dam at Kariba had not cracked. Engineers said the dam at Kariba had cracked."
_B = "The operator said the dam at Kariba had cracked after the floods at Kariba."
_C = "Farmers in Tuli said the harvest at Tuli was the best in years."

StageEvent = tuple[StageSchema, dict[str, Any]]


def _articles() -> list[dict[str, Any]]:
    return [
        enriched(
            "dam-1",
            _A,
            at="2024-03-01T08:00:00Z",
            source="wire",
            entities=KARIBA,
            claims=[
                claim(_A, "c1", "The ministry", "the dam at Kariba had not cracked"),
                claim(_A, "c2", "Engineers", "the dam at Kariba had cracked"),
            ],
        ),
        enriched(
            "dam-2",
            _B,
            at="2024-03-01T10:00:00Z",
            source="herald",
            entities={"FAC:Kariba": 0.9},
            claims=[claim(_B, "c3", "The operator", "the dam at Kariba had cracked")],
        ),
        enriched("dam-3", _A, at="2024-03-01T11:00:00Z", source="post", entities=KARIBA, duplicate_of="dam-1"),
        enriched("farm-1", _C, at="2024-03-01T09:00:00Z", source="wire", entities={"GPE:Tuli": 0.9}),
    ]


#: The story of the dam: three articles from three sources, a contradiction and a corroboration.
DAM = "dam-1"


def stage_stream() -> list[StageEvent]:
    """What the stage sends for the four articles: each article's story event, then its links."""
    assigner = StoryAssigner()
    sent: list[StageEvent] = []
    for article in _articles():
        assignment = assigner.assign(story_article(article))
        sent.append(("story", orjson.loads(encode(story_event(assignment, VERSION)))))
        sent += [("claim-link", orjson.loads(encode(e))) for e in link_events(assignment, VERSION)]
    return sent


def trend_event(count: int = 3, window_end: str = "2024-03-01T12:00:00Z", stories: list[str] | None = None) -> Any:
    """A ``trends`` value: Kariba named in ``count`` articles of the window ending at ``window_end``."""
    return {
        "schema": {"name": "trend", "version": 1},
        "trend_id": "fac:kariba@2024-03-01T00:00:00Z",
        "entity_id": "fac:kariba",
        "name": "Kariba",
        "label": "FAC",
        "window_start": "2024-03-01T00:00:00Z",
        "window_end": window_end,
        "count": count,
        "baseline": 0.5,
        "score": 4.2,
        "statistic": "poisson_z",
        "stories": stories or [],
        "version": VERSION,
    }
