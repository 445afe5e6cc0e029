"""Factories of enriched-article events for the explorer's tests (no spaCy needed)."""

from __future__ import annotations

from typing import Any


def entity(entity_id: str, label: str, body: str, *texts: str, geo: dict[str, Any] | None = None) -> dict[str, Any]:
    """An entity with one mention per occurrence of each of ``texts`` in ``body``."""
    mentions = []
    for text in texts:
        start = body.find(text)
        while start >= 0:
            mentions.append({"text": text, "start": start, "end": start + len(text), "title": None})
            start = body.find(text, start + len(text))
    assert mentions, f"{texts} not in body"
    return {
        "id": entity_id,
        "name": texts[0],
        "label": label,
        "mentions": mentions,
        "salience": 0.5,
        "geo": geo,
        "date": None,
    }


def claim(
    body: str,
    claimant: str | None,
    cue: str,
    content: str,
    *,
    claimant_id: str | None = None,
    stance: str = "assert",
    claim_id: str = "c1",
) -> dict[str, Any]:
    """A claim whose spans are the first occurrences of the given texts in ``body``."""

    def span(text: str) -> dict[str, Any]:
        start = body.index(text)
        return {"text": text, "start": start, "end": start + len(text)}

    return {
        "id": claim_id,
        "claimant": None if claimant is None else {**span(claimant), "entity_id": claimant_id},
        "cue": {**span(cue), "lemma": cue},
        "content": span(content),
        "kind": "indirect",
        "stance": stance,
        "channel": None,
        "recipient": None,
        "original_speaker": None,
        "broad": False,
    }


def event(
    article_id: str,
    body: str,
    *,
    title: str | None = None,
    url: str | None = None,
    source: str | None = None,
    published_at: str | None = "2026-11-20T10:00:00Z",
    entities: list[dict[str, Any]] | None = None,
    claims: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """An enriched-article event (the fields the explorer reads)."""
    return {
        "schema": {"name": "enriched-article", "version": 1},
        "event_id": f"ev-{article_id}",
        "id": article_id,
        "body": body,
        "title": title,
        "url": url,
        "source": source,
        "published_at": published_at,
        "language": "en",
        "entities": entities or [],
        "claims": claims or [],
        "flags": [],
        "processing": {
            "pipeline_version": "t",
            "model": "t",
            "model_version": "t",
            "processed_at": "2026-11-20T10:00:01Z",
        },
        "duplicate_of": None,
    }


HAMA_BODY = (
    "Rebels said on Thursday that they entered Hama.\nThe army denied that Hama had fallen, Ahmed Karim told reporters."
)


def hama_event(article_id: str = "hama-1", **overrides: Any) -> dict[str, Any]:
    """An article with three entities (one geocoded) and two claims, one by a person."""
    body = overrides.pop("body", HAMA_BODY)
    hama_geo = {
        "geonames_id": 170017,
        "name": "Hama",
        "feature_class": "P",
        "country_code": "SY",
        "latitude": 35.13179,
        "longitude": 36.75783,
    }
    return event(
        article_id,
        body,
        title=overrides.pop("title", "Rebels enter Hama"),
        entities=[
            entity("gpe:hama", "GPE", body, "Hama", geo=hama_geo),
            entity("date:thursday", "DATE", body, "Thursday"),
            entity("person:ahmed-karim", "PERSON", body, "Ahmed Karim"),
        ],
        claims=[
            claim(body, "Rebels", "said", "they entered Hama", claim_id="c1"),
            claim(
                body,
                "Ahmed Karim",
                "told",
                "The army denied that Hama had fallen",
                claimant_id="person:ahmed-karim",
                stance="deny",
                claim_id="c2",
            ),
        ],
        **overrides,
    )
