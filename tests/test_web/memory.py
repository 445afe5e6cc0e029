"""An in-memory :class:`~workers.web.source.RowSource` filled from enriched-article events,
for tests of the pages without a database. Copies (``duplicate_of``) of a stored original
are left out of lists and counted with it, as in :mod:`workers.web.postgres`; stories
are whatever the test puts in ``stories``, ``members`` and ``ledger``."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

from workers.web.source import (
    ArticleSummary,
    CopyRef,
    DayCount,
    LedgerClaim,
    Neighbour,
    StoredArticle,
    StoredClaim,
    StoredEntity,
    StoredMention,
    StoryMember,
    StorySummary,
)


def _moment(raw: str | None) -> datetime | None:
    if not raw:
        return None
    return datetime.fromisoformat(raw.replace("Z", "+00:00"))


class MemorySource:
    """Stored records from enriched-article events (``articles.enriched`` values), stored in order."""

    def __init__(self, events: list[dict[str, Any]] | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.stored_at: list[datetime] = []
        self.stories: list[StorySummary] = []
        self.members: dict[str, list[StoryMember]] = {}
        self.ledger: dict[str, list[LedgerClaim]] = {}
        for event in events or []:
            self.add(event)

    def add(self, event: dict[str, Any], stored_at: datetime | None = None) -> None:
        self.events.append(event)
        self.stored_at.append(stored_at or datetime(2026, 11, 1, tzinfo=UTC))

    def _original(self, e: dict[str, Any]) -> str | None:
        """The id of the stored original ``e`` copies, or None."""
        original = (e.get("duplicate_of") or {}).get("id")
        return original if original and self._event(original) is not None else None

    def _summary(self, i: int) -> ArticleSummary:
        e = self.events[i]
        copies = [c for c in self.events if self._original(c) == e["id"]]
        return ArticleSummary(
            id=e["id"],
            title=e["title"],
            source=e["source"],
            published_at=_moment(e["published_at"]),
            stored_at=self.stored_at[i],
            snippet=(e["body"] or "")[:300],
            cursor=i + 1,
            copies=len(copies),
            copy_refs=tuple(CopyRef(c["id"], c["source"]) for c in copies),
        )

    def _event(self, article_id: str) -> dict[str, Any] | None:
        return next((e for e in reversed(self.events) if e["id"] == article_id), None)

    def latest_articles(self, query: str | None, limit: int) -> list[ArticleSummary]:
        found = []
        for i in reversed(range(len(self.events))):
            e = self.events[i]
            text = f"{e['title'] or ''} {e['body'] or ''}".lower()
            if (query is None or query.lower() in text) and self._original(e) is None:
                found.append(self._summary(i))
        return found[:limit]

    def articles_after(self, cursor: int, limit: int) -> list[ArticleSummary]:
        return [self._summary(i) for i in range(cursor, len(self.events)) if self._original(self.events[i]) is None][
            :limit
        ]

    def newest_cursor(self) -> int:
        return len(self.events)

    def article(self, article_id: str) -> StoredArticle | None:
        e = self._event(article_id)
        if e is None:
            return None
        return StoredArticle(
            id=e["id"],
            title=e["title"],
            url=e["url"],
            source=e["source"],
            published_at=_moment(e["published_at"]),
            body=e["body"],
            language=e["language"],
            flags=tuple(e["flags"]),
        )

    def mentions(self, article_id: str) -> list[StoredMention]:
        e = self._event(article_id)
        if e is None:
            return []
        return [
            StoredMention(ent["id"], ent["name"], ent["label"], m["start"], m["end"], m["text"])
            for ent in e["entities"]
            for m in ent["mentions"]
        ]

    def _claims(self, e: dict[str, Any]) -> list[StoredClaim]:
        rows = []
        for c in e["claims"]:
            claimant = c["claimant"] or {}
            rows.append(
                StoredClaim(
                    id=c["id"],
                    article_id=e["id"],
                    article_title=e["title"],
                    claimant_text=claimant.get("text"),
                    claimant_entity_id=claimant.get("entity_id"),
                    cue_text=c["cue"]["text"],
                    cue_lemma=c["cue"]["lemma"],
                    content_text=c["content"]["text"],
                    content_start=c["content"]["start"],
                    content_end=c["content"]["end"],
                    kind=c["kind"],
                    stance=c["stance"],
                    broad=bool(c.get("broad")),
                )
            )
        return rows

    def claims_in(self, article_id: str) -> list[StoredClaim]:
        e = self._event(article_id)
        return [] if e is None else self._claims(e)

    def _entities(self, entity_id: str) -> list[tuple[int, dict[str, Any]]]:
        return [(i, ent) for i, e in enumerate(self.events) for ent in e["entities"] if ent["id"] == entity_id]

    def entity(self, entity_id: str) -> StoredEntity | None:
        found = self._entities(entity_id)
        if not found:
            return None
        ent = found[-1][1]
        geo = ent.get("geo") or {}
        per_original: dict[str, int] = {}
        for i, x in found:
            key = self._original(self.events[i]) or self.events[i]["id"]
            per_original[key] = max(per_original.get(key, 0), len(x["mentions"]))
        ids = {self.events[i]["id"] for i, _ in found}
        return StoredEntity(
            id=ent["id"],
            name=ent["name"],
            label=ent["label"],
            mentions=sum(per_original.values()),
            articles=len(per_original),
            with_copies=len(ids),
            sources=len({self.events[i]["source"] for i, _ in found}),
            stories=len(self.entity_stories(entity_id, 1000)),
            place_name=geo.get("name"),
            country_code=geo.get("country_code"),
            latitude=geo.get("latitude"),
            longitude=geo.get("longitude"),
        )

    def mentions_per_day(self, entity_id: str) -> list[DayCount]:
        per_day: Counter[date] = Counter()
        for i, ent in self._entities(entity_id):
            moment = _moment(self.events[i]["published_at"]) or self.stored_at[i]
            per_day[moment.date()] += len(ent["mentions"])
        return [DayCount(day, n) for day, n in sorted(per_day.items())]

    def claims_by(self, entity_id: str, limit: int) -> list[StoredClaim]:
        rows = [
            c
            for e in reversed(self.events)
            if self._original(e) is None
            for c in self._claims(e)
            if c.claimant_entity_id == entity_id
        ]
        return rows[:limit]

    def claims_about(self, entity_id: str, limit: int) -> list[StoredClaim]:
        rows = []
        for e in reversed(self.events):
            if self._original(e) is not None:
                continue
            spans = [(m["start"], m["end"]) for ent in e["entities"] if ent["id"] == entity_id for m in ent["mentions"]]
            for c in self._claims(e):
                if any(c.content_start <= s and t <= c.content_end for s, t in spans):
                    rows.append(c)
        return rows[:limit]

    def neighbours(self, entity_id: str, limit: int, exclude_labels: tuple[str, ...] = ()) -> list[Neighbour]:
        shared: dict[str, set[str]] = {}
        names: dict[str, tuple[str, str]] = {}
        for e in self.events:
            ids = {ent["id"] for ent in e["entities"]}
            if entity_id not in ids:
                continue
            for ent in e["entities"]:
                if ent["id"] != entity_id and ent["label"] not in exclude_labels:
                    shared.setdefault(ent["id"], set()).add(self._original(e) or e["id"])
                    names[ent["id"]] = (ent["name"], ent["label"])
        counts = Counter({i: len(originals) for i, originals in shared.items()})
        return [Neighbour(i, names[i][0], names[i][1], n) for i, n in counts.most_common(limit)]

    def active_stories(self, limit: int) -> list[StorySummary]:
        return sorted(self.stories, key=lambda s: (-s.originals, -s.sources))[:limit]

    def recent_stories(self, limit: int) -> list[StorySummary]:
        return sorted(self.stories, key=lambda s: s.last_seen, reverse=True)[:limit]

    def story(self, story_id: str) -> StorySummary | None:
        return next((s for s in self.stories if s.id == story_id), None)

    def story_members(self, story_id: str) -> list[StoryMember]:
        return sorted(self.members.get(story_id, []), key=lambda m: (m.at, m.article_id))

    def story_ledger(self, story_id: str) -> list[LedgerClaim]:
        return list(self.ledger.get(story_id, []))

    def story_of(self, article_id: str) -> StorySummary | None:
        return next(
            (self.story(s) for s, members in self.members.items() if article_id in {m.article_id for m in members}),
            None,
        )

    def entity_stories(self, entity_id: str, limit: int) -> list[StorySummary]:
        naming = {e["id"] for e in self.events if entity_id in {ent["id"] for ent in e["entities"]}}
        found = [s for s in self.stories if naming & {m.article_id for m in self.members.get(s.id, [])}]
        return sorted(found, key=lambda s: s.last_seen, reverse=True)[:limit]
