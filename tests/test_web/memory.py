"""An in-memory :class:`~workers.web.source.RowSource` filled from enriched-article events,
for tests of the pages without a database."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

from workers.web.source import (
    ArticleSummary,
    DayCount,
    Neighbour,
    StoredArticle,
    StoredClaim,
    StoredEntity,
    StoredMention,
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
        for event in events or []:
            self.add(event)

    def add(self, event: dict[str, Any], stored_at: datetime | None = None) -> None:
        self.events.append(event)
        self.stored_at.append(stored_at or datetime(2026, 11, 1, tzinfo=UTC))

    def _summary(self, i: int) -> ArticleSummary:
        e = self.events[i]
        return ArticleSummary(
            id=e["id"],
            title=e["title"],
            source=e["source"],
            published_at=_moment(e["published_at"]),
            stored_at=self.stored_at[i],
            snippet=(e["body"] or "")[:300],
            cursor=i + 1,
        )

    def _event(self, article_id: str) -> dict[str, Any] | None:
        return next((e for e in reversed(self.events) if e["id"] == article_id), None)

    def latest_articles(self, query: str | None, limit: int) -> list[ArticleSummary]:
        found = []
        for i in reversed(range(len(self.events))):
            e = self.events[i]
            text = f"{e['title'] or ''} {e['body'] or ''}".lower()
            if query is None or query.lower() in text:
                found.append(self._summary(i))
        return found[:limit]

    def articles_after(self, cursor: int, limit: int) -> list[ArticleSummary]:
        return [self._summary(i) for i in range(cursor, len(self.events))][:limit]

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
        return StoredEntity(
            id=ent["id"],
            name=ent["name"],
            label=ent["label"],
            mentions=sum(len(x["mentions"]) for _, x in found),
            articles=len({i for i, _ in found}),
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
        rows = [c for e in reversed(self.events) for c in self._claims(e) if c.claimant_entity_id == entity_id]
        return rows[:limit]

    def claims_about(self, entity_id: str, limit: int) -> list[StoredClaim]:
        rows = []
        for e in reversed(self.events):
            spans = [(m["start"], m["end"]) for ent in e["entities"] if ent["id"] == entity_id for m in ent["mentions"]]
            for c in self._claims(e):
                if any(c.content_start <= s and t <= c.content_end for s, t in spans):
                    rows.append(c)
        return rows[:limit]

    def neighbours(self, entity_id: str, limit: int) -> list[Neighbour]:
        shared: Counter[str] = Counter()
        names: dict[str, tuple[str, str]] = {}
        for e in self.events:
            ids = {ent["id"] for ent in e["entities"]}
            if entity_id not in ids:
                continue
            for ent in e["entities"]:
                if ent["id"] != entity_id:
                    shared[ent["id"]] += 1
                    names[ent["id"]] = (ent["name"], ent["label"])
        return [Neighbour(i, names[i][0], names[i][1], n) for i, n in shared.most_common(limit)]
