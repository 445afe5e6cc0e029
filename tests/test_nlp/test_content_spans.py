"""Behaviour of content spans: direct, mixed or indirect."""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc

from workers.models import Claim
from workers.nlp.claims import extract_claims
from workers.nlp.entities import group_entities

Parse = Callable[[str], Doc]


def _claims(parse: Parse, text: str) -> list[Claim]:
    doc = parse(text)
    return extract_claims(doc, group_entities(doc), article_id="t")


def _one(parse: Parse, text: str) -> Claim:
    claims = _claims(parse, text)
    assert len(claims) == 1, claims
    return claims[0]


def test_quoted_fragment_in_reported_speech_is_mixed(parse: Parse) -> None:
    claim = _one(parse, 'The minister said the plan was "dead on arrival".')
    assert (claim.kind, claim.content.text) == ("mixed", 'the plan was "dead on arrival"')
