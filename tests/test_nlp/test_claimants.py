"""Behaviour of claimant spans and their links to entities."""

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


def test_the_group_refers_back_to_the_last_organisation(parse: Parse) -> None:
    text = "Amnesty International published a report on Monday. The group said that prisons were overcrowded."
    (claim,) = _claims(parse, text)
    assert claim.claimant is not None and claim.claimant.text == "The group"
    assert claim.claimant.entity_id == "org:amnesty-international"


def test_the_president_refers_back_to_the_person_with_that_title(parse: Parse) -> None:
    text = "President Joe Biden visited Kyiv on Monday. The president said that aid would continue."
    (claim,) = _claims(parse, text)
    assert claim.claimant is not None and claim.claimant.entity_id == "person:joe-biden"


def test_the_city_does_not_refer_to_a_country(parse: Parse) -> None:
    text = "Officials in Italy met on Monday. The city said that the tax was legal."
    (claim,) = _claims(parse, text)
    assert claim.claimant is not None and claim.claimant.entity_id is None


def test_indefinite_description_is_not_resolved(parse: Parse) -> None:
    text = "Amnesty International published a report. A group said that prisons were overcrowded."
    (claim,) = _claims(parse, text)
    assert claim.claimant is not None and claim.claimant.entity_id is None


def test_pronoun_prefers_a_person_earlier_in_its_own_sentence(parse: Parse) -> None:
    text = "Mark Tedeschi told the court that the girl suffered. Thomas Sam's sister pleaded with him, "
    text += 'but he replied "I am not able to do that".'
    last = _claims(parse, text)[-1]
    assert last.claimant is not None and last.claimant.text == "he"
    assert last.claimant.entity_id == "person:thomas-sam"


def test_pronoun_skips_the_previous_speaker_when_another_became_the_subject(parse: Parse) -> None:
    text = "Steve Whitmore said that the case was closed. Mark Rathbun requested donations on his blog. "
    text += "He said that the boy was innocent."
    last = _claims(parse, text)[-1]
    assert last.claimant is not None and last.claimant.entity_id == "person:mark-rathbun"


def test_author_of_a_statement_is_its_claimant(parse: Parse) -> None:
    text = 'Senator John Cornyn spoke on Monday. Cornyn\'s statement added, "There is no question Houston lost."'
    last = _claims(parse, text)[-1]
    assert last.claimant is not None and last.claimant.entity_id == "person:john-cornyn"
