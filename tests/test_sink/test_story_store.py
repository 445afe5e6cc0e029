"""Which event of a story-stage key wins, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.test_sink.stage_events import stage_stream
from workers.metrics import SINK_TABLES
from workers.positions import Position
from workers.sink.store import TABLES
from workers.sink.story_rows import stage_rows
from workers.sink.story_store import KINDS, decide
from workers.sink.tables import ClaimLinkRow, StoryArticleRow, StoryRow, TrendRow

T0 = datetime(2024, 3, 1, 8, tzinfo=UTC)
STORIES, TRENDS, MEMBERS, LINKS = KINDS["stories"], KINDS["trends"], KINDS["story_articles"], KINDS["claim_links"]


def story(size: int, last_seen: datetime = T0, version: str = "v1") -> StoryRow:
    return StoryRow("s-1", "Kariba", size, ["wire"], T0, last_seen, [], version)


def test_a_story_event_later_in_the_stream_replaces_the_stored_one() -> None:
    assert decide(STORIES.state(story(2)), STORIES.state(story(3))) == "replace"
    assert decide(STORIES.state(story(9)), STORIES.state(story(2, T0 + timedelta(hours=1)))) == "replace"


def test_a_replayed_older_story_event_is_stale_and_the_same_one_a_duplicate() -> None:
    assert decide(STORIES.state(story(3)), STORIES.state(story(2))) == "stale"
    assert decide(STORIES.state(story(3)), STORIES.state(story(3))) == "duplicate"


def test_another_stage_versions_story_event_replaces_even_when_smaller() -> None:
    assert decide(STORIES.state(story(9)), STORIES.state(story(1, version="v2"))) == "replace"


def member(story_id: str = "s-1", version: str = "v1", score: float = 0.4) -> StoryArticleRow:
    return StoryArticleRow("a-1", story_id, "entities_and_text", score, T0, "wire", version)


def test_an_article_moved_to_another_story_or_by_another_version_replaces_its_membership() -> None:
    assert decide(MEMBERS.state(member()), MEMBERS.state(member(story_id="s-2"))) == "replace"
    assert decide(MEMBERS.state(member()), MEMBERS.state(member(version="v2"))) == "replace"


def test_the_same_membership_again_is_a_duplicate() -> None:
    assert decide(MEMBERS.state(member()), MEMBERS.state(member())) == "duplicate"
    assert decide(None, MEMBERS.state(member())) == "new"


def test_a_claim_link_is_kept_once_per_version() -> None:
    event = next(e for kind, e in stage_stream() if kind == "claim-link")
    row = stage_rows(event, "claim-link", Position("claim-links", 0, 0))
    assert isinstance(row, ClaimLinkRow)
    assert decide(LINKS.state(row), LINKS.state(row._replace(similarity=0.9))) == "duplicate"
    assert decide(LINKS.state(row), LINKS.state(row._replace(version="v2", kind="corroborates"))) == "replace"


def trend(count: int, hours: int = 12, version: str = "v1") -> TrendRow:
    return TrendRow(
        "t", "fac:kariba", "Kariba", "FAC", T0, T0 + timedelta(hours=hours), count, 0.5, 4.0, "z", [], version
    )


def test_a_trend_is_ordered_by_its_window_end_then_its_count() -> None:
    assert decide(TRENDS.state(trend(3)), TRENDS.state(trend(4))) == "replace"
    assert decide(TRENDS.state(trend(4, hours=13)), TRENDS.state(trend(9, hours=12))) == "stale"


def test_the_metrics_name_every_table_the_store_writes() -> None:
    assert set(TABLES) == set(SINK_TABLES) and set(KINDS) <= set(TABLES)
