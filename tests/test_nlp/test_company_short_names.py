"""A company's name without its suffix ("Ford" of "Ford Motor Co") is that company."""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc

from workers.models import Entity
from workers.nlp.entities import group_entities
from workers.nlp.names import company_short_names

ParseWithEnts = Callable[[str, list[tuple[str, str]]], Doc]


def _mentions(entities: list[Entity]) -> dict[str, tuple[str, list[str]]]:
    return {e.name: (e.label, [m.text for m in e.mentions]) for e in entities}


def test_short_names_are_the_first_words_before_the_suffix() -> None:
    assert company_short_names("Brannock Motor Co") == ("Brannock", "Brannock Motor")
    assert company_short_names("Kestrel Inc.") == ("Kestrel",)


def test_a_title_word_alone_is_no_short_name() -> None:
    assert company_short_names("General Quarry Corp") == ("General Quarry",)


def test_name_without_a_suffix_has_no_short_names() -> None:
    assert company_short_names("Brannock Motor") == ()


def test_short_name_tagged_person_is_the_company(parse_with_ents: ParseWithEnts) -> None:
    text = "Kestrel Inc. reported a profit. Kestrel said demand was strong."
    doc = parse_with_ents(text, [("Kestrel Inc.", "ORG"), ("Kestrel", "PERSON")])
    assert _mentions(group_entities(doc)) == {"Kestrel Inc.": ("ORG", ["Kestrel Inc.", "Kestrel"])}


def test_short_names_of_one_company_join_its_longest_name(parse_with_ents: ParseWithEnts) -> None:
    text = "Brannock Motor Co hired staff. Brannock Motor grew, and Brannock said so."
    doc = parse_with_ents(text, [
        ("Brannock Motor Co", "ORG"), ("Brannock Motor", "ORG"), ("Brannock", "PERSON"),
    ])  # fmt: skip
    (company,) = group_entities(doc)
    assert (company.label, company.name, len(company.mentions)) == ("ORG", "Brannock Motor Co", 3)


def test_untagged_short_name_is_a_mention_of_the_company(parse_with_ents: ParseWithEnts) -> None:
    text = "Kestrel Inc. reported a profit. Analysts said Kestrel would grow."
    doc = parse_with_ents(text, [("Kestrel Inc.", "ORG")])
    assert _mentions(group_entities(doc)) == {"Kestrel Inc.": ("ORG", ["Kestrel Inc.", "Kestrel"])}


def test_short_name_after_a_title_stays_a_person(parse_with_ents: ParseWithEnts) -> None:
    text = "Kestrel Inc. reported a profit. Mr Kestrel said he was pleased."
    doc = parse_with_ents(text, [("Kestrel Inc.", "ORG"), ("Kestrel", "PERSON")])
    assert _mentions(group_entities(doc))["Kestrel"] == ("PERSON", ["Kestrel"])


def test_untagged_short_name_after_a_title_is_not_the_company(parse_with_ents: ParseWithEnts) -> None:
    text = "Kestrel Inc. reported a profit. Mr Kestrel said he was pleased."
    doc = parse_with_ents(text, [("Kestrel Inc.", "ORG")])
    assert _mentions(group_entities(doc)) == {"Kestrel Inc.": ("ORG", ["Kestrel Inc."])}


def test_short_name_in_a_persons_full_name_stays_the_person(parse_with_ents: ParseWithEnts) -> None:
    text = "Hal Brannock founded Brannock Motor Co in 1903. Brannock later wrote a book."
    doc = parse_with_ents(text, [("Hal Brannock", "PERSON"), ("Brannock Motor Co", "ORG"), ("Brannock", "ORG")])
    assert _mentions(group_entities(doc))["Hal Brannock"] == ("PERSON", ["Hal Brannock", "Brannock"])


def test_place_named_short_name_stays_the_place(parse_with_ents: ParseWithEnts) -> None:
    text = "Tolland Scientific Corp grew. Rain fell in Tolland."
    doc = parse_with_ents(text, [("Tolland Scientific Corp", "ORG"), ("Tolland", "GPE")])
    assert _mentions(group_entities(doc))["Tolland"] == ("GPE", ["Tolland"])
