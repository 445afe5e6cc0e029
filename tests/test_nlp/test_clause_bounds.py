"""Behaviour of clause bounds: where a reported clause starts and ends."""

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


def test_gloss_after_the_reported_clause_is_not_content(parse: Parse) -> None:
    text = "Syrian insurgents said on Thursday that they have entered parts of the central city of Hama "
    text += "after three days of intense clashes with government forces on its outskirts, part of an ongoing "
    text += "offensive in which they seized Aleppo."
    claim = _claims(parse, text)[0]
    assert claim.content.text.endswith("on its outskirts")


def test_participle_citing_a_source_after_the_clause_is_not_content(parse: Parse) -> None:
    (claim,) = _claims(parse, "Police said the road to the port was closed, citing safety concerns.")
    assert claim.content.text == "the road to the port was closed"
