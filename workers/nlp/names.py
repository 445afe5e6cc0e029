"""How names are compared: folded keys, titles, and the canonical form of a name.

Every module that matches a name against another (entity grouping, the gazetteer,
claimant linking, aliases) folds it with :func:`name_key`, so "Zoë", "Zoe" and "ZOE"
meet, and strips titles with the one list here.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = [
    "CORPORATE_SUFFIXES",
    "PLACE_DESIGNATORS",
    "TITLE_WORDS",
    "acronyms",
    "canonical_name",
    "clipped_prefixes",
    "company_short_names",
    "is_acronym",
    "is_title_word",
    "name_key",
]

#: Words that may precede a person's name without being part of it (lower case, no
#: trailing period). Multi-word titles ("Prime Minister", "Foreign Minister") are
#: stripped one word at a time, so each word is listed on its own.
TITLE_WORDS: Final = frozenset(
    {
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame",
        "lord", "lady", "rev", "reverend", "fr", "father", "sister", "brother",
        "president", "vice", "prime", "minister", "foreign", "deputy", "secretary",
        "chancellor", "premier", "senator", "sen", "rep", "representative",
        "congressman", "congresswoman", "gov", "governor", "mayor", "ambassador",
        "judge", "justice", "chief", "general", "gen", "major", "maj", "colonel",
        "col", "lt", "lieutenant", "captain", "capt", "cpt", "sgt", "sergeant",
        "corporal", "cpl", "private", "pte", "admiral", "adm", "commander", "cmdr",
        "marshal", "field", "brigadier", "brig", "king", "queen", "prince",
        "princess", "emperor", "empress", "sheikh", "shaikh", "emir", "sultan",
        "ayatollah", "imam", "rabbi", "pope", "cardinal", "bishop", "archbishop",
        "former", "late", "acting", "interim", "st",
    }
)  # fmt: skip

#: Lower-case words after a place name that name its kind ("Hama city", "Hama
#: province"); the place is the same thing without them.
PLACE_DESIGNATORS: Final = frozenset(
    {"city", "town", "village", "province", "region", "district", "county", "state",
     "governorate", "municipality", "prefecture", "oblast"}
)  # fmt: skip

#: Words that end a company's name ("Ford Motor Co", "Dell Inc."), folded: the words
#: before them are the short name the article goes on to use ("Ford", "Dell").
CORPORATE_SUFFIXES: Final = frozenset(
    {"inc", "corp", "corporation", "co", "company", "ltd", "limited", "plc", "group",
     "holdings", "ag", "sa", "llc"}
)  # fmt: skip
#: Small words an acronym may keep, in capitals or lower case ("BOE", "BoE").
_ACRONYM_SMALL_WORDS: Final = frozenset({"of", "and", "for", "the", "on", "in"})

_WORD: Final = re.compile(r"[a-z0-9]+")
_HYPHEN: Final = re.compile(r"[-\u2010\u2011]")


def name_key(name: str) -> tuple[str, ...]:
    """Fold a name into comparable words: accents, case and punctuation removed.

    Args:
        name: A name as written ("Hayat Tahrir al-Sham", "U.S.").

    Returns:
        Its words ("hayat", "tahrir", "al", "sham"); a name with no Latin letters at
        all keeps its case-folded words so it still has a key.
    """
    if name.isascii():  # most names: skip the Unicode decomposition
        folded = name.lower()
    else:
        folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = tuple(_WORD.findall(folded))
    if words:
        return words
    return tuple(name.casefold().split())


def is_title_word(word: str) -> bool:
    """Whether ``word`` ("Mr", "Dr.", "President") is a title rather than a name."""
    return word.lower().rstrip(".") in TITLE_WORDS


def canonical_name(text: str, label: str) -> str:
    """A mention's text without what is not part of the name itself.

    A leading "the", titles before a person's name and a lower-case place designator
    after a place's name ("Hama city") are removed; titles stay on anything that is
    not a person ("General Motors").
    """
    words = text.split()
    if len(words) > 1 and words[0].lower() == "the":
        words = words[1:]
    if label == "PERSON":
        while len(words) > 1 and is_title_word(words[0]):
            words = words[1:]
    elif label not in ("DATE", "TIME"):
        while len(words) > 1 and words[-1] in PLACE_DESIGNATORS:  # lower case only
            words = words[:-1]
    return " ".join(words)


def is_acronym(word: str) -> bool:
    """Whether ``word`` is written as an acronym: letters only, a capital first and at
    least two capitals in all ("IMF", "BoE"; not "Fed", "U.S.")."""
    return 2 <= len(word) <= 8 and word.isalpha() and word[0].isupper() and sum(c.isupper() for c in word) >= 2


def is_corporate_suffix(word: str) -> bool:
    """Whether ``word`` ("Inc.", "Corp", "plc") closes a company's name."""
    return word.rstrip(".,").lower() in CORPORATE_SUFFIXES


def acronyms(name: str) -> frozenset[str]:
    """The acronyms an organisation's name may be written as.

    The initials of its capitalised words ("European Central Bank" -> "ECB"), and with
    its small words in capitals or lower case ("Bank of England" -> "BE", "BOE",
    "BoE"); a company's name also without its suffix ("International Business
    Machines Corp" -> "IBMC", "IBM"). A word written as an acronym gives all its
    capitals ("ARS Pharmaceuticals" -> "ARSP", never "AP").
    """
    words = name.split()
    if words and words[0].lower() == "the":
        words = words[1:]
    variants = [words]
    if len(words) > 2 and is_corporate_suffix(words[-1]):
        variants.append(words[:-1])
    found: set[str] = set()
    for variant in variants:
        parts = [part for word in variant for part in _HYPHEN.split(word) if part[:1].isalpha()]
        letters = [_initials(part) for part in parts]
        capitals = [initials for initials in letters if initials[:1].isupper()]
        if len(capitals) < 2:
            continue
        found.add("".join(capitals))
        kept = [i for i, part in zip(letters, parts, strict=True) if i[:1].isupper() or part in _ACRONYM_SMALL_WORDS]
        while kept and not kept[-1][:1].isupper():
            kept.pop()
        if len(kept) > len(capitals) and kept[0][:1].isupper():
            found.add("".join(kept).upper())
            found.add("".join(kept))
    return frozenset(found)


def _initials(word: str) -> str:
    """What ``word`` gives an acronym: its capitals if it is one ("ARS", "U.S."),
    else its first letter."""
    letters = "".join(c for c in word if c.isalpha())
    if len(letters) > 1 and letters.isupper():
        return letters
    return word[0]


def clipped_prefixes(name: str) -> frozenset[str]:
    """The clipped forms of a name's first word ("Federal Reserve" -> "Fed"): its first
    three or four letters ending on a consonant, as clippings do ("Fed", "Met", "Dem";
    not "Euro"), at least two letters short of the word. A name of one word, or whose
    first word is a title ("General Motors"), has none."""
    words = name.split()
    if words and words[0].lower() == "the":
        words = words[1:]
    if len(words) < 2:
        return frozenset()
    first = words[0]
    if not (first.isalpha() and first[0].isupper() and first[1:].islower()) or is_title_word(first):
        return frozenset()
    return frozenset(first[:n] for n in (3, 4) if n <= len(first) - 2 and first[n - 1] not in "aeiouy")


def company_short_names(name: str) -> tuple[str, ...]:
    """The short names of a company named with its suffix: its first word(s) before the
    suffix ("Ford Motor Co" -> "Ford", "Ford Motor"). A short name ends on a capitalised
    word and is not a title alone ("General" of "General Electric Co")."""
    words = name.split()
    if words and words[0].lower() == "the":
        words = words[1:]
    if len(words) < 2 or not is_corporate_suffix(words[-1]) or not words[0][:1].isupper():
        return ()
    shorts = []
    for n in range(1, len(words)):
        last = words[n - 1]
        if not last[:1].isupper() or is_corporate_suffix(last) or (n == 1 and is_title_word(last)):
            continue
        shorts.append(" ".join(words[:n]))
    return tuple(shorts)
