"""Attribution patterns of real copy beyond the plain ones (issue #21): ordinary cues
in less ordinary syntax, continuation quotes, source phrases and the broad boundary.
Every sentence here is made up."""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc

from workers.models import Claim
from workers.nlp.claims import extract_claims
from workers.nlp.entities import group_entities

Parse = Callable[[str], Doc]


def _claims(parse: Parse, text: str) -> list[Claim]:
    doc = parse(text)
    return extract_claims(doc, group_entities(doc), article_id="test-article")


def _one(parse: Parse, text: str) -> Claim:
    claims = _claims(parse, text)
    assert len(claims) == 1, claims
    return claims[0]


# Ordinary cues in less ordinary syntax.


def test_a_date_after_the_cue_dates_the_saying_not_the_claim(parse: Parse) -> None:
    claim = _one(parse, "The minister said in Brussels on Friday a second bridge was no longer needed.")
    assert claim.content.text == "a second bridge was no longer needed"
    assert claim.cue.lemma == "say" and not claim.broad


def test_a_date_inside_a_that_clause_stays_in_the_claim(parse: Parse) -> None:
    claim = _one(parse, "The minister said that on Friday a second bridge would open.")
    assert claim.content.text == "on Friday a second bridge would open"


def test_a_notice_that_reads_a_quotation_is_its_claimant(parse: Parse) -> None:
    claim = _one(parse, "“Closed until further notice,” the notice read.")
    assert claim.claimant is not None and claim.claimant.text == "the notice"
    assert (claim.cue.text, claim.content.text, claim.kind) == ("read", "Closed until further notice", "direct")
    assert not claim.broad  # written words are what was said


def test_a_message_that_reads_with_a_colon(parse: Parse) -> None:
    claim = _one(parse, "The message read: “We are closed for the holidays.”")
    assert claim.claimant is not None and claim.claimant.text == "The message"
    assert claim.content.text == "We are closed for the holidays"


def test_reading_a_statement_attributes_the_quotation_after_it(parse: Parse) -> None:
    claim = _one(parse, "The spokesman read a statement on the steps of the court. “Our client is innocent.”")
    assert claim.claimant is not None and claim.claimant.text == "The spokesman"
    assert claim.content.text == "Our client is innocent"


def test_reading_a_report_is_no_attribution(parse: Parse) -> None:
    assert _claims(parse, "I read the report twice before the meeting.") == []
