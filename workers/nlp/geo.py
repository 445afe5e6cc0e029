"""Find a place name in the gazetteer, disambiguated by what the article is about.

"Hama" is a city in Syria and (by an alternate name) a town in Japan; an article
that mentions Syria or Syrians means the first. The countries an article is about
are read from its own words: country names, the press's names for them and
demonyms, each weighted by how often it occurs. A place that the gazetteer does not
know, or knows only ambiguously with nothing in the article to choose, stays
unresolved: a wrong pin on a map is worse than none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Final

from workers.models import Geo
from workers.nlp.gazetteer import GAZETTEER, Gazetteer, Place

__all__ = ["article_countries", "locate", "to_geo"]

#: A city outside the article's countries is taken only when it outnumbers every
#: other place of that name this many times over ("Paris": France, not Texas).
_DOMINANCE: Final = 10
#: A city this large beats a US state of the same name ("Washington", "New York").
_STATE_BEATING_CITY: Final = 500_000


def article_countries(keys: Iterable[tuple[str, ...]], gazetteer: Gazetteer = GAZETTEER) -> Counter[str]:
    """How often each country is named in an article, as ISO code -> count.

    Args:
        keys: The folded names of every entity mention in the article, whatever
            its label ("Syria", "Syrian", "Britain", "Texas").
    """
    counts: Counter[str] = Counter()
    for key in keys:
        code = gazetteer.country_code(key)
        if code is None:
            code = next((p.country_code for _, p in gazetteer.places(key) if p.kind == "state"), None)
        if code:
            counts[code] += 1
    return counts


def locate(key: tuple[str, ...], countries: Counter[str], gazetteer: Gazetteer = GAZETTEER) -> Place | None:
    """The place a name most likely stands for in an article about ``countries``.

    A country, continent or US state by that name wins, except that a city of over
    half a million beats a state (and a state beats a country of the same name only
    when the article is about the US and not about that country). Among cities, one
    in a country the article names wins (the most named country, then the city's own
    name over an alternate, then population) unless another is ten times larger;
    failing that, a city that dominates all others of its name.

    Returns:
        The place, or None when the gazetteer does not know the name or cannot
        choose.
    """
    entries = gazetteer.places(key)
    if not entries:
        return None
    cities = [(own, p) for own, p in entries if p.kind == "city"]
    regions = [p for _, p in entries if p.kind != "city"]
    if regions:
        region = _region(regions, countries)
        big = next((p for _, p in cities if p.population >= _STATE_BEATING_CITY), None)
        if region.kind == "state" and big is not None and big.country_code == "US":
            return big
        return region
    local = [(countries[p.country_code or ""], own, p.population, p) for own, p in cities]
    best = max(local, key=lambda c: (c[0], c[1], c[2], -c[3].geonames_id))
    top, *rest = sorted((p for _, p in cities), key=lambda p: (-p.population, p.geonames_id))
    if best[0] > 0 and top.population < _DOMINANCE * best[3].population:
        return best[3]  # "Damascus" in an article about Syria, not the one in Oregon
    others = [p for p in rest if p.geonames_id != top.geonames_id]
    if not others or top.population >= _DOMINANCE * others[0].population:
        return top  # "Paris" is in France even in an article that names Texas
    return None


def _region(regions: list[Place], countries: Counter[str]) -> Place:
    """A country, or a US state of the same name when the article is about the US
    rather than that country ("Georgia")."""
    country = next((p for p in regions if p.kind == "country"), None)
    state = next((p for p in regions if p.kind == "state"), None)
    if country is not None and state is not None:
        return state if countries["US"] > countries[country.country_code or ""] else country
    return regions[0]


def to_geo(place: Place) -> Geo:
    """The event model of a gazetteer place."""
    return Geo(
        geonames_id=place.geonames_id,
        name=place.name,
        feature_class=place.feature_class,
        country_code=place.country_code,
        latitude=place.latitude,
        longitude=place.longitude,
    )
