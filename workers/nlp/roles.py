"""Names whose role in the sentence says what they are: clubs, companies, the press.

The small model labels a name by what it memorised about the word: "Leeds" is a
city, "Ford" and "Dell" are people, "Ajax" and "PSV" are nothing at all. News
writes such names in a few fixed ways that settle it:

- a club: a side of a result ("Leeds beat Chelsea 2-1", "Boston lost to Toronto
  4-3", "Chelsea host Liverpool"), a row of a results table or a standings table
  ("Leeds 2 Chelsea 1", "1. Arsenal 38 26 6 6 84"), a name with a club word
  ("Leicester City", "FC Utrecht"), or a place with a club role noun ("Leeds
  manager", "Boston coach");
- a company: "Dell shares fell", "Ford reported a profit", "Ford cut 3,000 jobs";
- the press: "told the BBC", "an interview with CNN", "the Financial Times
  reported", a name built on a newspaper word ("Times", "Post", "Journal").

Each finding is a span of the text with a role; :mod:`workers.nlp.entities` turns
them into evidence at document level. Patterns are regular expressions over the
text, not the parse: the parser is least reliable exactly on these sentences
(scores, tables and headlines).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Final, Literal

from workers.models import Mention
from workers.nlp.gazetteer import GAZETTEER
from workers.nlp.mentions import Candidate, Context
from workers.nlp.names import name_key

__all__ = ["Role", "RoleSpan", "find_roles", "role_candidates"]

#: "club": a sports team (a table row, a club word); "club_if_not_person": a side of
#: a result with a score, unless it is a person ("Federer beat Nadal 6-4");
#: "club_if_place": a side of a result without a score, or a name with a club role
#: noun, when it is a place or organisation (not a person, not a country);
#: "company": a business; "media": a newspaper, broadcaster or news agency.
Role = Literal["club", "club_if_not_person", "club_if_place", "company", "media"]

_NAME: Final = r"[A-Z][\w&'\u2019-]*(?:[ ](?:[A-Z][\w&'\u2019-]*|de|van|der|del))*"
#: A name in ordinary case ("Leicester City", not "AS RAINS" in a shouted line).
_CASED_NAME: Final = r"[A-Z][a-z][\w&'\u2019-]*(?:[ ][A-Z][a-z][\w&'\u2019-]*)*"
#: Words that make a place's name a club's ("Leicester City"). "Town", "County",
#: "Palace" or "Forest" would too, but name places and buildings more often
#: ("Orange County", "Buckingham Palace"); "City" is safe once the gazetteer has
#: said "Mexico City" is a place.
_CLUB_SUFFIX: Final = (
    r"United|City|FC|AFC|Rovers|Athletic|Wanderers|Albion|Rangers|Hotspur|Argyle|Orient|"
    r"Thistle|Academical|SC|CF"
)
_CLUB_PREFIX: Final = r"FC|AC|AS|SC|Real|Atletico|Atlético|Dynamo|Dinamo|Sporting|Olympique|Borussia|Inter"
_RESULT_VERB: Final = (
    r"beat|beats|defeated|defeats|edged|edges|thrashed|thrashes|hammered|hammers|routed|routs|"
    r"crushed|stunned|downed|overcame|outclassed|drew with|draw with|draws with|drew against|"
    r"lost to|lose to|loses to|lost at|fell to|were beaten by|was beaten by|were held by|held|"
    r"host|hosts|hosted|face|faces|faced|visit|visits|visited|v|vs\.?"
)
_SCORE: Final = r"\(?\d{1,3}\)?[ ]?[-\u2013][ ]?\(?\d{1,3}\)?"
_ROLE_NOUN: Final = (
    r"manager|coach|head coach|boss|striker|midfielder|defender|goalkeeper|keeper|winger|"
    r"forward|captain|fans|supporters|squad|academy"
)
_MOVE: Final = (
    r"rose|fell|jumped|dropped|slid|gained|climbed|slumped|tumbled|surged|soared|plunged|"
    r"sank|closed|ended|edged|were|was|have|has|rallied|dipped"
)
_MEDIA_WORD: Final = (
    r"Times|Post|Journal|Herald|Telegraph|Guardian|Gazette|Tribune|Chronicle|Observer|"
    r"Independent|News|Mail|Express|Mirror|Standard|Economist|Press|Radio|Television|TV|"
    r"Broadcasting|Daily|Globe|Monitor|Magazine|Weekly|Today|Reuters|Bloomberg"
)
_MEDIA_NAME: Final = rf"(?:{_NAME}[ ])?(?:{_MEDIA_WORD})\b|[A-Z]{{2,5}}\b"

_PATTERNS: Final[tuple[tuple[re.Pattern[str], Role], ...]] = (
    (re.compile(rf"(?P<a>{_NAME})[ ](?:{_RESULT_VERB})[ ](?P<b>{_NAME})[ ,]+(?:by[ ])?{_SCORE}"), "club_if_not_person"),
    (re.compile(rf"(?P<a>{_NAME})[ ](?:{_RESULT_VERB})[ ](?:the[ ])?(?P<b>{_NAME})\b"), "club_if_place"),
    (re.compile(rf"(?P<a>{_CASED_NAME}[ ](?:{_CLUB_SUFFIX}))\b(?![ ]?[A-Z])"), "club"),
    (re.compile(rf"\b(?P<a>(?:{_CLUB_PREFIX})[ ]{_CASED_NAME})"), "club"),
    (re.compile(rf"(?P<a>{_NAME})(?:['\u2019]s)?[ ](?:{_ROLE_NOUN})\b"), "club_if_place"),
    # Results and standings tables: "Leeds 2 Chelsea 1", "Chelsea (1) 2 Leeds (0) 1",
    # "1. Arsenal 38 26 6 6 84".
    (
        re.compile(
            rf"^[ \t]*(?P<a>{_NAME})[ \t]+(?:\(\d{{1,3}}\)[ \t]+)?\d{{1,3}}[ \t,-]+"
            rf"(?P<b>{_NAME})[ \t]+(?:\(\d{{1,3}}\)[ \t]+)?\d{{1,3}}[ \t]*$",
            re.MULTILINE,
        ),
        "club",
    ),
    (re.compile(rf"^[ \t]*\d{{1,3}}[.)]?[ \t]+(?P<a>{_NAME})(?:[ \t]+-?\d{{1,4}}){{3,}}[ \t]*$", re.MULTILINE), "club"),
    (
        re.compile(rf"(?P<a>{_NAME})(?:['\u2019]s)?[ ](?:shares|stock|share price)[ ](?:[a-z]+[ ])?(?:{_MOVE})\b"),
        "company",
    ),
    (
        re.compile(
            rf"(?P<a>{_NAME})[ ](?:reported|posted|booked|forecast|cut|slashed|raised|lowered)[ ]"
            r"(?:its[ ]|a[ ]|an[ ])?(?:[\w-]+[ ]){0,2}(?:profit|profits|loss|revenue|sales|earnings|"
            r"jobs|forecast|outlook|guidance|dividend)\b"
        ),
        "company",
    ),
    (re.compile(rf"\b(?:told|tell|tells|telling)[ ](?:the[ ])?(?P<a>{_MEDIA_NAME})"), "media"),
    (re.compile(rf"\binterview[ ]with[ ](?:the[ ])?(?P<a>{_MEDIA_NAME})"), "media"),
    (re.compile(rf"\baccording[ ]to[ ](?:the[ ])?(?P<a>{_MEDIA_NAME})"), "media"),
    (
        re.compile(
            rf"(?P<a>(?:{_NAME}[ ])?(?:{_MEDIA_WORD})|[A-Z]{{2,5}})[ ](?:reported|reports|wrote|writes|"
            r"quoted|cited|broadcast|published)\b"
        ),
        "media",
    ),
)
#: Words that open a sentence or a clause and so look like the start of a name.
_NOT_NAME: Final = frozenset({"The", "A", "An", "In", "On", "At", "But", "And", "When", "After", "While", "It", "He",
                               "She", "They", "We", "I", "His", "Her", "Their", "This", "That", "Shares", "Rival",
                               "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
                               "January", "February", "March", "April", "June", "July", "August", "September",
                               "October", "November", "December", "Last", "Earlier", "Later", "Then"})  # fmt: skip


@dataclass(frozen=True, slots=True)
class RoleSpan:
    """A name (``text[start:end]``) the pattern around it gives a role."""

    start: int
    end: int
    role: Role


def find_roles(text: str) -> list[RoleSpan]:
    """Every name in ``text`` that a club, company or press pattern names, in order.

    A name found by two patterns is listed once per role.
    """
    found: set[RoleSpan] = set()
    for pattern, role in _PATTERNS:
        for match in pattern.finditer(text):
            for group in ("a", "b"):
                if group in pattern.groupindex and match.group(group):
                    span = _trimmed(text, match.start(group), match.end(group))
                    if span is not None:
                        found.add(RoleSpan(span[0], span[1], role))
    return sorted(found, key=lambda s: (s.start, s.end, s.role))


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The name without a sentence-opening word before it ("The Maple Leafs" -> "Maple
    Leafs", "Rival General Motors") and without a trailing full stop."""
    words = text[start:end].split(" ")
    if words[0] == "The" and len(words) > 1 and start > 1 and text[start - 2] not in '.!?\n:"“':
        return (start, end)  # "told The Associated Press": mid-sentence, part of the name
    while len(words) > 1 and words[0] in _NOT_NAME:
        start += len(words[0]) + 1
        words = words[1:]
    if words[0] in _NOT_NAME:
        return None
    while end > start and text[end - 1] in ".\u2019'":
        end -= 1
    return (start, end) if end > start else None


#: Labels of names that a club or company pattern may relabel; a country, a
#: person with a full name and a date never are.
_PLACE_LIKE: Final = frozenset({"GPE", "LOC", "FAC", "ORG", "NORP"})


def role_candidates(found: list[Candidate], roles: list[RoleSpan], text: str) -> list[Candidate]:
    """``found`` with the names the patterns give a role as candidates of their own.

    A candidate that is exactly a role's name takes the role as its context; one that
    overlaps it ("Chelsea 2-1 at Elland Road", "Wolverhampton 1 Tottenham 4") is
    replaced by the role names inside it; a role name spaCy missed ("Ajax") becomes a
    new ORG candidate. A role is dropped where its condition fails: a country or US
    state is never a club or company (national teams stay places), nor is a name
    spaCy calls a person with two words or more, and "club_if_place" needs a name
    spaCy or the gazetteer calls a place or an organisation.
    """
    if not roles:
        return found
    by_span = {(c.mention.start, c.mention.end): c for c in found}
    accepted: dict[tuple[int, int], Role] = {}
    for role_span in roles:
        span = (role_span.start, role_span.end)
        if span in accepted or any(_overlaps(span, other) for other in accepted):
            continue
        if _accepts(role_span.role, text[span[0] : span[1]], by_span.get(span)):
            accepted[span] = role_span.role
    if not accepted:
        return found
    kept: list[Candidate] = []
    for cand in found:
        span = (cand.mention.start, cand.mention.end)
        if span in accepted:
            kept.append(replace(cand, context=_CONTEXT[accepted.pop(span)]))
        elif not any(_overlaps(span, other) for other in accepted):
            kept.append(cand)
    for (start, end), role in accepted.items():
        name = text[start:end]
        if key := name_key(name):
            kept.append(Candidate(Mention(name, start, end), "ORG", name, key, _CONTEXT[role]))
    kept.sort(key=lambda c: c.mention.start)
    return kept


_CONTEXT: Final[dict[Role, Context]] = {
    "club": "club",
    "club_if_not_person": "club",
    "club_if_place": "club",
    "company": "company",
    "media": "media",
}


def _accepts(role: Role, name: str, cand: Candidate | None) -> bool:
    key = name_key(name)
    places = GAZETTEER.places(key)
    if GAZETTEER.country_code(key) is not None or any(p.kind != "city" for _, p in places):
        return False  # "France beat Germany": national sides stay places
    is_city = bool(places)
    label = cand.label if cand is not None else None
    words = name.split()
    if words[-1] in _CLUB_SUFFIXES and (is_city or (words[-1] in _GENERIC_SUFFIXES and not _is_city(words[:-1]))):
        return False  # "Mexico City", "Sioux City": a place; "Leicester City": a club
    if label == "PERSON" and not is_city and (len(key) > 1 or role.startswith("club_if")) and role != "media":
        return False  # "Federer beat Nadal 6-4", "John Smith shares were sold"
    if role == "club_if_place":
        return is_city or label in _PLACE_LIKE
    if role == "company":
        return label not in ("GPE", "LOC", "FAC") and not is_city
    return True


_CLUB_SUFFIXES: Final = frozenset(_CLUB_SUFFIX.split("|"))
#: Club words that are ordinary words too: the name before them must be a city.
_GENERIC_SUFFIXES: Final = frozenset({"City", "United"})


def _is_city(words: list[str]) -> bool:
    return any(p.kind == "city" for _, p in GAZETTEER.places(name_key(" ".join(words))))


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]
