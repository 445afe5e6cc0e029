"""A factory of enriched events for the stories tests: only what the stage reads."""

from __future__ import annotations

from typing import Any


def enriched(
    article_id: str,
    body: str,
    *,
    at: str = "2024-03-01T08:00:00Z",
    source: str | None = "wire",
    entities: dict[str, float] | None = None,
    claims: list[dict[str, Any]] | None = None,
    duplicate_of: str | None = None,
    title: str | None = None,
) -> dict[str, Any]:
    """An ``articles.enriched`` value; ``entities`` maps "LABEL:Name" to salience, each
    mentioned wherever its name occurs in the body."""
    ents = []
    for key, salience in (entities or {}).items():
        label, name = key.split(":", 1)
        starts = [i for i in range(len(body)) if body.startswith(name, i)]
        mentions = [{"text": name, "start": i, "end": i + len(name), "title": None} for i in starts]
        ents.append(
            {
                "id": f"{label.lower()}:{name.lower()}",
                "name": name,
                "label": label,
                "mentions": mentions,
                "salience": salience,
                "geo": None,
                "date": None,
            }
        )
    return {
        "id": article_id,
        "title": title,
        "body": body,
        "source": source,
        "published_at": at,
        "entities": ents,
        "claims": claims or [],
        "duplicate_of": {"id": duplicate_of, "kind": "exact", "similarity": 1.0} if duplicate_of else None,
        "processing": {"processed_at": at, "pipeline_version": "test"},
    }


def claim(body: str, claim_id: str, claimant: str, content: str, stance: str = "assert") -> dict[str, Any]:
    """A claim of ``body`` whose claimant and content are the first occurrences of the texts."""
    c, k = body.index(claimant), body.index(content)
    return {
        "id": claim_id,
        "claimant": {"text": claimant, "start": c, "end": c + len(claimant), "entity_id": None},
        "cue": {"text": "said", "lemma": "say", "start": 0, "end": 0},
        "content": {"text": content, "start": k, "end": k + len(content)},
        "kind": "indirect",
        "stance": stance,
        "broad": False,
    }
