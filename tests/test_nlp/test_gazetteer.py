"""Behaviour of the GeoNames gazetteer lookups."""

from __future__ import annotations

from workers.nlp.gazetteer import GAZETTEER
from workers.nlp.names import name_key


def _places(name: str) -> list[tuple[str, str | None]]:
    return [(p.kind, p.country_code) for _, p in GAZETTEER.places(name_key(name))]


def test_country_is_found_by_its_own_name() -> None:
    assert _places("Syria")[0] == ("country", "SY")


def test_country_is_found_by_the_name_the_press_uses() -> None:
    assert _places("Britain")[0] == ("country", "GB")


def test_city_is_found_by_an_alternate_name() -> None:
    own, place = GAZETTEER.places(name_key("Hama"))[0]
    assert (own, place.kind, place.country_code) == (False, "city", "SY")


def test_regions_come_before_cities_of_the_same_name() -> None:
    assert [kind for kind, _ in _places("Georgia")][:2] == ["country", "state"]


def test_cities_of_one_name_come_by_population() -> None:
    populations = [p.population for _, p in GAZETTEER.places(name_key("Paris")) if p.kind == "city"]
    assert populations[0] == max(populations)


def test_unknown_name_has_no_places() -> None:
    assert _places("Sawaaeq") == []


def test_demonym_names_its_country() -> None:
    assert GAZETTEER.country_code(name_key("Syrian")) == "SY"


def test_irregular_demonym_names_its_country() -> None:
    assert GAZETTEER.country_code(name_key("British")) == "GB"


def test_demonym_two_countries_could_share_goes_to_the_larger() -> None:
    assert GAZETTEER.country_code(name_key("Nigerian")) == "NG"


def test_city_has_coordinates_and_populated_place_class() -> None:
    _, aleppo = GAZETTEER.places(name_key("Aleppo"))[0]
    assert aleppo.feature_class == "P" and aleppo.latitude is not None and aleppo.longitude is not None
