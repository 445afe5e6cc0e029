"""The trend detector: bursts of an entity over its own baseline, once per window."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from tests.checks import assert_valid_event
from tests.test_stories.events import enriched
from workers.exceptions import ConfigError
from workers.pipeline.events import encode
from workers.stories.article import StoryArticle, story_article
from workers.stories.events import TrendEvent, trend_id
from workers.stories.exceptions import TrendStateError
from workers.stories.trends import STATISTIC, TrendDetector, TrendParams

START = datetime(2024, 3, 1, tzinfo=UTC)
PERU = "gpe:peru"


def _article(
    article_id: str, hour: float, *entities: str, duplicate_of: str | None = None, source: str = "wire"
) -> StoryArticle:
    """An article at ``hour`` hours after START naming ``entities`` ("label:name" ids)."""
    return StoryArticle(
        id=article_id,
        source=source,
        at=START + timedelta(hours=hour),
        title=None,
        entities={e: 0.5 for e in entities},
        names={e: e.split(":", 1)[1].title() for e in entities},
        text="",
        claims=(),
        duplicate_of=duplicate_of,
    )


def _flat_then(hours: int, surge: int, entity: str = PERU, per_hour: int = 1) -> Iterator[StoryArticle]:
    """``per_hour`` articles naming ``entity`` every hour for ``hours`` hours, then
    ``surge`` of them in the next hour."""
    for h in range(hours):
        for k in range(per_hour):
            yield _article(f"b{h}-{k}", h + k / (per_hour + 1), entity)
    for k in range(surge):
        yield _article(f"s{k}", hours + k / (surge + 1), entity)


def _run(detector: TrendDetector, articles: Iterator[StoryArticle] | list[StoryArticle]) -> list[TrendEvent]:
    return [e for a in articles for e in detector.observe(a, f"story-of-{a.id}")]


def test_a_surge_over_a_flat_baseline_fires_once_in_its_window() -> None:
    detector = TrendDetector()
    events = []
    for i, article in enumerate(_flat_then(30, surge=9)):
        for event in detector.observe(article, "s-quake"):
            events.append((i, event))
    ((index, event),) = events
    assert index == 30 + 4  # the fifth article of the surge window crosses
    assert (event.entity_id, event.name, event.label) == (PERU, "Peru", "GPE")
    assert (event.count, event.baseline, event.score) == (5, 1.0, 4.0)  # (5 - 1) / sqrt(1)
    assert (event.window_start, event.window_end) == ("2024-03-02T06:00:00Z", "2024-03-02T07:00:00Z")
    assert event.statistic == STATISTIC and event.stories == ["s-quake"]
    assert event.trend_id == trend_id(PERU, START + timedelta(hours=30))


def test_two_surging_windows_fire_once_each_with_their_own_ids() -> None:
    detector = TrendDetector()
    stream = [*_flat_then(30, surge=8), *(_article(f"t{k}", 31 + k / 10, PERU) for k in range(8))]
    events = _run(detector, stream)
    assert [e.window_start for e in events] == ["2024-03-02T06:00:00Z", "2024-03-02T07:00:00Z"]
    assert len({e.trend_id for e in events}) == 2
    # the first surge is in the second's baseline: (23 x 1 + 8) / 24
    assert events[1].baseline == round(31 / 24, 4)
    assert events[1].score == round((5 - 31 / 24) / math.sqrt(31 / 24), 4)


def test_a_steady_high_volume_entity_never_fires() -> None:
    detector = TrendDetector()
    stream = []
    for h in range(96):  # 16 to 24 articles an hour, every hour, for four days
        n = 16 + (h * 7) % 9
        stream += [_article(f"a{h}-{k}", h + k / 30, "gpe:united-states") for k in range(n)]
    assert _run(detector, stream) == []
    # and the same entity surging from that level does fire
    surge = [_article(f"x{k}", 96 + k / 60, "gpe:united-states") for k in range(45)]
    (event,) = _run(detector, surge)
    assert event.count >= 34 and event.score >= 3.0


def test_copies_flagged_by_the_duplicate_index_do_not_count() -> None:
    def stream(flag: bool) -> list[StoryArticle]:
        copies = [_article(f"c{k}", 30.5, PERU, duplicate_of="orig" if flag else None) for k in range(20)]
        return [*_flat_then(30, surge=1), *copies]

    assert _run(TrendDetector(), stream(flag=True)) == []
    assert len(_run(TrendDetector(), stream(flag=False))) == 1  # unflagged, they would


def test_only_named_entities_make_trends_never_dates_or_numbers() -> None:
    detector = TrendDetector()
    ents = {"GPE:Peru": 0.9, "DATE:Tuesday": 0.5, "CARDINAL:200": 0.3}
    for h in range(30):  # an article an hour naming nothing: the stream covers the baseline
        at = f"{START + timedelta(hours=h):%FT%TZ}"
        detector.observe(story_article(enriched(f"b{h}", "Tuesday 200", at=at)), "s")
    events = []
    for k in range(8):
        at = f"{START + timedelta(hours=30, minutes=k):%FT%TZ}"
        events += detector.observe(story_article(enriched(f"s{k}", "Peru Tuesday 200", at=at, entities=ents)), "s")
    assert [e.entity_id for e in events] == [PERU]


def test_nothing_fires_before_the_stream_covers_the_baseline() -> None:
    detector = TrendDetector(TrendParams(baseline_windows=24))
    assert _run(detector, [_article(f"a{k}", 0.1, PERU) for k in range(20)]) == []
    assert _run(detector, [_article(f"b{k}", 23.1, PERU) for k in range(20)]) == []
    # the 25th window has 24 before it, all in the stream
    assert len(_run(detector, [_article(f"c{k}", 24.1, "org:fifa") for k in range(20)])) == 1


def test_a_late_article_counts_in_its_own_window_but_emits_nothing() -> None:
    detector = TrendDetector()
    _run(detector, _flat_then(30, surge=0))
    late = [_article(f"late{k}", 20.5, PERU) for k in range(20)]  # hours behind stream time
    assert _run(detector, late) == []
    # they raised the baseline of window 30 to (24 + 20) / 24, so five articles no longer
    # cross: (5 - 1.83) / sqrt(1.83) = 2.3 (with the baseline 1, they would: 4.0)
    assert _run(detector, [_article(f"s{k}", 30.1, PERU) for k in range(5)]) == []


def test_an_article_older_than_every_window_kept_is_not_counted() -> None:
    detector = TrendDetector()
    _run(detector, _flat_then(30, surge=0))
    size = detector.state_size()
    assert _run(detector, [_article("old", 1.0, "org:old-news")]) == []
    assert detector.state_size() == size


def test_the_stories_behind_a_trend_come_most_articles_first_and_bounded() -> None:
    detector = TrendDetector(TrendParams(min_count=6, stories_listed=2, stories_tracked=3))
    _run(detector, _flat_then(30, surge=0))
    surge = ["s-small", "s-big", "s-big", "s-mid", "s-mid", "s-big"]
    events = [e for k, story in enumerate(surge) for e in detector.observe(_article(f"x{k}", 30.1, PERU), story)]
    (event,) = events
    assert event.count == 6 and event.stories == ["s-big", "s-mid"]


def test_stories_past_the_tracked_number_are_not_listed() -> None:
    detector = TrendDetector(TrendParams(min_count=5, stories_listed=2, stories_tracked=2))
    _run(detector, _flat_then(30, surge=0))
    surge = ["s-1", "s-2", "s-3", "s-3", "s-3"]
    (event,) = [e for k, story in enumerate(surge) for e in detector.observe(_article(f"x{k}", 30.1, PERU), story)]
    assert event.stories == ["s-1", "s-2"]


def test_state_stays_bounded_over_a_long_stream() -> None:
    params = TrendParams(baseline_windows=12, stories_tracked=4, stories_listed=2)
    detector = TrendDetector(params)
    sizes = []
    for h in range(2000):  # each hour a new town, a new story, and the country every hour
        for k in range(3):
            detector.observe(_article(f"a{h}-{k}", h + k / 4, PERU, f"gpe:town-{h}"), f"s{h}-{k}")
        sizes.append(detector.state_size())
    last = sizes[-1]
    assert last["trend_entities"] == 12 + 1 + 1  # the towns of the windows kept, and the country
    assert last["trend_counts"] <= (12 + 1) * last["trend_entities"]
    assert last["trend_stories"] <= 4 * last["trend_entities"]
    assert sizes[100] == last  # flat long before the end


def test_entities_past_the_cap_drop_the_least_recently_named() -> None:
    detector = TrendDetector(TrendParams(max_entities=10))
    for k in range(50):
        detector.observe(_article(f"a{k}", 0.5, f"org:firm-{k}"), "s")
    assert detector.state_size()["trend_entities"] == 10
    kept = [row[0] for row in detector.to_state()["entities"]]
    assert kept == [f"org:firm-{k}" for k in range(40, 50)]


def _mixed_stream() -> list[StoryArticle]:
    """Flat baselines, two surges, copies, late articles and several entities."""
    stream = list(_flat_then(30, surge=7))
    stream += [_article(f"d{k}", 30.6, PERU, duplicate_of="s0") for k in range(5)]
    stream += [_article(f"m{k}", 30.7 + k / 100, "org:fifa", "person:ana-lopez") for k in range(6)]
    stream += [_article(f"l{k}", 29.2, PERU) for k in range(3)]
    stream += [_article(f"n{k}", 31 + k / 20, "org:fifa", PERU) for k in range(9)]
    stream += [_article(f"q{k}", 40 + k, "org:fifa") for k in range(30)]
    return stream


def test_the_same_stream_gives_the_same_trends() -> None:
    first = [encode(e) for e in _run(TrendDetector(), _mixed_stream())]
    again = [encode(e) for e in _run(TrendDetector(), _mixed_stream())]
    assert first == again and len(first) >= 3


@pytest.mark.parametrize("cut", [0, 1, 25, 36, 40, 47, 60, 80])
def test_a_detector_restored_from_its_state_goes_on_as_if_never_stopped(cut: int) -> None:
    stream = _mixed_stream()
    uninterrupted = TrendDetector()
    whole = [encode(e) for e in _run(uninterrupted, stream)]
    before = TrendDetector()
    head = [encode(e) for e in _run(before, stream[:cut])]
    state = orjson.loads(orjson.dumps(before.to_state()))  # as a checkpoint stores it
    after = TrendDetector.from_state(state)
    tail = [encode(e) for e in _run(after, stream[cut:])]
    assert head + tail == whole
    assert orjson.dumps(after.to_state()) == orjson.dumps(uninterrupted.to_state())


def test_trend_events_validate_against_their_schema() -> None:
    events = _run(TrendDetector(version="0.1.0+test"), _mixed_stream())
    assert events
    for event in events:
        value = orjson.loads(encode(event))
        assert_valid_event(value)
        assert value["version"] == "0.1.0+test" and value["schema"] == {"name": "trend", "version": 1}


def test_a_trend_id_is_the_entity_and_the_window_start_only() -> None:
    at = START + timedelta(hours=3)
    assert trend_id(PERU, at) == trend_id(PERU, at)
    assert trend_id(PERU, at) != trend_id(PERU, at + timedelta(hours=1)) != trend_id("org:fifa", at)


@pytest.mark.parametrize(
    "state",
    [
        {"format": 99},
        {"format": 1, "params": {"window": 3600}},
        {"format": 1, "params": {"window": 3600, "bogus": 1}, "first": None, "now": None, "entities": []},
        {**TrendDetector().to_state(), "entities": [["gpe:peru", "Peru"]]},
        [],
    ],
)
def test_a_state_this_code_did_not_write_is_refused_with_E312(state: object) -> None:
    with pytest.raises(TrendStateError, match=r"^\[E312\]"):
        TrendDetector.from_state(state)  # type: ignore[arg-type]


def test_a_state_made_with_another_window_is_refused_with_E313() -> None:
    detector = TrendDetector()
    _run(detector, _flat_then(3, surge=0))
    state = detector.to_state()
    with pytest.raises(TrendStateError, match=r"^\[E313\]"):
        TrendDetector.from_state(state, TrendParams(window=timedelta(minutes=30)))
    # other parameters may change on a restart
    assert TrendDetector.from_state(state, TrendParams(threshold=4.0)).params.threshold == 4.0


@pytest.mark.parametrize(
    "changes",
    [
        {"window": timedelta(0)},
        {"baseline_windows": 0},
        {"min_count": 0},
        {"threshold": math.nan},
        {"variance_floor": 0.0},
        {"max_entities": 0},
        {"stories_listed": 5, "stories_tracked": 4},
    ],
)
def test_parameters_out_of_range_are_refused_with_E311(changes: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match=r"^\[E311\] trend parameters: "):
        TrendParams(**changes)  # type: ignore[arg-type]
