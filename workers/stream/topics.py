"""Every topic the stream workers read or write, declared on one Faust app."""

from __future__ import annotations

from dataclasses import dataclass

import faust
from faust.types import TopicT

from workers.settings import Settings

__all__ = ["PipelineTopics", "declare_topics"]


@dataclass(frozen=True, slots=True)
class PipelineTopics:
    """The pipeline's topics as Faust topic objects, by role."""

    raw: TopicT
    enriched: TopicT
    claims: TopicT
    entities: TopicT
    dlq: TopicT
    #: The duplicate index's changelog, when the index is on.
    dedup_changelog: TopicT | None = None

    def by_name(self) -> dict[str, TopicT]:
        """Topics the worker writes to, by Kafka topic name."""
        written = (self.enriched, self.claims, self.entities, self.dlq, self.dedup_changelog)
        return {t.get_topic_name(): t for t in written if t is not None}


def declare_topics(app: faust.App, settings: Settings) -> PipelineTopics:
    """Declare the pipeline's topics (bytes in, bytes out) on ``app``."""

    def topic(name: str) -> TopicT:
        return app.topic(name, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")

    return PipelineTopics(
        raw=topic(settings.topic_raw),
        enriched=topic(settings.topic_enriched),
        claims=topic(settings.topic_claims),
        entities=topic(settings.topic_entities),
        dlq=topic(settings.topic_dlq),
        dedup_changelog=topic(settings.dedup_changelog_topic) if settings.dedup_enabled else None,
    )
