"""Every span the enrichment core emits indexes the article text exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language

from workers.models import Claim, Entity
from workers.nlp.claims import extract_claims
from workers.nlp.entities import group_entities

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "articles"


def _seed_texts() -> list[tuple[str, str]]:
    texts = [(path.stem, path.read_text(encoding="utf-8")) for path in sorted(SEEDS.glob("*.txt"))]
    with (SEEDS / "wikinews" / "wikinews.jsonl").open(encoding="utf-8") as lines:
        texts += [(record["id"], record["body"]) for record in map(json.loads, lines)]
    return texts


def _assert_spans_index(text: str, entities: list[Entity], claims: list[Claim]) -> None:
    spans: list[tuple[str, int, int]] = [(m.text, m.start, m.end) for e in entities for m in e.mentions]
    for claim in claims:
        spans += [(claim.cue.text, claim.cue.start, claim.cue.end)]
        spans += [(claim.content.text, claim.content.start, claim.content.end)]
        for extra in (claim.claimant, claim.channel, claim.recipient, claim.original_speaker):
            if extra is not None:
                spans += [(extra.text, extra.start, extra.end)]
    for span_text, start, end in spans:
        assert 0 <= start < end <= len(text)
        assert text[start:end] == span_text


_SEED_TEXTS = _seed_texts()


@pytest.mark.parametrize(("article_id", "text"), _SEED_TEXTS, ids=[i for i, _ in _SEED_TEXTS])
def test_every_span_indexes_seed_text_exactly(nlp: Language, article_id: str, text: str) -> None:
    doc = nlp(text)
    entities = group_entities(doc)
    claims = extract_claims(doc, entities, article_id=article_id)
    assert entities  # every seed names something
    _assert_spans_index(text, entities, claims)


#: Pieces that exercise the awkward paths: quotations of every style, open quotes,
#: paragraph breaks, titles, possessives, pronouns, non-ASCII names.
_FRAGMENTS = st.sampled_from([
    "“", "”", '"', "«", "»", "\n", "\n\n", " ", ", ", ": ", ". ", "\u2019s", "'s",
    "said", "told reporters", "according to", "denied that", "confirmed", "added",
    "Mr", "Dr.", "President", "Bashar Assad", "Assad", "Hama", "the city of", "Zoë Ørsted",
    "he", "It", "they", "the ministry", "We will win", "that the talks failed",
])  # fmt: skip


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_FRAGMENTS | st.text(max_size=6), max_size=40).map(" ".join))
def test_every_span_indexes_arbitrary_text_exactly(nlp: Language, text: str) -> None:
    doc = nlp(text)
    entities = group_entities(doc)
    _assert_spans_index(text, entities, extract_claims(doc, entities, article_id="fuzz"))
