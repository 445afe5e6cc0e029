"""Let the NER read all-caps headlines, bulletins and datelines.

The small English model learnt names from their capitals: in "FLOODS HIT NORTHERN
KENYA AS RAINS CONTINUE" or "KENYA RED CROSS APPEALS FOR AID" every word looks like
a name, or none does. Such a line is handed to spaCy in sentence case, its names
capitalised: a word the article writes as a name elsewhere ("Red Cross"), or a
country, US state or large city the gazetteer knows ("Floods hit northern Kenya as
rains continue"). The recased text has the same length, so every offset stays
valid; the parsed ``Doc`` is then rebuilt on the original words, keeping the
annotations, so mentions and claims quote the text as written.

Recased: a line whose letters are (nearly) all capitals and which has at least three
words, and a dateline's place ("NAIROBI, May 5 -", "DETROIT (Reuters) -"). Acronyms
inside ordinary lines ("told the BBC") are left alone.
"""

from __future__ import annotations

import re
from typing import Any, Final

from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, MORPH, POS, TAG
from spacy.tokens import Doc

from workers.nlp.gazetteer import GAZETTEER
from workers.nlp.names import name_key

__all__ = ["recase", "restore"]

#: Words a headline writes in lower case ("Floods Hit Kenya as Rains Continue").
_SMALL_WORDS: Final = frozenset(
    {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "over", "the",
     "to", "with", "after", "amid", "than", "vs", "via"}
)  # fmt: skip
_LINE: Final = re.compile(r"[^\n]+")
_WORD: Final = re.compile(r"[A-Za-z][A-Za-z'\u2019.&-]*")
#: "NAIROBI, May 5 -" or "NEW YORK (Reuters) -": capitals at a line's start, then a
#: comma or an opening parenthesis.
_DATELINE: Final = re.compile(
    r"^[ \t]*((?:[A-Z][A-Z.'\u2019-]+[ \t]){0,3}[A-Z][A-Z.'\u2019-]+)(?=,|[ \t]*\()", re.MULTILINE
)
#: Share of a line's cased letters that must be capitals for it to count as shouting.
_CAPS_SHARE: Final = 0.9
#: A city this large is a name in a shouted line even if the article never writes it.
_KNOWN_CITY: Final = 100_000
_ATTRS: Final = [TAG, POS, MORPH, LEMMA, HEAD, DEP, ENT_IOB, ENT_TYPE]


def recase(text: str) -> str | None:
    """``text`` with its all-caps lines and datelines in sentence case, or None when
    there is nothing to recase (the usual case, which costs one scan).

    The result has exactly the length of ``text``, character for character.
    """
    if not _has_caps_run(text):
        return None
    chars = list(text)
    changed = False
    shouting = [line for line in _LINE.finditer(text) if _is_shouting(line.group())]
    names = _written_names(text, shouting) if shouting else frozenset()
    for line in shouting:
        for word in _WORD.finditer(line.group()):
            start = line.start() + word.start()
            cased = _sentence_word(word.group(), names, first=word.start() == 0)
            if len(cased) == len(word.group()):
                chars[start : start + len(cased)] = cased
                changed = True
    for dateline in _DATELINE.finditer(text):
        for word in _WORD.finditer(dateline.group(1)):
            start = dateline.start(1) + word.start()
            cased = word.group().capitalize()
            if len(cased) == len(word.group()) and len(word.group()) > 2:
                chars[start : start + len(cased)] = cased
                changed = True
    return "".join(chars) if changed else None


def restore(doc: Doc, original: str) -> Doc:
    """``doc`` (parsed from the recased text) rebuilt on the words of ``original``,
    with its tags, lemmas, parse and entities; the token vectors are not kept."""
    words = [original[t.idx : t.idx + len(t.text)] for t in doc]
    spaces = [bool(t.whitespace_) for t in doc]
    rebuilt = Doc(doc.vocab, words=words, spaces=spaces)
    annotations: Any = doc.to_array(_ATTRS)  # uint64 per token and attribute
    rebuilt.from_array(_ATTRS, annotations)
    return rebuilt


def _has_caps_run(text: str) -> bool:
    """Cheap pre-check: two capitals in a row followed by a third word character."""
    return re.search(r"[A-Z]{2}[A-Z'\u2019 ,-]{4}", text) is not None


def _is_shouting(line: str) -> bool:
    words = _WORD.findall(line)
    if len(words) < 3:
        return False
    letters = [c for c in line if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return upper >= _CAPS_SHARE * len(letters)


def _written_names(text: str, shouting: list[re.Match[str]]) -> frozenset[str]:
    """Lower-cased words the article writes as names outside its shouting lines
    (capitalised and never in lower case), and the gazetteer's country, state and
    large-city names."""
    rest = list(text)
    for line in shouting:
        rest[line.start() : line.end()] = " " * (line.end() - line.start())
    capital: set[str] = set()
    lower: set[str] = set()
    for word in _WORD.findall("".join(rest)):
        (lower if word.islower() else capital).add(word.lower())
    return frozenset(capital - lower)


def _is_known_place(word: str) -> bool:
    key = name_key(word)
    if GAZETTEER.country_code(key) is not None:
        return True
    return any(own and (p.kind != "city" or p.population >= _KNOWN_CITY) for own, p in GAZETTEER.places(key))


def _sentence_word(word: str, names: frozenset[str], *, first: bool) -> str:
    """A shouted word as a sentence would write it: capitalised when it opens the
    line or is a name (written so elsewhere in the article, or a known place)."""
    lower = word.lower()
    if len(word) <= 2 and "." not in word and lower not in _SMALL_WORDS:
        return word  # "UN", "US": an acronym stays one
    if first or lower in names or _is_known_place(word):
        return word[:1] + lower[1:]
    return lower
