"""Trends: an entity named in far more articles in the last window than its own baseline.

Time is cut into fixed windows of ``window`` (one hour) by article time, from the Unix
epoch, and stream time is the newest article time seen (as for the stories). For each
named entity (the labels of :data:`~workers.stories.article.NAMED_LABELS`: never a date
or a number) the detector counts the articles naming it in each window, the current one
and the ``baseline_windows`` (24) before it. When an article brings the current
window's count ``c`` of an entity to at least ``min_count`` (5), the burst statistic is

    baseline = (the entity's counts in the previous baseline_windows windows) / baseline_windows
    score    = (c - baseline) / sqrt(max(baseline, variance_floor))

a Poisson z-score: the counts are taken as Poisson with the baseline as mean, so their
variance is the baseline too, floored at ``variance_floor`` (1) so that an entity never
named before needs ``min_count`` articles and a score of ``threshold`` (3) rather than
one article. A trend is emitted when ``score`` reaches ``threshold``, once per entity and
window: the first article that crosses emits it, later ones in the same window do not
(the event's count is the count at that moment). Its id is the entity's and the
window's, so a replay emits the same event again and a consumer keeps one.

What counts: articles, not sources (the schema's "articles naming the entity in the
window"); an article counts once per entity however often it names it; a copy the
duplicate index flagged (``duplicate_of``) does not count at all, so a wire story
copied twenty times is one article, not a burst of twenty. An article older than the
current window counts in its own window (if that is among those kept) and so in later
baselines, but emits nothing: a trend is news of the current window. No trend fires
before the stream has covered ``baseline_windows`` windows since its first article:
before that there is no baseline to be far above.

The stories behind a trend are those of the articles that named the entity in the
window, most articles first (ties: the first seen first), at most ``stories_listed``
(10), among the first ``stories_tracked`` (64) stories that named it in the window.

State is bounded: per entity at most ``baseline_windows + 1`` counts and
``stories_tracked`` stories; an entity not named for ``baseline_windows`` windows is
dropped (its counts would all be zero: dropping it changes no output), and at most
``max_entities`` are kept, the one named least recently dropped first (that one does
lose its history). :meth:`TrendDetector.to_state` is the state as plain data for a
checkpoint; :meth:`TrendDetector.from_state` restores it, and the restored detector's
outputs are those of one never interrupted.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from workers.exceptions import ConfigError
from workers.stories.article import StoryArticle
from workers.stories.events import TrendEvent, trend_event
from workers.stories.exceptions import TrendStateError
from workers.stories.version import stage_version

__all__ = ["STATISTIC", "TrendDetector", "TrendParams"]

#: The name of the statistic in the events' ``statistic`` (the formula above).
STATISTIC: Final = "poisson-z"
#: The layout of :meth:`TrendDetector.to_state`; a state of another is refused.
STATE_FORMAT: Final = 1
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class TrendParams:
    """The windows, the statistic's threshold and the bounds of the trend detector.

    Raises:
        ConfigError: [E311] a value out of its range.
    """

    #: Length of a window, by article time.
    window: timedelta = timedelta(hours=1)
    #: Windows before the current one whose mean count is the baseline.
    baseline_windows: int = 24
    #: Least articles naming the entity in the window to emit.
    min_count: int = 5
    #: Least score to emit.
    threshold: float = 3.0
    #: Least variance the score divides by (its square root).
    variance_floor: float = 1.0
    #: Entities tracked at most (the least recently named dropped first).
    max_entities: int = 100_000
    #: Stories listed in a trend, and stories counted per entity and window.
    stories_listed: int = 10
    stories_tracked: int = 64

    def __post_init__(self) -> None:
        problems = [
            f"window must be at least one second, got {self.window}" if self.window < timedelta(seconds=1) else "",
            f"baseline_windows must be at least 1, got {self.baseline_windows}" if self.baseline_windows < 1 else "",
            f"min_count must be at least 1, got {self.min_count}" if self.min_count < 1 else "",
            f"threshold must be a finite number, got {self.threshold}" if not math.isfinite(self.threshold) else "",
            f"variance_floor must be above 0, got {self.variance_floor}" if not self.variance_floor > 0 else "",
            f"max_entities must be at least 1, got {self.max_entities}" if self.max_entities < 1 else "",
            f"stories_listed must be at least 1, got {self.stories_listed}" if self.stories_listed < 1 else "",
            f"stories_tracked must be at least stories_listed ({self.stories_listed}), got {self.stories_tracked}"
            if self.stories_tracked < self.stories_listed
            else "",
        ]
        problems = [p for p in problems if p]
        if problems:
            raise ConfigError(f"[E311] trend parameters: {'; '.join(problems)}")


@dataclass(slots=True)
class _Entity:
    """What the detector holds of one entity."""

    name: str
    label: str
    #: Window index -> articles naming it, for the current window and those before it.
    counts: dict[int, int] = field(default_factory=dict)
    #: The newest window it was named in.
    last: int = 0
    #: The window it last emitted in.
    fired: int | None = None
    #: Story id -> articles naming it in window ``stories_window`` (insertion order:
    #: first seen); emptied when it is named in a newer current window.
    stories: dict[str, int] = field(default_factory=dict)
    stories_window: int | None = None


class TrendDetector:
    """Finds bursts of named entities in a stream of articles; see the module docstring.

    Args:
        params: windows, threshold and bounds.
        version: the story stage's version the events carry (the stage passes its own);
            by default the version of the stage with these parameters.
    """

    def __init__(self, params: TrendParams | None = None, *, version: str | None = None) -> None:
        self.params = params or TrendParams()
        self.version = version or stage_version(self.params)
        self._entities: OrderedDict[str, _Entity] = OrderedDict()
        #: The first window of the stream, and the current one (stream time's).
        self._first: int | None = None
        self._now: int | None = None

    def observe(self, article: StoryArticle, story_id: str) -> list[TrendEvent]:
        """Count ``article`` (which joined ``story_id``); the trends it makes cross."""
        window = (article.at - _EPOCH) // self.params.window
        if self._now is None:
            self._first = self._now = window
        elif window > self._now:
            self._advance(window)
        assert self._now is not None and self._first is not None
        oldest = self._now - self.params.baseline_windows
        if article.duplicate_of is not None or window < oldest:
            return []
        events = []
        for entity_id in sorted(article.entities):
            entity = self._touch(entity_id, article, oldest)
            entity.counts[window] = entity.counts.get(window, 0) + 1
            entity.last = max(entity.last, window)
            if len(entity.counts) > self.params.baseline_windows + 1:
                entity.counts = {w: n for w, n in entity.counts.items() if w >= oldest}
            if window != self._now:
                continue
            if entity.stories_window != window:
                entity.stories, entity.stories_window = {}, window
            if story_id in entity.stories or len(entity.stories) < self.params.stories_tracked:
                entity.stories[story_id] = entity.stories.get(story_id, 0) + 1
            event = self._burst(entity_id, entity, window)
            if event is not None:
                events.append(event)
        return events

    def state_size(self) -> dict[str, int]:
        """How much the detector holds: entities, their window counts and their stories."""
        return {
            "trend_entities": len(self._entities),
            "trend_counts": sum(len(e.counts) for e in self._entities.values()),
            "trend_stories": sum(len(e.stories) for e in self._entities.values()),
        }

    def to_state(self) -> dict[str, Any]:
        """The whole state as plain data (lists, numbers, strings) for a checkpoint."""
        params = asdict(self.params)
        params["window"] = self.params.window.total_seconds()
        return {
            "format": STATE_FORMAT,
            "params": params,
            "first": self._first,
            "now": self._now,
            "entities": [
                [
                    key,
                    e.name,
                    e.label,
                    sorted(e.counts.items()),
                    e.last,
                    e.fired,
                    list(e.stories.items()),
                    e.stories_window,
                ]
                for key, e in self._entities.items()
            ],
        }

    @classmethod
    def from_state(
        cls, state: dict[str, Any], params: TrendParams | None = None, *, version: str | None = None
    ) -> TrendDetector:
        """A detector that goes on from ``state`` (made by :meth:`to_state`), with
        ``params`` (by default those the state was made with).

        Raises:
            TrendStateError: [E312] the state is not one this code wrote; [E313] it was
                made with another window length.
        """
        try:
            if state.get("format") != STATE_FORMAT:
                raise ValueError(f"format {state.get('format')!r}, expected {STATE_FORMAT}")
            saved = dict(state["params"])
            saved["window"] = timedelta(seconds=saved["window"])
            saved_params = TrendParams(**saved)
            entities = OrderedDict(
                (
                    str(key),
                    _Entity(
                        str(name),
                        str(label),
                        {int(w): int(n) for w, n in counts},
                        int(last),
                        None if fired is None else int(fired),
                        {str(s): int(n) for s, n in stories},
                        None if stories_window is None else int(stories_window),
                    ),
                )
                for key, name, label, counts, last, fired, stories, stories_window in state["entities"]
            )
            first, now = state["first"], state["now"]
            if (first is None) != (now is None):
                raise ValueError("one of first and now is missing")
        except (AttributeError, KeyError, TypeError, ValueError, ConfigError) as exc:
            raise TrendStateError(f"[E312] not a trend detector state this code can restore: {exc}") from exc
        params = params or saved_params
        if params.window != saved_params.window:
            raise TrendStateError(
                f"[E313] the trend state was made with windows of {saved_params.window}, not {params.window}: "
                "its counts would land in the wrong windows; start the detector afresh"
            )
        detector = cls(params, version=version)
        detector._entities = entities
        detector._first = None if first is None else int(first)
        detector._now = None if now is None else int(now)
        return detector

    def _touch(self, entity_id: str, article: StoryArticle, oldest: int) -> _Entity:
        """The entity's record, as the most recently named: made if new, or made afresh
        if it was named in none of the windows kept (as if it had been dropped)."""
        entity = self._entities.get(entity_id)
        if entity is not None and entity.last >= oldest:
            self._entities.move_to_end(entity_id)
            return entity
        self._entities.pop(entity_id, None)
        # workers.ids.entity_id writes the label, lower case, before the colon.
        entity = _Entity(article.names.get(entity_id, entity_id), entity_id.split(":", 1)[0].upper())
        self._entities[entity_id] = entity
        if len(self._entities) > self.params.max_entities:
            self._entities.popitem(last=False)
        return entity

    def _burst(self, entity_id: str, entity: _Entity, window: int) -> TrendEvent | None:
        """The trend of ``entity`` in the current ``window``, if it crosses now."""
        p = self.params
        count = entity.counts[window]
        assert self._first is not None
        if entity.fired == window or count < p.min_count or window - self._first < p.baseline_windows:
            return None
        baseline = sum(entity.counts.get(w, 0) for w in range(window - p.baseline_windows, window)) / p.baseline_windows
        score = (count - baseline) / math.sqrt(max(baseline, p.variance_floor))
        if score < p.threshold:
            return None
        entity.fired = window
        ranked = sorted(entity.stories.items(), key=lambda kv: -kv[1])[: p.stories_listed]
        start = _EPOCH + window * p.window
        return trend_event(
            entity_id=entity_id,
            name=entity.name,
            label=entity.label,
            window=(start, start + p.window),
            count=count,
            baseline=baseline,
            score=score,
            statistic=STATISTIC,
            stories=[story for story, _ in ranked],
            version=self.version,
        )

    def _advance(self, window: int) -> None:
        """Move the current window to ``window`` and drop, from the least recently named
        on, the entities named in none of the windows kept. An entity a late article
        named stays behind a newer one until that one goes too; :meth:`_touch` then
        takes it for new, so keeping it changes no output either."""
        self._now = window
        oldest = window - self.params.baseline_windows
        while self._entities:
            key, entity = next(iter(self._entities.items()))
            if entity.last >= oldest:
                break
            del self._entities[key]
