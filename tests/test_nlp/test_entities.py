"""Behaviour of ``group_entities``: one entity per real-world thing in an article."""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc

from workers.ids import entity_id
from workers.models import Entity
from workers.nlp.entities import NUMERIC_LABELS, group_entities

Parse = Callable[[str], Doc]
ParseWithEnts = Callable[[str, list[tuple[str, str]]], Doc]


def _by_name(entities: list[Entity]) -> dict[str, Entity]:
    return {e.name: e for e in entities}


def test_surname_is_grouped_into_full_name(parse: Parse) -> None:
    doc = parse("Bashar Assad spoke on Monday. Later, Assad left Damascus.")
    assad = _by_name(group_entities(doc))["Bashar Assad"]
    assert assad.label == "PERSON"
    assert [m.text for m in assad.mentions] == ["Bashar Assad", "Assad"]


def test_surname_joins_the_most_recently_mentioned_full_name(parse_with_ents: ParseWithEnts) -> None:
    text = "John Smith met Jane Smith. Smith said it went well."
    doc = parse_with_ents(text, [("John Smith", "PERSON"), ("Jane Smith", "PERSON"), ("Smith", "PERSON")])
    jane = _by_name(group_entities(doc))["Jane Smith"]
    assert [m.start for m in jane.mentions] == [text.index("Jane"), text.index("Smith said")]


def test_surname_tagged_org_joins_the_person(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("Kristen Wilkins curated it. Wilkins said so.", [
        ("Kristen Wilkins", "PERSON"),
        ("Wilkins", "ORG"),
    ])  # fmt: skip
    (wilkins,) = group_entities(doc)
    assert (wilkins.label, wilkins.name, len(wilkins.mentions)) == ("PERSON", "Kristen Wilkins", 2)


def test_month_stays_a_date_beside_a_person_with_that_surname(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("Theresa May spoke in May.", [("Theresa May", "PERSON"), ("May", "DATE")])
    assert [(e.label, e.name) for e in group_entities(doc)] == [("PERSON", "Theresa May"), ("DATE", "May")]


def test_title_is_stripped_from_canonical_name(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("Prime Minister Rishi Sunak met Dr. Anna Smith.", [
        ("Prime Minister Rishi Sunak", "PERSON"),
        ("Dr. Anna Smith", "PERSON"),
    ])  # fmt: skip
    entities = group_entities(doc)
    assert [e.name for e in entities] == ["Rishi Sunak", "Anna Smith"]
    assert entities[0].mentions[0].text == "Prime Minister Rishi Sunak"  # the mention is as written


def test_title_words_are_kept_outside_person_names(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("General Motors cut jobs.", [("General Motors", "ORG")])
    assert [e.name for e in group_entities(doc)] == ["General Motors"]


def test_leading_the_is_stripped_from_name_but_kept_in_mention(parse: Parse) -> None:
    doc = parse("The offensive is led by the Syrian National Army.")
    army = _by_name(group_entities(doc))["Syrian National Army"]
    assert army.mentions[0].text == "the Syrian National Army"


def test_possessive_is_excluded_from_mention(parse_with_ents: ParseWithEnts) -> None:
    text = "It was a prize for Mr Assad's opponents."
    doc = parse_with_ents(text, [("Assad's", "PERSON")])
    (assad,) = group_entities(doc)
    assert (assad.name, assad.mentions[0].text) == ("Assad", "Assad")
    assert assad.mentions[0].end == text.index("'s")


def test_numeric_types_are_skipped_and_dates_kept(parse: Parse) -> None:
    doc = parse("The company sold 300 cars for $5 million, a 20 percent rise, on Monday.")
    assert {e.label_ for e in doc.ents} & NUMERIC_LABELS  # the model did find numbers
    assert [(e.label, e.name) for e in group_entities(doc)] == [("DATE", "Monday")]


def test_gpe_label_wins_over_other_labels_for_one_name(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("Hama fell. Rebels entered Hama. Hama is near Homs.", [
        ("Hama", "ORG"),
        ("Hama", "GPE"),
        ("Hama", "PERSON"),
    ])  # fmt: skip
    (hama,) = group_entities(doc)
    assert (hama.label, len(hama.mentions)) == ("GPE", 3)


def test_city_of_context_makes_a_place(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("They seized the city of Xyzabad.", [("Xyzabad", "PERSON")])
    assert [e.label for e in group_entities(doc)] == ["GPE"]


def test_place_designator_is_stripped_from_name(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("Clashes hit Hama city. Hama is calm.", [("Hama city", "GPE"), ("Hama", "GPE")])
    (hama,) = group_entities(doc)
    assert (hama.name, [m.text for m in hama.mentions]) == ("Hama", ["Hama city", "Hama"])


def test_majority_label_wins_without_gpe_vote(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("Acme grew. Acme hired. Acme left.", [
        ("Acme", "ORG"),
        ("Acme", "PERSON"),
        ("Acme", "ORG"),
    ])  # fmt: skip
    assert [e.label for e in group_entities(doc)] == ["ORG"]


def test_id_is_entity_id_of_label_and_name(parse: Parse) -> None:
    for entity in group_entities(parse("Angela Merkel visited Paris with Emmanuel Macron.")):
        assert entity.id == entity_id(entity.label, entity.name)


def test_entities_are_sorted_by_first_mention(parse: Parse) -> None:
    entities = group_entities(parse("Macron met Merkel in Berlin. Later Merkel flew to Paris."))
    firsts = [e.mentions[0].start for e in entities]
    assert firsts == sorted(firsts)
    for entity in entities:
        starts = [m.start for m in entity.mentions]
        assert starts == sorted(starts)


def test_grouping_is_deterministic(parse: Parse) -> None:
    text = "Bashar Assad met Vladimir Putin in Moscow. Assad thanked Putin and Russia."
    assert group_entities(parse(text)) == group_entities(parse(text))
