"""A name with its acronym in brackets right after it: "Food and Drug Administration (FDA)"."""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc

from workers.models import Entity
from workers.nlp.entities import group_entities
from workers.nlp.mentions import candidates

ParseWithEnts = Callable[[str, list[tuple[str, str]]], Doc]


def _mentions(entities: list[Entity]) -> dict[str, tuple[str, list[str]]]:
    return {e.name: (e.label, [m.text for m in e.mentions]) for e in entities}


def test_span_running_into_the_bracket_ends_before_it(parse_with_ents: ParseWithEnts) -> None:
    text = "The Ostrel Water Board (OWB) met."
    doc = parse_with_ents(text, [("Ostrel Water Board (OWB", "ORG")])
    assert [(c.mention.text, c.label) for c in candidates(doc)] == [("Ostrel Water Board", "ORG"), ("OWB", "ORG")]


def test_span_running_into_a_bracket_of_words_ends_before_it(parse_with_ents: ParseWithEnts) -> None:
    text = "Tolla Harbour (the old port) was quiet."
    doc = parse_with_ents(text, [("Tolla Harbour (the old port", "FAC")])
    assert [c.mention.text for c in candidates(doc)] == ["Tolla Harbour"]


def test_acronym_inside_the_span_is_a_mention_of_the_name(parse_with_ents: ParseWithEnts) -> None:
    text = "The Ostrel Water Board (OWB) met on Friday."
    doc = parse_with_ents(text, [("Ostrel Water Board (OWB", "ORG")])
    assert _mentions(group_entities(doc)) == {"Ostrel Water Board": ("ORG", ["Ostrel Water Board", "OWB"])}


def test_untagged_bracketed_acronym_is_a_mention_of_the_name(parse_with_ents: ParseWithEnts) -> None:
    text = "The Ostrel Water Board (OWB) met on Friday."
    doc = parse_with_ents(text, [("Ostrel Water Board", "ORG")])
    assert _mentions(group_entities(doc)) == {"Ostrel Water Board": ("ORG", ["Ostrel Water Board", "OWB"])}


def test_bracketed_acronym_of_other_letters_is_defined_by_the_bracket(parse_with_ents: ParseWithEnts) -> None:
    text = "Doctors of the Plains (MDP) sent teams. MDP said more were needed."
    doc = parse_with_ents(text, [("Doctors of the Plains", "ORG"), ("MDP", "ORG"), ("MDP", "ORG")])
    (doctors,) = group_entities(doc)
    assert [m.text for m in doctors.mentions] == ["Doctors of the Plains", "MDP", "MDP"]


def test_agency_of_a_dateline_is_not_the_places_acronym(parse_with_ents: ParseWithEnts) -> None:
    text = "OSTREL, Port Vamba (AQ) - Floods hit the city."
    doc = parse_with_ents(text, [("Port Vamba", "ORG"), ("AQ", "ORG")])
    assert set(_mentions(group_entities(doc))) == {"Port Vamba", "AQ"}


def test_bracketed_acronym_after_a_place_of_other_letters_is_not_its_name(parse_with_ents: ParseWithEnts) -> None:
    text = "Floods hit Port Vamba (AQ) on Friday."
    doc = parse_with_ents(text, [("Port Vamba", "GPE"), ("AQ", "ORG")])
    assert set(_mentions(group_entities(doc))) == {"Port Vamba", "AQ"}
