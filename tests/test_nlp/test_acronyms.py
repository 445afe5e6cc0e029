"""Acronyms and clippings of an organisation's full name are that organisation."""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc

from workers.models import Entity
from workers.nlp.entities import group_entities
from workers.nlp.names import acronyms, clipped_prefixes

Parse = Callable[[str], Doc]
ParseWithEnts = Callable[[str, list[tuple[str, str]]], Doc]


def _mentions(entities: list[Entity]) -> dict[str, tuple[str, list[str]]]:
    return {e.name: (e.label, [m.text for m in e.mentions]) for e in entities}


def test_acronym_is_the_initials_of_the_capitalised_words() -> None:
    assert acronyms("European Central Bank") == {"ECB"}


def test_acronym_may_keep_small_words_in_capitals_or_lower_case() -> None:
    assert acronyms("Bank of England") == {"BE", "BOE", "BoE"}


def test_a_word_written_as_an_acronym_gives_all_its_capitals() -> None:
    assert acronyms("Zeta BTX Analytics") == {"ZBTXA"}


def test_company_acronym_may_leave_out_the_suffix() -> None:
    assert "QRM" in acronyms("Quill River Mills Corp")


def test_clipping_is_a_short_prefix_of_the_first_word_ending_on_a_consonant() -> None:
    assert clipped_prefixes("Federal Reserve") == {"Fed"}
    assert clipped_prefixes("European Central Bank") == {"Eur"}  # never "Euro"
    assert clipped_prefixes("General Motors") == frozenset()  # a title word


def test_tagged_acronym_joins_the_full_name_and_takes_its_label(parse_with_ents: ParseWithEnts) -> None:
    text = "The Varnian Monetary Authority raised rates. VMA officials said more."
    doc = parse_with_ents(text, [("Varnian Monetary Authority", "ORG"), ("VMA", "PERSON")])
    (authority,) = group_entities(doc)
    assert (authority.label, [m.text for m in authority.mentions]) == ("ORG", ["Varnian Monetary Authority", "VMA"])


def test_mixed_case_acronym_with_a_small_word_joins_the_full_name(parse_with_ents: ParseWithEnts) -> None:
    text = "The Bank of Zembla held rates. Markets expect the BoZ to cut."
    doc = parse_with_ents(text, [("Bank of Zembla", "ORG"), ("BoZ", "ORG")])
    assert _mentions(group_entities(doc)) == {"Bank of Zembla": ("ORG", ["Bank of Zembla", "BoZ"])}


def test_untagged_acronym_becomes_a_mention_of_the_full_name(parse_with_ents: ParseWithEnts) -> None:
    text = "The Norland Health Agency issued advice. NHA officials said cases fell."
    doc = parse_with_ents(text, [("Norland Health Agency", "ORG")])
    assert _mentions(group_entities(doc))["Norland Health Agency"][1] == ["Norland Health Agency", "NHA"]


def test_untagged_acronym_before_a_title_is_a_mention(parse_with_ents: ParseWithEnts) -> None:
    text = "The Norland Health Agency issued advice. NHA President Jo Pike spoke."
    doc = parse_with_ents(text, [("Norland Health Agency", "ORG"), ("Jo Pike", "PERSON")])
    assert _mentions(group_entities(doc))["Norland Health Agency"][1] == ["Norland Health Agency", "NHA"]


def test_untagged_stop_word_acronym_of_three_letters_is_a_mention(parse_with_ents: ParseWithEnts) -> None:
    text = "The World Hiking Organization met. WHO officials said trails were open."
    doc = parse_with_ents(text, [("World Hiking Organization", "ORG")])
    assert _mentions(group_entities(doc))["World Hiking Organization"][1] == ["World Hiking Organization", "WHO"]


def test_clipped_first_word_after_the_joins_the_full_name(parse_with_ents: ParseWithEnts) -> None:
    text = "The Federal Reserve held rates. Traders expect the Fed to cut."
    doc = parse_with_ents(text, [("Federal Reserve", "ORG"), ("Fed", "ORG")])
    assert _mentions(group_entities(doc)) == {"Federal Reserve": ("ORG", ["Federal Reserve", "Fed"])}


def test_clipping_tagged_as_a_person_stays_a_person(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("Samber Electronics grew. Sam said so.", [("Samber Electronics", "ORG"), ("Sam", "PERSON")])
    assert _mentions(group_entities(doc))["Sam"] == ("PERSON", ["Sam"])


def test_acronym_of_no_full_name_in_the_article_stays_as_it_is(parse_with_ents: ParseWithEnts) -> None:
    text = "The Norland Health Agency issued advice. XYZ officials disagreed."
    doc = parse_with_ents(text, [("Norland Health Agency", "ORG"), ("XYZ", "ORG")])
    assert _mentions(group_entities(doc))["XYZ"] == ("ORG", ["XYZ"])


def test_acronym_tagged_as_a_country_stays_the_country(parse_with_ents: ParseWithEnts) -> None:
    text = "The Union of Students voted. Officials in the US disagreed."
    doc = parse_with_ents(text, [("Union of Students", "ORG"), ("US", "GPE")])
    assert _mentions(group_entities(doc))["US"] == ("GPE", ["US"])


def test_two_letter_common_word_in_capitals_is_not_an_acronym(parse_with_ents: ParseWithEnts) -> None:
    text = "Ivory Telecom hired staff. IT staff were sent home."
    doc = parse_with_ents(text, [("Ivory Telecom", "ORG")])
    assert _mentions(group_entities(doc)) == {"Ivory Telecom": ("ORG", ["Ivory Telecom"])}


def test_acronym_in_a_shouted_line_is_not_a_mention(parse_with_ents: ParseWithEnts) -> None:
    text = "The Wide Horizon Organization met.\nWHO WILL PAY FOR IT\nNobody knows."
    doc = parse_with_ents(text, [("Wide Horizon Organization", "ORG")])
    assert _mentions(group_entities(doc)) == {"Wide Horizon Organization": ("ORG", ["Wide Horizon Organization"])}


def test_acronym_shared_by_two_full_names_names_neither(parse_with_ents: ParseWithEnts) -> None:
    text = "The Central Bureau met the Civic Board. CB officials left."
    doc = parse_with_ents(text, [("Central Bureau", "ORG"), ("Civic Board", "ORG"), ("CB", "ORG")])
    assert _mentions(group_entities(doc))["CB"] == ("ORG", ["CB"])
