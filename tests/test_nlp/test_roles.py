"""Behaviour of club, company and press roles, through ``group_entities``."""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc

from workers.nlp.entities import group_entities
from workers.nlp.roles import find_roles

Parse = Callable[[str], Doc]


def _labels(doc: Doc) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for entity in group_entities(doc):
        for mention in entity.mentions:
            found.setdefault(mention.text, set()).add(entity.label)
    return found


def test_place_named_sides_of_a_score_are_clubs(parse: Parse) -> None:
    labels = _labels(parse("Harrogate beat Oldham 3-1 on Saturday. Harrogate now lead the table."))
    assert labels["Harrogate"] == {"ORG"}
    assert labels["Oldham"] == {"ORG"}


def test_sides_of_a_result_without_a_score_are_clubs_when_places(parse: Parse) -> None:
    labels = _labels(parse("Sheffield lost to Bristol in the cup, and Sheffield manager Tom Reed was angry."))
    assert labels["Sheffield"] == {"ORG"}
    assert labels["Bristol"] == {"ORG"}


def test_a_city_hit_by_a_bomb_stays_a_city(parse: Parse) -> None:
    labels = _labels(parse("A bomb hit Leeds on Friday, and police in Leeds closed roads."))
    assert labels.get("Leeds") == {"GPE"}


def test_club_city_is_a_place_where_the_syntax_says_so(parse: Parse) -> None:
    labels = _labels(parse("Leeds beat Chelsea 2-1. Fans celebrated in Leeds until midnight."))
    assert labels["Leeds"] == {"ORG", "GPE"}


def test_national_sides_stay_places(parse: Parse) -> None:
    labels = _labels(parse("France beat Germany 2-0 in Paris."))
    assert labels["France"] == {"GPE"}


def test_people_with_a_score_stay_people(parse: Parse) -> None:
    labels = _labels(parse("Roger Federer beat Rafael Nadal 6-4 in the final."))
    assert labels["Roger Federer"] == {"PERSON"}


def test_results_and_standings_rows_name_clubs(parse: Parse) -> None:
    text = "Results:\nHarrogate 2 Oldham 1\nStandings:\n1. Harrogate 38 26 6 6 84\n2. Oldham 38 24 8 6 80"
    labels = _labels(parse(text))
    assert labels["Harrogate"] == {"ORG"} and labels["Oldham"] == {"ORG"}
    assert not any(name[0].isdigit() for name in labels)  # the columns are not dates


def test_club_word_makes_a_club_but_not_a_city_named_city(parse: Parse) -> None:
    assert [(s.role, s.start) for s in find_roles("Leicester City won.")] == [("club", 0)]
    labels = _labels(parse("Leicester City won, and a storm hit Mexico City."))
    assert labels["Leicester City"] == {"ORG"}
    assert labels["Mexico City"] == {"GPE"}


def test_person_named_company_with_shares_is_an_org(parse: Parse) -> None:
    labels = _labels(parse("Dell shares fell 6 percent, and Dell said it would cut jobs."))
    assert labels["Dell"] == {"ORG"}


def test_person_said_he_stays_a_person(parse: Parse) -> None:
    labels = _labels(parse("Michael Dell said he would retire. Dell said he was proud."))
    assert labels["Michael Dell"] == {"PERSON"}


def test_media_after_told_is_an_org(parse: Parse) -> None:
    labels = _labels(parse("The minister told the Herald on Monday that talks had failed."))
    assert labels["Herald"] == {"ORG"}


def test_told_a_person_is_no_media_role() -> None:
    assert find_roles("The minister told John Smith that talks had failed.") == []
