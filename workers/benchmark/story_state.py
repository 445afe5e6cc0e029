"""(WS) The stories stage's state: what a member taking over restores, with the idle
window that closes stories against no window.

The stage's state is its checkpoint (the assigner, as :func:`~workers.stories.snapshot.snapshot`
writes it to the changelog; the journal replayed after it is bounded by the checkpoint
interval, not by history). Each run streams ``entries`` synthetic articles through a
:class:`~workers.stories.assign.StoryAssigner`, one a minute of article time, each about
an event of its own (three entities and sixty words drawn from pools that grow with the
stream, so few articles share a story): with the window set to a tenth of the stream's
span, the open stories at the end are the last tenth; with no window (a century), every
story stays open. Then the state is snapshotted, and restored as a new member would,
timed; its size is the checkpoint's bytes.

Pure: no broker, no model. Nothing is asserted: the figures go into the report.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from workers.benchmark.scenarios import Result
from workers.stories.article import StoryArticle
from workers.stories.assign import StoryAssigner, StoryParams
from workers.stories.snapshot import restore, snapshot

__all__ = ["SPAN_WINDOWS", "story_state_runs", "synthetic_articles"]

#: The stream's article times span this many windows: a window keeps a tenth of it.
SPAN_WINDOWS = 10
#: Article time between two articles.
SPACING = timedelta(minutes=1)
START = datetime(2025, 1, 1, tzinfo=UTC)
#: Without a window: longer than any stream.
NO_WINDOW = timedelta(days=36_500)


def synthetic_articles(entries: int, *, seed: int = 7) -> list[StoryArticle]:
    """``entries`` articles, one a minute, each naming three entities and sixty words
    drawn from pools of ``entries`` entities and 20 x ``entries`` words."""
    rng = random.Random(seed)
    words = max(20_000, 20 * entries)
    articles = []
    for i in range(entries):
        entities = {f"Q{rng.randrange(entries)}": round(rng.uniform(0.2, 1.0), 3) for _ in range(3)}
        text = " ".join(f"w{rng.randrange(words)}" for _ in range(60))
        articles.append(
            StoryArticle(
                id=f"synthetic-{i}",
                source=f"source-{i % 40}",
                at=START + i * SPACING,
                title=None,
                entities=entities,
                names={e: e for e in entities},
                text=text,
                claims=(),
                duplicate_of=None,
            )
        )
    return articles


def story_state_runs(entries: int, *, version: str = "bench") -> tuple[Result, Result]:
    """(WS<entries>) with a window of a tenth of the stream and (WS<entries>n) with none.

    Each result's seconds are the restore's; ``extra`` has the checkpoint's bytes, the
    open stories and the assigner's lookups, and the seconds the stream and the snapshot took.
    """
    articles = synthetic_articles(entries)
    span = entries * SPACING
    results = []
    for idle in (span / SPAN_WINDOWS, NO_WINDOW):
        params = StoryParams(idle=idle)
        assigner = StoryAssigner(params)
        began = time.perf_counter()
        for article in articles:
            assigner.assign(article)
        streamed = time.perf_counter() - began
        began = time.perf_counter()
        data = snapshot(assigner, version)
        snapshotted = time.perf_counter() - began
        began = time.perf_counter()
        restored, _ = restore(data, params, version)
        restore_seconds = time.perf_counter() - began
        assert len(restored.stories) == len(assigner.stories)
        windowed = idle is not NO_WINDOW
        name = f"story state, {entries:,} articles, " + ("window a tenth of the stream" if windowed else "no window")
        results.append(
            Result(
                name,
                entries,
                0,
                restore_seconds,
                {
                    "checkpoint_bytes": len(data),
                    "checkpoint_mb": round(len(data) / 2**20, 2),
                    "stream_seconds": round(streamed, 2),
                    "snapshot_seconds": round(snapshotted, 3),
                    "idle_hours": round(idle.total_seconds() / 3600, 1),
                    **assigner.state_size(),
                },
            )
        )
    return results[0], results[1]
