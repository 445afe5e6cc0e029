"""Behaviour of adjacent quotations: those a cue attributes by standing next to it."""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc

from workers.models import Claim
from workers.nlp.adjacent_quotes import statement_quote
from workers.nlp.article_index import ArticleIndex
from workers.nlp.claims import extract_claims
from workers.nlp.entities import group_entities

Parse = Callable[[str], Doc]


def _claims(parse: Parse, text: str) -> list[Claim]:
    doc = parse(text)
    return extract_claims(doc, group_entities(doc), article_id="t")


def test_quote_continuing_after_attribution_sentence_keeps_speaker(parse: Parse) -> None:
    claims = _claims(parse, '"We are ready," she said. "The team has trained for months."')
    assert [c.content.text for c in claims] == ["We are ready", "The team has trained for months"]
    assert {c.cue.start for c in claims} == {claims[0].cue.start}


def test_quotation_in_the_next_paragraph_after_a_colon_is_content(parse: Parse) -> None:
    text = 'US President Barack Obama tweeted using his account:\n"Cool clock, Ahmed. We should inspire more kids."'
    (claim,) = _claims(parse, text)
    assert claim.content.text == "Cool clock, Ahmed. We should inspire more kids"
    assert claim.claimant is not None and claim.claimant.text == "US President Barack Obama"


def _statement_quotes(parse: Parse, text: str) -> list[str]:
    doc = parse(text)
    article = ArticleIndex(doc, group_entities(doc))
    cue = next(t for t in doc if t.lemma_ == "issue")
    return [text[c.start : c.end] for c in statement_quote(article, cue)]


def test_quotation_opening_the_paragraph_after_a_statement_and_a_colon_is_its_content(parse: Parse) -> None:
    assert _statement_quotes(parse, 'The ministry issued a statement:\n"We will not pay."') == ["We will not pay"]


def test_another_sentence_between_a_statement_and_a_quotation_ends_the_link(parse: Parse) -> None:
    text = 'Senator John Cornyn issued a statement on the decision. The vote was close. "I am disappointed."'
    assert _statement_quotes(parse, text) == []
