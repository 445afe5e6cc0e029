"""What the claim tests share: a made-up sentence parsed, and its claims extracted."""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc

from workers.models import Claim
from workers.nlp.claims import extract_claims
from workers.nlp.entities import group_entities

#: The ``parse`` fixture: text -> a parsed ``Doc``.
Parse = Callable[[str], Doc]


def claims_of(parse: Parse, text: str) -> list[Claim]:
    """Every claim of ``text``, as the enrichment extracts them."""
    doc = parse(text)
    return extract_claims(doc, group_entities(doc), article_id="test-article")


def one_claim(parse: Parse, text: str) -> Claim:
    """The one claim of ``text`` (fails when there are none or more)."""
    claims = claims_of(parse, text)
    assert len(claims) == 1, claims
    return claims[0]
