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
    "PLACE_DESIGNATORS",
    "TITLE_WORDS",
    "canonical_name",
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

_WORD: Final = re.compile(r"[a-z0-9]+")


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
