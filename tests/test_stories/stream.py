"""A stream of real ``articles.enriched`` events for the stage's tests: the development
stories set (seeds/eval/stories-dev.gold.jsonl) enriched once per process, then copied
with new article and claim ids, each copy later in article time than the last (so its
articles open stories of their own), and every ``copy_every``-th article of a copy
flagged as a copy of the article before it (the duplicate index's flag)."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import orjson

DEV = Path(__file__).resolve().parents[2] / "seeds" / "eval" / "stories-dev.gold.jsonl"


@cache
def _dev_events_json(model: str) -> bytes:
    from workers.models import RawArticle
    from workers.nlp.pipeline import load_pipeline
    from workers.pipeline.enrich import Enricher
    from workers.pipeline.events import encode

    enricher = Enricher(load_pipeline(model))
    rows = [orjson.loads(line) for line in DEV.read_bytes().splitlines() if line.strip()]
    events = []
    for row in rows:
        raw = RawArticle(
            id=row["id"],
            title=row.get("title"),
            body=row["body"],
            source=row.get("source"),
            published_at=row.get("published_at"),
        )
        events.append(orjson.loads(encode(enricher(raw))))
    return orjson.dumps(events)


def dev_events(model: str) -> list[dict[str, Any]]:
    """The development set's articles as enriched events (computed once a process)."""
    loaded: list[dict[str, Any]] = orjson.loads(_dev_events_json(model))
    return loaded


def copies(events: list[dict[str, Any]], n: int, *, prefix: str = "", copy_every: int = 9) -> list[dict[str, Any]]:
    """``n`` articles: ``events`` over and over with new ids, each round later in time."""
    times = [datetime.fromisoformat(e["published_at"]) for e in events]
    span = max(times) - min(times) + timedelta(days=30)
    out: list[dict[str, Any]] = []
    for i in range(n):
        k, event = divmod(i, len(events))
        e = orjson.loads(orjson.dumps(events[event]))
        suffix = f"~{prefix}{k}"
        e["id"] = f"{e['id']}{suffix}"
        e["published_at"] = (times[event] + k * span).isoformat()
        for claim in e["claims"]:
            claim["id"] = f"{claim['id']}{suffix}"
        if i % copy_every == copy_every - 1 and out:
            e["duplicate_of"] = {"id": out[-1]["id"], "kind": "near", "similarity": 0.9}
        out.append(e)
    return out
