"""Behaviour of mention trimming and the context evidence of ``candidates``."""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc

from workers.nlp.mentions import candidates

ParseWithEnts = Callable[[str, list[tuple[str, str]]], Doc]


def test_lower_case_the_is_cut_from_the_span(parse_with_ents: ParseWithEnts) -> None:
    (cand,) = candidates(
        parse_with_ents("It was led by the Syrian National Army.", [("the Syrian National Army", "ORG")])
    )
    assert cand.mention.text == "Syrian National Army"


def test_sentence_initial_the_is_cut_from_the_span(parse_with_ents: ParseWithEnts) -> None:
    (cand,) = candidates(parse_with_ents("The Associated Press said so.", [("The Associated Press", "ORG")]))
    assert cand.mention.text == "Associated Press"


def test_capital_the_inside_a_sentence_is_part_of_the_name(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("He told The Associated Press so.", [("The Associated Press", "ORG")])
    (cand,) = candidates(doc)
    assert (cand.mention.text, cand.name) == ("The Associated Press", "Associated Press")


def test_title_inside_the_span_moves_to_the_mention_title(parse_with_ents: ParseWithEnts) -> None:
    (cand,) = candidates(parse_with_ents("Major Hassan Abdul-Ghani spoke.", [("Major Hassan Abdul-Ghani", "PERSON")]))
    assert (cand.mention.text, cand.mention.title) == ("Hassan Abdul-Ghani", "Major")


def test_title_before_the_span_is_recorded(parse_with_ents: ParseWithEnts) -> None:
    (cand,) = candidates(parse_with_ents("It was a prize for Mr Assad.", [("Assad", "PERSON")]))
    assert (cand.mention.text, cand.mention.title, cand.context) == ("Assad", "Mr", "person")


def test_possessive_is_cut_from_the_span(parse_with_ents: ParseWithEnts) -> None:
    (cand,) = candidates(parse_with_ents("It was Syria's largest city.", [("Syria's", "GPE")]))
    assert cand.mention.text == "Syria"


def test_lower_case_designator_is_cut_from_a_place(parse_with_ents: ParseWithEnts) -> None:
    (cand,) = candidates(parse_with_ents("Hama province borders Latakia.", [("Hama province", "GPE")]))
    assert cand.mention.text == "Hama"


def test_two_names_run_together_at_a_lower_case_the_are_cut(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("According to Rathbun the Scientology property was returned.", [
        ("Rathbun the Scientology", "ORG"),
    ])  # fmt: skip
    assert [c.mention.text for c in candidates(doc)] == ["Rathbun"]


def test_numeric_entities_are_not_candidates(parse_with_ents: ParseWithEnts) -> None:
    assert candidates(parse_with_ents("They sold 300 cars.", [("300", "CARDINAL")])) == []


def test_city_of_x_is_place_context(parse_with_ents: ParseWithEnts) -> None:
    (cand,) = candidates(parse_with_ents("They seized the city of Xyzabad.", [("Xyzabad", "PERSON")]))
    assert cand.context == "place"


def test_neighbourhood_of_x_is_locality_context(parse_with_ents: ParseWithEnts) -> None:
    (cand,) = candidates(parse_with_ents("They reached the neighbourhood of Kazo.", [("Kazo", "LOC")]))
    assert cand.context == "locality"


def test_group_apposition_is_organisation_context(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("It is led by the jihadi group Hayat Tahrir al-Sham.", [("Hayat Tahrir al-Sham", "PERSON")])
    assert [c.context for c in candidates(doc)] == ["org"]


def test_in_x_is_locative_context(parse_with_ents: ParseWithEnts) -> None:
    (cand,) = candidates(parse_with_ents("Fighting broke out in Perth.", [("Perth", "PERSON")]))
    assert cand.context == "locative"


def test_dates_and_times_keep_their_the(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents(
        "The river was dirtier in the 1980s. The Rovers scored in the 58th minute.",
        [("the 1980s", "DATE"), ("the 58th minute", "TIME")],
    )
    assert [c.mention.text for c in candidates(doc)] == ["the 1980s", "the 58th minute"]


def test_a_sentence_opening_the_stays_on_a_time(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("The next morning the ferry sailed.", [("The next morning", "TIME")])
    assert [c.mention.text for c in candidates(doc)] == ["The next morning"]


def test_an_age_between_commas_or_after_a_verb_is_a_date(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("Tomas Ferrant, 58, of Hill Road, pleaded guilty. His mother was 84.", [
        ("Tomas Ferrant", "PERSON"), ("58", "DATE"), ("84", "DATE"),
    ])  # fmt: skip
    assert [(c.mention.text, c.label) for c in candidates(doc)] == [
        ("Tomas Ferrant", "PERSON"), ("58", "DATE"), ("84", "DATE"),
    ]  # fmt: skip


def test_a_number_in_a_row_of_figures_is_no_date(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("Standings:\n1. Harrogate 38 26 6 6 84\nResults:\nOldham 2 Bury 1", [
        ("84", "DATE"), ("2", "DATE"),
    ])  # fmt: skip
    assert candidates(doc) == []


def test_in_before_a_date_is_no_place_context(parse_with_ents: ParseWithEnts) -> None:
    (cand,) = candidates(parse_with_ents("The book comes out in March.", [("March", "DATE")]))
    assert cand.context is None


def test_a_lone_number_that_is_no_date_is_no_name(parse_with_ents: ParseWithEnts) -> None:
    assert candidates(parse_with_ents("They flew on the 747 to Lima.", [("747", "PRODUCT")])) == []


def test_x_after_an_organisation_noun_and_of_is_no_organisation_context(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("He played for the national team of Freedonia.", [("Freedonia", "GPE")])
    (cand,) = candidates(doc)
    assert cand.context is None


def test_a_names_last_word_can_say_it_is_a_landform_or_a_facility(parse_with_ents: ParseWithEnts) -> None:
    doc = parse_with_ents("Ice closed Tamsin Creek near Orlova Station.", [
        ("Tamsin Creek", "PERSON"), ("Orlova Station", "PERSON"),
    ])  # fmt: skip
    assert [c.context for c in candidates(doc)] == ["landform", "facility"]


def test_a_surname_that_is_also_a_place_word_says_nothing(parse_with_ents: ParseWithEnts) -> None:
    (cand,) = candidates(parse_with_ents("Director Tamsin Bay spoke.", [("Tamsin Bay", "PERSON")]))
    assert cand.context is None
