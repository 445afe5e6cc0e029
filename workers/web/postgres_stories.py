"""The explorer's story queries: stories, their articles and claims ledger (issue #22).

A part of :class:`~workers.web.postgres.PostgresSource` (its base class), apart
because stories are a concept of their own. The tables and views are those of the
sink's migration ``0005_stories.sql``; a store without them (a deployment that has not
run a sink of that version) has no stories: every query here then answers empty and
the pages show none, with one warning in the log ([E935]).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

import psycopg

from workers.web.source import LedgerClaim, StoryEntity, StoryMember, StorySummary

__all__ = ["StoryQueries"]

log = logging.getLogger(__name__)

_STORY = "story_id, label, first_seen, last_seen, entities, articles, originals, sources"


class StoryQueries:
    """The story half of the PostgreSQL source; the class using it gives ``_cursor``."""

    _warned_no_stories = False

    def _cursor(self) -> AbstractContextManager[psycopg.Cursor[dict[str, Any]]]:
        raise NotImplementedError  # PostgresSource's

    def _story_rows(self, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """The rows of a story query; none when the store has no story tables."""
        with self._cursor() as cur:
            try:
                cur.execute(sql, params)
            except psycopg.errors.UndefinedTable as exc:
                cur.connection.rollback()
                if not self._warned_no_stories:
                    self._warned_no_stories = True
                    log.warning(
                        "[E935] the store has no story tables (%s): the explorer shows no stories until a sink "
                        "of issue #22 or later has migrated it (newsflow sink --migrate-only)",
                        str(exc).strip(),
                    )
                return []
            return cur.fetchall()

    def active_stories(self, limit: int) -> list[StorySummary]:
        """The stories of the stream's last day, most originals first, then sources."""
        sql = f"SELECT {_STORY} FROM stories_last_day LIMIT %(limit)s"
        return [_story(r) for r in self._story_rows(sql, {"limit": limit})]

    def recent_stories(self, limit: int) -> list[StorySummary]:
        """Stories, the latest seen first."""
        sql = f"SELECT {_STORY} FROM story_summaries ORDER BY last_seen DESC, story_id LIMIT %(limit)s"
        return [_story(r) for r in self._story_rows(sql, {"limit": limit})]

    def story(self, story_id: str) -> StorySummary | None:
        """One story, or None."""
        rows = self._story_rows(f"SELECT {_STORY} FROM story_summaries WHERE story_id = %(id)s", {"id": story_id})
        return _story(rows[0]) if rows else None

    def story_members(self, story_id: str) -> list[StoryMember]:
        """A story's articles by their time in the stream (then id)."""
        sql = """
            SELECT sa.article_id, sa.at, sa.source, sa.matched, a.title, a.duplicate_of,
                   a.article_id IS NOT NULL AS stored
              FROM story_articles sa
              LEFT JOIN articles a USING (article_id)
             WHERE sa.story_id = %(id)s
             ORDER BY sa.at, sa.article_id"""
        return [
            StoryMember(
                article_id=r["article_id"],
                at=r["at"],
                source=r["source"],
                matched=r["matched"],
                title=r["title"],
                duplicate_of=r["duplicate_of"],
                stored=bool(r["stored"]),
            )
            for r in self._story_rows(sql, {"id": story_id})
        ]

    def story_ledger(self, story_id: str) -> list[LedgerClaim]:
        """A story's linked claims, each once per proposition (``story_claims_ledger``)."""
        sql = """
            SELECT proposition, claim_id, article_id, claimant, stance, polarity, text, start_offset, end_offset
              FROM story_claims_ledger
             WHERE story_id = %(id)s
             ORDER BY proposition, claim_id"""
        return [
            LedgerClaim(
                proposition=r["proposition"],
                claim_id=r["claim_id"],
                article_id=r["article_id"],
                claimant=r["claimant"],
                stance=r["stance"],
                polarity=r["polarity"],
                text=r["text"],
                start=int(r["start_offset"]),
                end=int(r["end_offset"]),
            )
            for r in self._story_rows(sql, {"id": story_id})
        ]

    def story_of(self, article_id: str) -> StorySummary | None:
        """The story an article is in, or None."""
        sql = f"""SELECT {_STORY} FROM story_summaries
                   WHERE story_id = (SELECT story_id FROM story_articles WHERE article_id = %(id)s)"""
        rows = self._story_rows(sql, {"id": article_id})
        return _story(rows[0]) if rows else None

    def entity_stories(self, entity_id: str, limit: int) -> list[StorySummary]:
        """Stories with an article naming the entity, the latest seen first."""
        sql = f"""SELECT {_STORY} FROM story_summaries
                   WHERE story_id IN (SELECT sa.story_id
                                        FROM article_entities ae
                                        JOIN story_articles sa USING (article_id)
                                       WHERE ae.entity_key = %(id)s)
                   ORDER BY last_seen DESC, story_id
                   LIMIT %(limit)s"""
        return [_story(r) for r in self._story_rows(sql, {"id": entity_id, "limit": limit})]

    def entity_story_count(self, entity_id: str) -> int:
        """How many stories have an article naming the entity (0 without story tables)."""
        sql = """SELECT count(DISTINCT sa.story_id) AS n
                   FROM article_entities ae
                   JOIN story_articles sa USING (article_id)
                  WHERE ae.entity_key = %(id)s"""
        rows = self._story_rows(sql, {"id": entity_id})
        return int(rows[0]["n"]) if rows else 0


def _story(row: dict[str, Any]) -> StorySummary:
    return StorySummary(
        id=row["story_id"],
        label=row["label"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        articles=int(row["articles"]),
        originals=int(row["originals"]),
        sources=int(row["sources"]),
        entities=tuple(_entities(row["entities"])),
    )


def _entities(raw: Any) -> Iterator[StoryEntity]:
    """The leading entities of a story's ``entities`` (jsonb), skipping malformed items."""
    for item in raw if isinstance(raw, list) else ():
        if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"]:
            weight = item.get("weight")
            yield StoryEntity(
                id=item["id"],
                name=str(item.get("name") or item["id"]),
                weight=float(weight) if isinstance(weight, int | float) else 0.0,
            )
