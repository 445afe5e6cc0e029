"""What became of each input, read back from every output topic of a pipeline."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import orjson

from tests.integration.accounting import read_topic
from workers.settings import Settings


def snapshot(settings: Settings, topic: str) -> list[dict[str, Any]]:
    """Every record on ``topic`` now, decoded."""
    return [orjson.loads(r.value or b"") for r in read_topic(settings, topic)]


def letter_id(letter: dict[str, Any]) -> str:
    """The article id of a dead letter: its own, else the one in the value it kept
    (a poison letter is written without decoding the input), else where the input was."""
    if letter["article_id"]:
        return str(letter["article_id"])
    try:
        return str(orjson.loads(letter["value"])["id"])
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return f"{letter['topic']}:{letter['partition']}:{letter['offset']}"


@dataclass(frozen=True)
class Outcomes:
    """The pipeline's output topics, read at one moment."""

    enriched: list[dict[str, Any]]
    letters: list[dict[str, Any]]
    claims: list[dict[str, Any]]
    entities: list[dict[str, Any]]

    @classmethod
    def read(cls, settings: Settings) -> Outcomes:
        return cls(
            snapshot(settings, settings.topic_enriched),
            snapshot(settings, settings.topic_dlq),
            snapshot(settings, settings.topic_claims),
            snapshot(settings, settings.topic_entities),
        )

    def ids(self) -> Counter[str]:
        """How often each article has an outcome: an enriched event or a dead letter."""
        return Counter([a["id"] for a in self.enriched] + [letter_id(d) for d in self.letters])

    def repeated_event_ids(self) -> list[str]:
        """Event ids published more than once, on any topic."""
        events = self.enriched + self.claims + self.entities
        counts = Counter(e["event_id"] for e in events)
        return sorted(event_id for event_id, n in counts.items() if n > 1)
