"""A store holding one wire story, for the explorer's story tests: an original article,
20 copies of it the duplicate index flagged (each from another outlet), a second
original that contradicts it, and the rows the story stage would have the sink write
(stories, story_articles, claim_links), inserted directly in SQL as migration 0005
defines them; no spaCy, no broker, no story stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from tests.test_web.factories import claim, entity, event, hama_event
from workers.positions import Position
from workers.sink.rows import article_rows
from workers.sink.store import Batch, OffsetRange, SinkStore

__all__ = ["COPIES", "WireStory", "write_events", "write_wire_story"]

TOPIC = "articles.enriched"
COPIES = 20
STORY_ID = "story-hama"
AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
ARMY_BODY = "An army spokesman denied on Friday that Hama had fallen to the rebels."


@dataclass(frozen=True)
class WireStory:
    """The ids of what :func:`write_wire_story` wrote."""

    original: str
    copies: tuple[str, ...]
    denial: str
    story_id: str
    asserting_claim: str
    denying_claim: str
    person: str = "person:ahmed-karim"
    place: str = "gpe:hama"
    day: str = "date:thursday"


def write_events(url: str, events: list[dict[str, Any]], start: int = 0) -> None:
    """Write ``events`` as the sink does, in one batch."""
    store = SinkStore(url, "web-story-test")
    try:
        rows = [article_rows(e, Position(TOPIC, 0, start + i)) for i, e in enumerate(events)]
        store.write(Batch(rows, (), [OffsetRange(TOPIC, 0, start or None, start + len(events))]))
    finally:
        store.close()


def wire_events() -> list[dict[str, Any]]:
    """The original, its copies (oldest first) and the denial, as enriched events."""
    original = hama_event("wire-0", source="Wire")
    copies = [
        {
            **hama_event(f"wire-{i}", source=f"Outlet {i:02d}"),
            "duplicate_of": {"id": "wire-0", "kind": "exact", "similarity": 1.0},
        }
        for i in range(1, COPIES + 1)
    ]
    denial = event(
        "army-1",
        ARMY_BODY,
        title="Army: Hama has not fallen",
        source="Gazette",
        entities=[entity("gpe:hama", "GPE", ARMY_BODY, "Hama")],
        claims=[
            claim(
                ARMY_BODY,
                "An army spokesman",
                "denied",
                "Hama had fallen to the rebels",
                stance="deny",
                claim_id="d1",
            )
        ],
    )
    return [original, *copies, denial]


def _link(story_id: str, claim_side: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    return {
        "link_id": f"link-{claim_side['id']}-{other['id']}",
        "story_id": story_id,
        "proposition": claim_side["id"],
        "kind": "contradicts",
        **{f"claim_{k}": v for k, v in claim_side.items()},
        **{f"other_{k}": v for k, v in other.items()},
        "similarity": 0.8,
        "version": "test",
    }


def write_wire_story(url: str) -> WireStory:
    """Write the wire story's articles and its story rows to the database at ``url``."""
    events = wire_events()
    write_events(url, events)
    original, copies, denial = events[0], events[1:-1], events[-1]
    rebels = next(c for c in original["claims"] if c["id"] == "c1")
    army = denial["claims"][0]
    members = [
        (e["id"], "new" if e is original else "duplicate" if e in copies else "entities_and_text", e["source"])
        for e in events
    ]
    with psycopg.connect(url) as conn:
        conn.execute(
            """INSERT INTO stories (story_id, label, size, sources, first_seen, last_seen, entities, version)
               VALUES (%s, %s, %s, %s, %s, %s, %s, 'test')""",
            (
                STORY_ID,
                "Hama · Ahmed Karim",
                len(members),
                sorted({m[2] for m in members}),
                AT,
                AT + timedelta(hours=len(members)),
                Jsonb(
                    [
                        {"id": "gpe:hama", "name": "Hama", "weight": 0.9},
                        {"id": "person:ahmed-karim", "name": "Ahmed Karim", "weight": 0.5},
                    ]
                ),
            ),
        )
        with conn.cursor() as cur:
            cur.executemany(
                """INSERT INTO story_articles (article_id, story_id, matched, score, at, source, version)
                   VALUES (%s, %s, %s, %s, %s, %s, 'test')""",
                [
                    (article_id, STORY_ID, matched, 1.0, AT + timedelta(hours=i), source)
                    for i, (article_id, matched, source) in enumerate(members)
                ],
            )
        side_a = {
            "id": rebels["id"],
            "article_id": original["id"],
            "claimant": rebels["claimant"]["text"],
            "stance": rebels["stance"],
            "polarity": "asserts",
            "text": rebels["content"]["text"],
            "start": rebels["content"]["start"],
            "end": rebels["content"]["end"],
        }
        side_b = {
            "id": army["id"],
            "article_id": denial["id"],
            "claimant": army["claimant"]["text"],
            "stance": army["stance"],
            "polarity": "denies",
            "text": army["content"]["text"],
            "start": army["content"]["start"],
            "end": army["content"]["end"],
        }
        row = _link(STORY_ID, side_a, side_b)
        columns = ", ".join(row)
        conn.execute(
            f"INSERT INTO claim_links ({columns}) VALUES ({', '.join(['%s'] * len(row))})",
            list(row.values()),
        )
    return WireStory(
        original=original["id"],
        copies=tuple(e["id"] for e in copies),
        denial=denial["id"],
        story_id=STORY_ID,
        asserting_claim=rebels["id"],
        denying_claim=army["id"],
    )
