"""Turn spaCy's entity spans into mentions: the name as written, and what surrounds it.

spaCy's spans follow OntoNotes, which keeps a leading "the" ("the Syrian National
Army"), a place's designator ("Hama city") and sometimes a possessive or a quotation
mark. A mention here is the name alone, as news gold standards and CoNLL annotate
it: a lower-case "the" and a sentence-initial "The" are cut, while a "The" in the
middle of a sentence is part of the name ("told The Associated Press"). Dates and
times keep theirs, as OntoNotes does ("in the 1980s", "in the 58th minute"). A title
before a person's name is cut from the span but kept on the mention. A span that
runs into a bracket ends before it, and an acronym alone in the bracket ("World
Health Organization (WHO)") is a mention of its own.

Each mention also carries the syntactic evidence about what kind of thing it names
("the city of X", "the group X", "in X", "Mr X"), which label resolution weighs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

from spacy.tokens import Doc, Span, Token

from workers.models import Mention
from workers.nlp.names import PLACE_DESIGNATORS, canonical_name, is_acronym, is_title_word, name_key

__all__ = ["NUMERIC_LABELS", "TEMPORAL_LABELS", "Candidate", "Context", "candidates", "title_before"]

#: Labels that count or measure rather than name a thing; they never become entities.
NUMERIC_LABELS: Final = frozenset({"CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"})

#: What the words around a mention say it names: "place" ("the city of X"),
#: "locality" (a place below a city: "the neighbourhood of X"), "locative" (only a
#: preposition of place: "in X"), "org" ("the group X"), "person" ("Mr X"),
#: "landform", "facility", "event" and "award" (the name's own last word: "Kelly
#: Creek", "Davis Gym", "Pan American Games", "Outland Trophy"); and from
#: :mod:`workers.nlp.roles`, "club" ("X beat Y 2-1"), "company" ("X shares fell")
#: and "media" ("told X").
Context = Literal[
    "place", "locality", "locative", "org", "person", "landform", "facility", "event", "award", "club", "company",
    "media",
]  # fmt: skip
#: Capitalised last words that make a name of two words or more a natural place
#: (LOC) or a building or structure (FAC), whatever spaCy said: "Hancock Pond",
#: "Ross Sea", "McMurdo Station". Words that are also common surnames ("Hall",
#: "Park", "Lake", "Brook", "Bay", "Castle", "Arena", "Ocean") are left out: there
#: the name may be a person's ("Michael Bay").
_LANDFORM_WORDS: Final = frozenset(
    {"Creek", "River", "Pond", "Island", "Islands", "Mountain", "Mountains", "Valley",
     "Canyon", "Falls", "Glacier", "Peninsula", "Desert", "Reservoir", "Harbour", "Harbor",
     "Strait", "Coast", "Sea", "Gulf", "Lagoon"}
)  # fmt: skip
_FACILITY_WORDS: Final = frozenset(
    {"Airport", "Station", "Stadium", "Gym", "Gymnasium", "Playfield", "Pavilion", "Cave",
     "Dock", "Canal", "Dam", "Tunnel", "Cathedral", "Monument", "Road", "Avenue",
     "Boulevard", "Highway", "Motorway", "Square"}
)  # fmt: skip
#: Last words of the names of events (EVENT: "Pan American Games", "Glastonbury
#: Festival") and of prizes (WORK_OF_ART, as OntoNotes tags "the Booker Prize").
#: A league, conference or convention is an organisation as often as a gathering.
_EVENT_WORDS: Final = frozenset(
    {"Games", "Olympics", "Paralympics", "Cup", "Cups", "Championship", "Championships",
     "Tournament", "Festival", "Classic", "Contest", "Challenge", "Tour", "Campaign", "War",
     "Revolution"}
)  # fmt: skip
_AWARD_WORDS: Final = frozenset({"Award", "Awards", "Prize", "Prizes", "Trophy"})
#: A name's last word -> the context it gives.
_NAME_WORD_CONTEXT: Final[dict[str, Context]] = {
    **dict.fromkeys(_LANDFORM_WORDS, "landform"),
    **dict.fromkeys(_FACILITY_WORDS, "facility"),
    **dict.fromkeys(_EVENT_WORDS, "event"),
    **dict.fromkeys(_AWARD_WORDS, "award"),
}

#: Labels of times and dates: their words, a leading "the" included, are the
#: expression as written, and the syntax around them says nothing about places
#: ("in March" is a month, not the town of March).
TEMPORAL_LABELS: Final = frozenset({"DATE", "TIME"})
#: Nouns that, in "the city of X", "neighbourhoods of X and Y" or "the capital, X",
#: show that X is a place whatever label spaCy gave it.
_PLACE_NOUNS: Final = PLACE_DESIGNATORS | frozenset(
    {"capital", "country", "nation", "island", "port", "enclave", "territory", "republic",
     "kingdom", "state", "province"}
)  # fmt: skip
#: Places below a city: the gazetteer does not have them, so they are never geocoded.
_LOCALITY_NOUNS: Final = frozenset(
    {"neighbourhood", "neighborhood", "suburb", "district", "quarter", "village", "street",
     "square", "camp", "hamlet", "area"}
)  # fmt: skip
#: Nouns that, in "the jihadi group X" or "the X group", show that X is an organisation.
_ORG_NOUNS: Final = frozenset(
    {"group", "organisation", "organization", "party", "movement", "militia", "company",
     "firm", "agency", "network", "union", "council", "committee", "association",
     "alliance", "coalition", "faction", "band", "club", "team", "newspaper",
     "broadcaster", "channel", "bank", "ministry", "corporation", "charity", "label"}
)  # fmt: skip
#: Prepositions that put their object in a place ("fighting in X").
_LOCATIVE: Final = frozenset({"in", "at", "near", "outside", "across", "throughout", "around", "inside"})
_POSSESSIVE: Final = re.compile(r"['\u2019]s?$")
_SENTENCE_END: Final = frozenset({".", "!", "?", "\u201c", '"', ":"})


@dataclass(frozen=True, slots=True)
class Candidate:
    """One usable mention, with the name and evidence its group is decided by."""

    mention: Mention
    label: str
    name: str
    key: tuple[str, ...]
    context: Context | None


def candidates(doc: Doc, text: str | None = None) -> list[Candidate]:
    """The named (non-numeric) entities of ``doc`` as trimmed candidates, in order.

    ``text`` is ``doc.text``, which spaCy rebuilds on every access: pass it in when
    the caller has it.
    """
    text = doc.text if text is None else text
    found = []
    for ent in doc.ents:
        if ent.label_ in NUMERIC_LABELS:
            continue
        tokens, acronym = _split_bracket(list(ent))
        if (cand := _candidate(ent, tokens, text)) is not None:
            found.append(cand)
        if acronym is not None and (cand := _candidate(ent, [acronym], text, context=False)) is not None:
            found.append(cand)
    return found


def _split_bracket(tokens: list[Token]) -> tuple[list[Token], Token | None]:
    """A span that runs into a bracket ("World Health Organization (WHO") ends before
    it; an acronym alone in the bracket is returned as a name of its own."""
    bracket = next((k for k, t in enumerate(tokens) if k > 0 and t.text == "("), None)
    if bracket is None:
        return tokens, None
    inside = [t for t in tokens[bracket + 1 :] if t.text != ")"]
    acronym = inside[0] if len(inside) == 1 and is_acronym(inside[0].text) else None
    return tokens[:bracket], acronym


def _candidate(ent: Span, tokens: list[Token], text: str, *, context: bool = True) -> Candidate | None:
    """Trim a spaCy entity's tokens to its name and compute its canonical form, or None.

    ``context=False`` for a name split off the entity (a bracketed acronym), which
    the syntax around the entity says nothing about.
    """
    # spaCy sometimes swallows the possessive, surrounding punctuation or a newline.
    while tokens and (tokens[-1].tag_ == "POS" or tokens[-1].is_punct or tokens[-1].is_space):
        tokens.pop()
    while tokens and (tokens[0].is_punct or tokens[0].is_space):
        tokens.pop(0)
    temporal = ent.label_ in TEMPORAL_LABELS
    if not temporal:  # "the 1980s", "the next morning": the article is part of a time
        tokens = _without_the(tokens)
    title: list[Token] = []
    if ent.label_ == "PERSON":
        title = title_before(tokens[0]) if tokens else []
        while len(tokens) > 1 and is_title_word(tokens[0].text) and tokens[0].text[0].isupper():
            title.append(tokens.pop(0))
    elif not temporal:
        while len(tokens) > 1 and tokens[-1].text in PLACE_DESIGNATORS:  # lower case only
            tokens.pop()
    if not tokens or _bare_numbers(tokens, ent.label_):
        return None
    start = tokens[0].idx
    end = tokens[-1].idx + len(tokens[-1].text)
    possessive = _POSSESSIVE.search(text, start, end) if len(tokens[-1].text) > 2 else None
    if possessive is not None and text[end - 1] != "'":
        end = possessive.start()  # the tokenizer left it on the name ("Assad's" as one token)
    surface = text[start:end]
    name = canonical_name(surface, ent.label_)
    key = name_key(name)
    if not key:
        return None
    title_text = text[title[0].idx : title[-1].idx + len(title[-1].text)] if title else None
    return Candidate(
        mention=Mention(text=surface, start=start, end=end, title=title_text),
        label=ent.label_,
        name=name,
        key=key,
        context="person" if title else (_context(ent, tokens) if context and not temporal else None),
    )


def _without_the(tokens: list[Token]) -> list[Token]:
    """A name's tokens without a leading "the" (lower case, or opening a sentence), and
    cut before a lower-case "the" right after a capitalised word: "Rathbun the
    Scientology" is two things run together ("X of the Y" is one name)."""
    for k in range(1, len(tokens) - 1):
        if tokens[k].text == "the" and tokens[k - 1].text[:1].isupper():
            tokens = tokens[:k]
            break
    if len(tokens) > 1 and tokens[0].lower_ == "the" and (tokens[0].text == "the" or _starts_sentence(tokens[0])):
        tokens = tokens[1:]
    return tokens


def _bare_numbers(tokens: list[Token], label: str) -> bool:
    """Whether a name is only numbers that name no year or time and stand in a row of
    figures: a table's columns ("38 26 6 6 84", "Leeds 2 Chelsea 1") that spaCy took
    for a DATE or an EVENT. A DATE of one number between words or punctuation is
    kept: OntoNotes tags an age as a DATE ("Ann Lee, 58, said", "She was 84.")."""
    words = [t.text for t in tokens]
    if any(any(ch.isalpha() for ch in w) for w in words):
        return False
    if any((len(w) == 4 and w.isdigit()) or "/" in w or ":" in w for w in words):
        return False
    return len(tokens) > 1 or label != "DATE" or _in_a_row(tokens[0])


def _in_a_row(token: Token) -> bool:
    """Whether a number stands beside another number or a name with only spaces between
    ("6 84", "Leeds 2"): a cell of a table row, not a number in a sentence."""
    doc = token.doc
    neighbours = [doc[i] for i in (token.i - 1, token.i + 1) if 0 <= i < len(doc)]
    return any(n.like_num or n.pos_ == "PROPN" for n in neighbours)


def _starts_sentence(token: Token) -> bool:
    """Whether ``token`` opens a sentence or a paragraph (its capital says nothing)."""
    if token.i == 0 or token.is_sent_start:
        return True
    before = token.doc[token.i - 1]
    return before.is_space or before.text in _SENTENCE_END


def title_before(first: Token) -> list[Token]:
    """The capitalised title words right before a person's name ("President", "Mr")."""
    doc = first.doc
    i = first.i - 1
    while i >= 0 and is_title_word(doc[i].text) and doc[i].text[0].isupper():
        i -= 1
    return list(doc[i + 1 : first.i])


def _context(ent: Span, name: list[Token]) -> Context | None:
    """What the name's last word ("Kelly Creek") or else the syntax around ``ent``
    says it names, if anything."""
    if len(name) > 1 and (own := _NAME_WORD_CONTEXT.get(name[-1].text)) is not None:
        return own
    root = ent.root
    while root.dep_ == "conj" and root.head.i != root.i:
        root = root.head  # "neighbourhoods of Sawaaeq and Zahiriyeh"
    head = root.head
    noun: str | None = None
    if root.dep_ == "pobj" and head.lower_ == "of":
        noun = head.head.lemma_.lower()  # "the city of X"
        if noun in _ORG_NOUNS:
            return None  # "the Bank of England", "the national team of Chile": X is where, not what
    elif root.dep_ == "appos":
        noun = head.lemma_.lower()  # "the capital, X", "the jihadi group X"
    elif root.dep_ == "compound" and head.i == ent.end:
        noun = head.lower_  # "Hama province", "the Wagner group" with the noun outside
    elif root.dep_ == "pobj" and head.lower_ in _LOCATIVE:
        return "locative"
    if noun in _LOCALITY_NOUNS:
        return "locality"
    if noun in _PLACE_NOUNS:
        return "place"
    if noun in _ORG_NOUNS:
        return "org"
    return None
