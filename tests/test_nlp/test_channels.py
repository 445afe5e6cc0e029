"""Behaviour of channel, recipient and original-speaker extraction."""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc

from workers.models import Claim
from workers.nlp.claims import extract_claims
from workers.nlp.entities import group_entities

Parse = Callable[[str], Doc]


def _one(parse: Parse, text: str) -> Claim:
    doc = parse(text)
    (claim,) = extract_claims(doc, group_entities(doc), article_id="t")
    return claim


def test_named_medium_after_on_is_the_channel(parse: Parse) -> None:
    claim = _one(parse, "“Our forces are inside the city,” the insurgents said on Telegram.")
    assert claim.channel is not None and claim.channel.text == "Telegram"


def test_statement_is_the_channel(parse: Parse) -> None:
    claim = _one(parse, "The company said in a statement that it would appeal.")
    assert claim.channel is not None and claim.channel.text == "a statement"


def test_date_after_on_is_not_a_channel(parse: Parse) -> None:
    assert _one(parse, "The company said on Monday that it would appeal.").channel is None


def test_addressee_of_tell_is_the_recipient(parse: Parse) -> None:
    claim = _one(parse, "The mayor told reporters that the bridge would reopen.")
    assert claim.recipient is not None and claim.recipient.text == "reporters"
    assert claim.channel is None


def test_organisation_told_is_recipient_and_channel(parse: Parse) -> None:
    claim = _one(parse, "Rami Abdurrahman told The Associated Press that the regime would fall.")
    assert claim.recipient is not None and claim.recipient.text == "The Associated Press"
    assert claim.channel == claim.recipient


def test_quoted_person_is_the_original_speaker(parse: Parse) -> None:
    text = "“Our forces are inside the city,” the insurgents said, quoting a local commander identified as "
    text += "Major Hassan Abdul-Ghani."
    claim = _one(parse, text)
    assert claim.claimant is not None and claim.claimant.text == "the insurgents"
    assert claim.original_speaker is not None
    assert claim.original_speaker.text == "Major Hassan Abdul-Ghani"
    assert claim.original_speaker.entity_id == "person:hassan-abdul-ghani"


def test_cited_unnamed_source_is_the_original_speaker_as_written(parse: Parse) -> None:
    claim = _one(parse, "Officials said that the road was closed, citing police sources.")
    assert claim.original_speaker is not None and claim.original_speaker.text == "police sources"
    assert claim.original_speaker.entity_id is None
