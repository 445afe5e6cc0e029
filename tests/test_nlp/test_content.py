"""Behaviour of content spans: what each cue reports."""

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


def test_complement_split_by_the_parser_is_one_content(parse: Parse) -> None:
    text = "Recent reports have revealed that a defector from the elite group called the Sea Org was "
    text += "first persuaded to travel back to California."
    (claim,) = _claims(parse, text)
    assert claim.content.text.endswith("travel back to California")


def test_as_clause_reports_the_main_clause(parse: Parse) -> None:
    (claim,) = _claims(
        parse, "As Heald told The Huffington Post, US surface ozone has dropped due to the Clean Air Act."
    )
    assert claim.content.text == "US surface ozone has dropped due to the Clean Air Act"


def test_that_clause_hung_on_a_statement_is_content(parse: Parse) -> None:
    text = "Steve Whitmore told LA Weekly in a statement that the case was being dealt with as grand theft."
    (claim,) = _claims(parse, text)
    assert claim.content.text == "the case was being dealt with as grand theft"


def test_object_of_announce_runs_through_a_misattached_infinitive(parse: Parse) -> None:
    text = "On Tuesday, the government announced the start of a public process to suggest designs for a new flag."
    (claim,) = _claims(parse, text)
    assert claim.content.text.endswith("designs for a new flag")
