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
    assert [e.name for e in group_entities(doc)] == ["Rishi Sunak", "Anna Smith"]


def test_title_is_kept_on_the_mention_outside_its_span(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("Prime Minister Rishi Sunak spoke.", [("Prime Minister Rishi Sunak", "PERSON")])
    (mention,) = group_entities(doc)[0].mentions
    assert (mention.text, mention.title) == ("Rishi Sunak", "Prime Minister")


def test_mr_before_a_surname_mention_is_its_title(parse: Parse) -> None:
    entities = group_entities(parse("Bashar Assad spoke on Monday. Later, Mr Assad left Damascus."))
    assad = _by_name(entities)["Bashar Assad"]
    assert [(m.text, m.title) for m in assad.mentions] == [("Bashar Assad", None), ("Assad", "Mr")]


def test_title_words_are_kept_outside_person_names(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("General Motors cut jobs.", [("General Motors", "ORG")])
    assert [e.name for e in group_entities(doc)] == ["General Motors"]


def test_lower_case_the_is_not_part_of_the_mention(parse: Parse) -> None:
    doc = parse("The offensive is led by the Syrian National Army.")
    army = _by_name(group_entities(doc))["Syrian National Army"]
    assert army.mentions[0].text == "Syrian National Army"


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


def test_place_designator_is_left_out_of_name_and_mention(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("Clashes hit Hama city. Hama is calm.", [("Hama city", "GPE"), ("Hama", "GPE")])
    (hama,) = group_entities(doc)
    assert (hama.name, [m.text for m in hama.mentions]) == ("Hama", ["Hama", "Hama"])


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


def test_organisation_short_form_after_the_joins_the_full_name(parse: Parse) -> None:
    text = "The Syrian Observatory for Human Rights counted the dead. The Observatory's chief spoke."
    entities = group_entities(parse(text))
    observatory = _by_name(entities)["Syrian Observatory for Human Rights"]
    assert [m.text for m in observatory.mentions] == ["Syrian Observatory for Human Rights", "Observatory"]


def test_acronym_joins_the_organisation_it_abbreviates(parse_with_ents: ParseWithEnts) -> None:
    text = "The Korean Central News Agency reported it. KCNA said more."
    doc = parse_with_ents(text, [("Korean Central News Agency", "ORG"), ("KCNA", "ORG")])
    (agency,) = group_entities(doc)
    assert (agency.name, len(agency.mentions)) == ("Korean Central News Agency", 2)


def test_group_context_makes_an_organisation(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("It is led by the jihadi group Hayat Tahrir al-Sham.", [("Hayat Tahrir al-Sham", "PERSON")])
    assert [e.label for e in group_entities(doc)] == ["ORG"]


def test_country_is_a_place_whatever_spacy_said(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("Syria rejected the offer.", [("Syria", "ORG")])
    assert [e.label for e in group_entities(doc)] == ["GPE"]


def test_place_is_geocoded_in_the_country_the_article_is_about(parse: Parse) -> None:
    entities = group_entities(parse("Syrian rebels entered the city of Hama and marched on Damascus."))
    hama = _by_name(entities)["Hama"]
    assert hama.geo is not None
    assert (hama.geo.country_code, hama.geo.feature_class) == ("SY", "P")
    assert hama.geo.latitude is not None and hama.geo.longitude is not None


def test_unknown_place_stays_unresolved(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("Gunmen reached the neighbourhood of Sawaaeq.", [("Sawaaeq", "GPE")])
    (sawaaeq,) = group_entities(doc)
    assert (sawaaeq.label, sawaaeq.geo) == ("GPE", None)


def test_neighbourhood_is_not_geocoded_as_a_town_of_the_same_name(parse_with_ents: ParseWithEnts) -> None:
    text = "Fighting reached Syria and the northwestern neighbourhood of Kazo."
    doc = parse_with_ents(text, [("Syria", "GPE"), ("Kazo", "LOC")])
    assert _by_name(group_entities(doc))["Kazo"].geo is None


def test_people_and_organisations_are_not_geocoded(parse: Parse) -> None:
    entities = group_entities(parse("Angela Merkel met Microsoft in Paris."))
    assert all(e.geo is None for e in entities if e.label in ("PERSON", "ORG"))


def test_relative_date_is_resolved_by_the_publication_date(parse: Parse) -> None:
    doc = parse("Insurgents said on Thursday that they had entered the city.")
    entities = group_entities(doc, published_at="2024-11-29T10:00:00Z")
    thursday = _by_name(entities)["Thursday"]
    assert (thursday.date, thursday.id) == ("2024-11-28", "date:2024-11-28")


def test_relative_date_without_publication_date_has_no_iso_date(parse: Parse) -> None:
    entities = group_entities(parse("Insurgents said on Thursday that they had entered the city."))
    assert _by_name(entities)["Thursday"].date is None


def test_two_expressions_of_one_day_are_one_entity(parse: Parse) -> None:
    doc = parse("They met on Thursday. The Thursday, November 28 meeting was long. On November 28, 2024 it ended.")
    dates = [e for e in group_entities(doc, published_at="2024-11-29") if e.date == "2024-11-28"]
    assert len(dates) == 1


def test_every_entity_has_a_salience_between_zero_and_one(parse: Parse) -> None:
    entities = group_entities(parse("Bashar Assad met Vladimir Putin in Moscow. Assad thanked Putin."), title="Assad")
    assert all(e.salience is not None and 0.0 <= e.salience <= 1.0 for e in entities)


def test_entity_named_in_the_title_and_often_is_most_salient(parse: Parse) -> None:
    text = "Bashar Assad met Vladimir Putin in Moscow. Assad thanked Putin. Assad left."
    entities = group_entities(parse(text), title="Assad flies to Moscow")
    assert max(entities, key=lambda e: e.salience or 0.0).name == "Bashar Assad"


def test_a_month_that_is_also_a_town_stays_a_month(parse_with_ents: ParseWithEnts) -> None:
    # The gazetteer knows a town called March; "in March" is the month all the same.
    doc = parse_with_ents("Rates may fall in March. Exports rose in March.", [("March", "DATE"), ("March", "DATE")])
    assert {e.label for e in group_entities(doc)} == {"DATE"}


def test_a_time_word_does_not_relabel_a_name_written_the_same_way(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents('Nurses work at night. She sang at night. "Night" is her best song.', [
        ("night", "TIME"), ("night", "TIME"), ("Night", "WORK_OF_ART"),
    ])  # fmt: skip
    assert [(e.label, [m.text for m in e.mentions]) for e in group_entities(doc)] == [
        ("TIME", ["night", "night"]), ("WORK_OF_ART", ["Night"]),
    ]  # fmt: skip


def test_a_creek_and_a_station_are_places_whatever_spacy_said(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("Ice closed Tamsin Creek. Tamsin Creek froze near Orlova Station.", [
        ("Tamsin Creek", "ORG"), ("Tamsin Creek", "ORG"), ("Orlova Station", "PERSON"),
    ])  # fmt: skip
    assert [(e.name, e.label) for e in group_entities(doc)] == [("Tamsin Creek", "LOC"), ("Orlova Station", "FAC")]


def test_games_and_a_trophy_are_an_event_and_a_prize_whatever_spacy_said(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("She won at the Dravian Games and took the Orlov Trophy.", [
        ("Dravian Games", "GPE"), ("Orlov Trophy", "PERSON"),
    ])  # fmt: skip
    assert [(e.name, e.label) for e in group_entities(doc)] == [
        ("Dravian Games", "EVENT"), ("Orlov Trophy", "WORK_OF_ART"),
    ]  # fmt: skip
