"""Behaviour of place resolution against the article's countries."""

from __future__ import annotations

from collections import Counter

from workers.nlp.geo import article_countries, locate, to_geo
from workers.nlp.names import name_key


def test_article_countries_count_names_and_demonyms() -> None:
    keys = [name_key(n) for n in ("Syria", "Syrian", "Syrian", "Britain")]
    assert article_countries(keys) == Counter({"SY": 3, "GB": 1})


def test_us_state_counts_for_the_united_states() -> None:
    assert article_countries([name_key("Texas")]) == Counter({"US": 1})


def test_city_in_an_article_country_wins_over_a_namesake_elsewhere() -> None:
    place = locate(name_key("Hama"), Counter({"SY": 2}))
    assert place is not None and place.country_code == "SY"


def test_much_larger_namesake_outside_the_article_countries_wins() -> None:
    place = locate(name_key("Paris"), Counter({"US": 3}))
    assert place is not None and place.country_code == "FR"


def test_dominant_city_is_taken_without_article_evidence() -> None:
    place = locate(name_key("Aleppo"), Counter())
    assert place is not None and place.country_code == "SY"


def test_ambiguous_city_without_article_evidence_stays_unresolved() -> None:
    assert locate(name_key("Kazo"), Counter()) is None


def test_unknown_name_stays_unresolved() -> None:
    assert locate(name_key("Zahiriyeh"), Counter({"SY": 1})) is None


def test_state_beats_country_of_the_same_name_in_a_us_article() -> None:
    place = locate(name_key("Georgia"), Counter({"US": 2}))
    assert place is not None and (place.kind, place.country_code) == ("state", "US")


def test_country_beats_state_of_the_same_name_elsewhere() -> None:
    place = locate(name_key("Georgia"), Counter({"RU": 1}))
    assert place is not None and place.kind == "country"


def test_large_city_beats_the_state_of_the_same_name() -> None:
    place = locate(name_key("Washington"), Counter({"US": 1}))
    assert place is not None and place.kind == "city"


def test_geo_carries_id_class_country_and_coordinates() -> None:
    place = locate(name_key("Damascus"), Counter({"SY": 1}))
    assert place is not None
    geo = to_geo(place)
    assert (geo.geonames_id, geo.feature_class, geo.country_code) == (place.geonames_id, "P", "SY")
    assert geo.latitude is not None and 33 < geo.latitude < 34
