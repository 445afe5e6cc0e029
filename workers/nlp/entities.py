"""Group spaCy's entity mentions into one ``Entity`` per real-world thing in an article.

spaCy tags each mention on its own, so one article can call "Hama" an ORG, a PERSON
and a GPE in different sentences, and "Bashar Assad" and "Assad" are unrelated spans
to it. This module settles both at document level: every mention gets a canonical
name (titles, a leading "the" and possessives removed), mentions with the same name
share one label chosen by the whole document, and a surname joins the full name it
belongs to. There is no gazetteer here yet, so the label rules only use evidence
found in the article itself.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Final

from spacy.tokens import Doc, Span

from workers.ids import entity_id
from workers.models import Entity, Mention

__all__ = ["NUMERIC_LABELS", "group_entities"]

#: Labels that count or measure rather than name a thing; they never become entities.
NUMERIC_LABELS: Final = frozenset({"CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"})

#: Words that may precede a person's name without being part of it (lower case, no
#: trailing period). Multi-word titles ("Prime Minister", "Foreign Minister") are
#: stripped one word at a time, so each word is listed on its own.
_TITLE_WORDS: Final = frozenset(
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
_PLACE_DESIGNATORS: Final = frozenset(
    {"city", "town", "village", "province", "region", "district", "county", "state",
     "governorate", "municipality", "prefecture", "oblast"}
)  # fmt: skip

#: Nouns that, in "the city of X", "neighbourhoods of X and Y" or "the capital, X",
#: show that X is a place whatever label spaCy gave it.
_PLACE_NOUNS: Final = _PLACE_DESIGNATORS | frozenset(
    {"capital", "neighbourhood", "neighborhood", "suburb", "country", "nation",
     "island", "port", "enclave", "territory", "republic", "kingdom"}
)  # fmt: skip

#: Tie-break when a name gets equally many votes for two labels: the earlier label
#: names the more specific or more often mislabelled-as-something-else kind.
_LABEL_PRIORITY: Final = (
    "PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART",
    "LAW", "LANGUAGE", "DATE", "TIME",
)  # fmt: skip

_NOT_PERSON_LABELS: Final = frozenset({"GPE", "LOC", "FAC", "DATE", "TIME"})
_POSSESSIVE: Final = re.compile(r"['\u2019]s?$")
_WORD: Final = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class _Candidate:
    """One usable mention, with the name and evidence its group is decided by."""

    mention: Mention
    label: str
    name: str
    key: tuple[str, ...]
    place_context: bool


def group_entities(doc: Doc, *, title: str | None = None, published_at: str | None = None) -> list[Entity]:
    """Group the mentions in ``doc.ents`` into one entity per real-world thing.

    Args:
        doc: A parsed document with named entities.

    Returns:
        Entities sorted by their first mention, each with its mentions sorted by
        start; numeric entity types are left out.
    """
    text = doc.text  # built on every access: fetch it once
    candidates = [c for ent in doc.ents if (c := _candidate(ent, text)) is not None]
    labels = _resolve_labels(candidates)
    groups: dict[tuple[str, tuple[str, ...]], list[_Candidate]] = defaultdict(list)
    person_targets = _person_targets(candidates, labels)
    for cand in candidates:
        label = labels[cand.key]
        key = cand.key
        if label == "PERSON":
            key = _full_name_for(cand, person_targets)
        groups[(label, key)].append(cand)
    by_id: dict[str, list[_Candidate]] = defaultdict(list)
    names: dict[str, tuple[str, str]] = {}
    for (label, _), members in groups.items():
        name = _display_name(members)
        ident = entity_id(label, name)
        by_id[ident].extend(members)  # two spellings with one slug are one thing
        names.setdefault(ident, (label, name))
    entities = [
        Entity(
            id=ident,
            name=names[ident][1],
            label=names[ident][0],
            mentions=tuple(sorted({m.mention for m in members}, key=_mention_order)),
        )
        for ident, members in by_id.items()
    ]
    entities.sort(key=lambda e: (_mention_order(e.mentions[0]), e.id))
    return entities


def _mention_order(mention: Mention) -> tuple[int, int]:
    return (mention.start, mention.end)


def _candidate(ent: Span, text: str) -> _Candidate | None:
    """Trim a spaCy entity to its name and compute its canonical form, or None."""
    if ent.label_ in NUMERIC_LABELS:
        return None
    tokens = list(ent)
    # spaCy sometimes swallows the possessive, surrounding punctuation or a newline.
    while tokens and (tokens[-1].tag_ == "POS" or tokens[-1].is_punct or tokens[-1].is_space):
        tokens.pop()
    while tokens and (tokens[0].is_punct or tokens[0].is_space):
        tokens.pop(0)
    if not tokens:
        return None
    start = tokens[0].idx
    end = tokens[-1].idx + len(tokens[-1].text)
    possessive = _POSSESSIVE.search(text, start, end) if len(tokens[-1].text) > 2 else None
    if possessive is not None and text[end - 1] != "'":
        end = possessive.start()  # the tokenizer left it on the name ("Assad's" as one token)
    surface = text[start:end]
    name = _canonical_name(surface, ent.label_)
    key = _name_key(name)
    if not key:
        return None
    return _Candidate(
        mention=Mention(text=surface, start=start, end=end),
        label=ent.label_,
        name=name,
        key=key,
        place_context=_in_place_context(ent),
    )


def _canonical_name(text: str, label: str) -> str:
    """Strip what is not part of the name itself: "the", titles, place designators."""
    words = text.split()
    if len(words) > 1 and words[0].lower() == "the":
        words = words[1:]
    if label == "PERSON":
        # Titles only before a person's name: "General Motors" keeps its "General".
        while len(words) > 1 and words[0].lower().rstrip(".") in _TITLE_WORDS:
            words = words[1:]
    elif label not in ("DATE", "TIME"):
        while len(words) > 1 and words[-1] in _PLACE_DESIGNATORS:  # lower case only
            words = words[:-1]
    return " ".join(words)


def _name_key(name: str) -> tuple[str, ...]:
    """Fold a name into comparable words: accents, case and punctuation removed."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = tuple(_WORD.findall(folded))
    if words:
        return words
    return tuple(name.casefold().split())  # a name with no Latin letters at all


def _in_place_context(ent: Span) -> bool:
    """Whether the syntax around ``ent`` says it is a place ("the city of X")."""
    root = ent.root
    while root.dep_ == "conj" and root.head.i != root.i:
        root = root.head  # "neighbourhoods of Sawaaeq and Zahiriyeh"
    head = root.head
    if root.dep_ == "pobj" and head.lower_ == "of":
        return head.head.lemma_.lower() in _PLACE_NOUNS
    if root.dep_ == "appos":
        return head.lemma_.lower() in _PLACE_NOUNS
    if root.dep_ == "compound" and head.i == ent.end:
        return head.lower_ in _PLACE_DESIGNATORS  # "Hama province" with "province" outside
    return False


def _resolve_labels(candidates: list[_Candidate]) -> dict[tuple[str, ...], str]:
    """Choose one label per canonical name from the votes of all its mentions.

    A name that is part of a multi-word PERSON name is a person ("Assad" beside
    "Bashar Assad") if spaCy ever said so or never called it a place. Otherwise a
    GPE vote wins: the small English model tags GPE from what it memorised about
    real places and the syntax around the mention, while ORG and PERSON are its
    guesses for capitalised words it does not know. Failing both, the majority
    wins, ties broken by ``_LABEL_PRIORITY``.
    """
    votes: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for cand in candidates:
        votes[cand.key][cand.label] += 1
        if cand.place_context:
            votes[cand.key]["GPE"] += 1
    person_parts = {
        part
        for key, counter in votes.items()
        if len(key) > 1 and _majority(counter) == "PERSON"
        for part in _contiguous_parts(key)
    }
    labels: dict[tuple[str, ...], str] = {}
    for key, counter in votes.items():
        # "Wilkins" tagged ORG beside "Kristen Wilkins" is her, unless it is only
        # ever a place or a time ("Paris" beside "Valeska Paris" stays ambiguous,
        # "May" the month beside "Theresa May" stays a date).
        if key in person_parts and ("PERSON" in counter or not counter.keys() & _NOT_PERSON_LABELS):
            labels[key] = "PERSON"
        elif "GPE" in counter:
            labels[key] = "GPE"
        else:
            labels[key] = _majority(counter)
    return labels


def _majority(counter: Counter[str]) -> str:
    def rank(label: str) -> tuple[int, int, str]:
        priority = _LABEL_PRIORITY.index(label) if label in _LABEL_PRIORITY else len(_LABEL_PRIORITY)
        return (-counter[label], priority, label)

    return min(counter, key=rank)


def _contiguous_parts(key: tuple[str, ...]) -> set[tuple[str, ...]]:
    """Every shorter run of consecutive words in ``key`` ("assad" in "bashar al assad")."""
    return {key[i : i + size] for size in range(1, len(key)) for i in range(len(key) - size + 1)}


def _person_targets(
    candidates: list[_Candidate], labels: dict[tuple[str, ...], str]
) -> dict[tuple[str, ...], list[tuple[tuple[str, ...], list[int]]]]:
    """For each partial person name, the full names it may belong to.

    Returns:
        Partial key -> [(full key, sorted starts of the full name's mentions)], only
        for full names not themselves part of a longer person name.
    """
    starts: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for cand in candidates:
        if labels[cand.key] == "PERSON":
            starts[cand.key].append(cand.mention.start)
    parts = {key: _contiguous_parts(key) for key in starts if len(key) > 1}
    contained = set().union(*parts.values())
    maximal = [k for k in parts if k not in contained]
    targets: dict[tuple[str, ...], list[tuple[tuple[str, ...], list[int]]]] = defaultdict(list)
    for full in sorted(maximal):
        for part in parts[full]:
            if part in starts:
                targets[part].append((full, sorted(starts[full])))
    return targets


def _full_name_for(
    cand: _Candidate, targets: dict[tuple[str, ...], list[tuple[tuple[str, ...], list[int]]]]
) -> tuple[str, ...]:
    """The key of the person ``cand`` names: its own, or the full name it abbreviates.

    With two candidate full names ("Smith" beside "John Smith" and "Jane Smith") the
    one mentioned most recently before ``cand`` wins, else the first one mentioned.
    """
    options = targets.get(cand.key)
    if not options:
        return cand.key
    at = cand.mention.start

    def recency(option: tuple[tuple[str, ...], list[int]]) -> tuple[int, int, tuple[str, ...]]:
        full, starts = option
        before = bisect_left(starts, at)
        if before:
            return (0, at - starts[before - 1], full)
        return (1, starts[0], full)

    return min(options, key=recency)[0]


def _display_name(members: list[_Candidate]) -> str:
    """The name to show: the most frequent spelling, preferring full (multi-word) names.

    Preferring full names turns "Assad" x6 + "Bashar Assad" x1 into "Bashar Assad";
    among full names frequency wins, so a one-off longer spelling swallowed from a
    caption ("Ahmed Mohamed Image") does not replace the usual "Ahmed Mohamed".
    """
    spellings = Counter(c.name for c in members)
    first_seen: dict[str, int] = {}
    for cand in sorted(members, key=lambda c: c.mention.start):
        first_seen.setdefault(cand.name, cand.mention.start)
    return min(
        spellings,
        key=lambda n: (len(n.split()) == 1, -spellings[n], -len(n), first_seen[n]),
    )
