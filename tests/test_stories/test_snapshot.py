"""Snapshots of the assigner: a restored assigner goes on exactly as one that never stopped."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from tests.test_stories.stream import copies, dev_events
from workers.pipeline.events import encode
from workers.settings import DEFAULT_MODEL
from workers.stories.article import story_article
from workers.stories.assign import StoryAssigner, StoryParams
from workers.stories.events import link_events, story_event
from workers.stories.exceptions import SnapshotCorrupt, SnapshotMismatch
from workers.stories.snapshot import restore, snapshot, snapshot_version

VERSION = "test+stage"


@pytest.fixture(scope="module")
def stream() -> list[dict[str, Any]]:
    return copies(dev_events(DEFAULT_MODEL), 130)


def outputs(assigner: StoryAssigner, events: list[dict[str, Any]]) -> list[bytes]:
    """Each article's story event and link events, as the stage publishes them."""
    out = []
    for event in events:
        assignment = assigner.assign(story_article(event))
        out.append(encode(story_event(assignment, VERSION)) + b"|" + encode(link_events(assignment, VERSION)))
    return out


@pytest.mark.parametrize("cut", [1, 17, 54, 55, 90, 129])
def test_a_restored_assigner_places_the_rest_of_the_stream_as_an_uninterrupted_one(
    stream: list[dict[str, Any]], cut: int
) -> None:
    whole = outputs(StoryAssigner(), stream)
    first = StoryAssigner()
    before = outputs(first, stream[:cut])
    restored, _ = restore(snapshot(first, VERSION), StoryParams(), VERSION)
    assert before + outputs(restored, stream[cut:]) == whole


def test_the_stream_exercises_new_joined_duplicate_stories_and_links(stream: list[dict[str, Any]]) -> None:
    # guards the property test above: a stream without links or copies would prove little
    placed = [orjson.loads(line.split(b"|", 1)[0]) for line in outputs(StoryAssigner(), stream)]
    links = sum(len(orjson.loads(line.split(b"|", 1)[1])) for line in outputs(StoryAssigner(), stream))
    assert {p["matched"] for p in placed} == {"new", "entities_and_text", "duplicate"}
    assert links > 10


def test_a_snapshot_twice_is_the_same_bytes(stream: list[dict[str, Any]]) -> None:
    assigner = StoryAssigner()
    outputs(assigner, stream[:60])
    data = snapshot(assigner, VERSION, {"seq": 3})
    again, extra = restore(data, StoryParams(), VERSION)
    assert snapshot(again, VERSION, extra) == data and extra == {"seq": 3}


def test_a_snapshot_of_another_stage_version_is_refused_with_what_to_do() -> None:
    data = snapshot(StoryAssigner(), "other+version")
    assert snapshot_version(data)[1] == "other+version"
    with pytest.raises(SnapshotMismatch, match=r"\[E420\].*--reset-state"):
        restore(data, StoryParams(), VERSION)


def test_bytes_that_are_no_snapshot_are_refused() -> None:
    with pytest.raises(SnapshotCorrupt, match=r"\[E421\]"):
        restore(b"not a snapshot", StoryParams(), VERSION)
