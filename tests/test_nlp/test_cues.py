"""Behaviour of cue detection: which words attribute, and whose speech they report."""

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


def test_quoted_as_saying_names_the_passive_subject(parse: Parse) -> None:
    (claim,) = _claims(parse, "The minister was quoted as saying that the plan had failed.")
    assert claim.claimant is not None and claim.claimant.text == "The minister"
    assert claim.content.text == "the plan had failed"


def test_in_the_words_of_attributes_the_quotation(parse: Parse) -> None:
    text = 'In the words of the prosecutor, Mark Tedeschi, "Gloria spent months crying."'
    (claim,) = _claims(parse, text)
    assert (claim.cue.text, claim.cue.lemma) == ("In the words of", "in the words of")
    assert claim.claimant is not None and claim.claimant.text == "Mark Tedeschi"
    assert claim.kind == "direct"


def test_inverted_attribution_after_a_quotation_names_the_speaker(parse: Parse) -> None:
    text = '"Commanders were dispatched to the front within 48 hours", added KCNA.'
    (claim,) = _claims(parse, text)
    assert claim.claimant is not None and claim.claimant.text == "KCNA"
    assert claim.cue.text == "added"


def test_speaker_separated_by_an_apposition_is_found(parse: Parse) -> None:
    text = "Speaking for the parents, Tom Molomby, SC, said that they should be declared not guilty."
    (claim,) = _claims(parse, text)
    assert claim.claimant is not None and claim.claimant.text == "Tom Molomby"


def test_report_inside_a_quotation_is_not_a_cue(parse: Parse) -> None:
    (claim,) = _claims(parse, '"I said that we would win," the coach said.')
    assert claim.cue.start > 25


def test_thought_is_a_belief_not_a_report(parse: Parse) -> None:
    # Not reported speech; a broad scheme counts it as the teacher's belief.
    (claim,) = _claims(parse, "A teacher mistakenly thought it resembled a bomb.")
    assert (claim.kind, claim.content.text) == ("belief", "it resembled a bomb")


def test_refused_statement_is_not_a_claim(parse: Parse) -> None:
    assert _claims(parse, "The minister declined to say whether the bridge would reopen.") == []


def test_published_statement_attributes_the_quotation_after_it(parse: Parse) -> None:
    text = 'Senator John Cornyn issued a statement on the decision. "I am disappointed with the choice."'
    (claim,) = _claims(parse, text)
    assert (claim.cue.text, claim.content.text) == ("issued", "I am disappointed with the choice")
    assert claim.claimant is not None and claim.claimant.entity_id == "person:john-cornyn"
