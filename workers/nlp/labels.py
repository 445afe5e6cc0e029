"""One label per name per article, chosen from all of the article's evidence.

spaCy labels each mention on its own, so the given article's "Hama" comes out ORG,
PERSON and GPE, and "Aleppo" NORP. Here every mention of a name votes with spaCy's
label; the words around it vote too ("the city of X", "the group X", "Mr X"), and
so does a name's own last word ("Kelly Creek", "McMurdo Station", "Pan American
Games"), with more
weight, since syntax is better evidence than the small model's guess about an
unknown capitalised word; and the gazetteer confirms places: a country, a US state
or a continent is a place whatever spaCy said, and a known city is one as soon as
anything in the article treats it as a place.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Final

from workers.nlp.gazetteer import Place
from workers.nlp.mentions import Candidate

__all__ = ["resolve_labels"]

#: Tie-break when a name gets equally many votes for two labels: the earlier label
#: names the more specific or more often mislabelled-as-something-else kind.
_LABEL_PRIORITY: Final = (
    "PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART",
    "LAW", "LANGUAGE", "DATE", "TIME",
)  # fmt: skip
_NOT_PERSON_LABELS: Final = frozenset({"GPE", "LOC", "FAC", "DATE", "TIME"})
#: Labels that say "a place" (spaCy's, or the syntax's "the city of X").
_PLACE_LABELS: Final = frozenset({"GPE", "LOC", "FAC"})
#: How many spaCy votes one piece of syntactic evidence is worth.
_CONTEXT_WEIGHT: Final = 2
_CONTEXT_LABEL: Final = {
    "place": "GPE", "locality": "GPE", "org": "ORG", "person": "PERSON",
    "landform": "LOC", "facility": "FAC", "event": "EVENT", "award": "WORK_OF_ART",
}  # fmt: skip
#: Contexts that settle a name's label by the vote even against spaCy's GPE.
_DECIDING_CONTEXTS: Final = frozenset({"person", "org", "landform", "facility", "event", "award"})
#: Roles (:mod:`workers.nlp.roles`) that make a name an organisation wherever the
#: article names it, unless a title says it is a person ("Mr Dell").
_ROLE_CONTEXTS: Final = frozenset({"club", "company", "media"})
#: What spaCy calls a gazetteer place of each kind.
_KIND_LABEL: Final = {"country": "GPE", "state": "GPE", "continent": "LOC", "city": "GPE"}


def resolve_labels(
    candidates: list[Candidate], places: dict[tuple[str, ...], Place | None]
) -> dict[tuple[str, ...], str]:
    """Choose one label per canonical name from the votes of all its mentions.

    A name that is part of a multi-word PERSON name is a person ("Assad" beside
    "Bashar Assad") if spaCy ever said so or never called it a place. Then a place
    by the syntax or by spaCy's GPE wins: the small model tags GPE from what it
    memorised about real places. Then the gazetteer (see the module docstring).
    Failing all, the majority wins, ties broken by ``_LABEL_PRIORITY``. Before all
    that, a name in a club, company or press role (:mod:`workers.nlp.roles`) is an
    organisation, unless a title makes it a person.

    Args:
        candidates: Every mention of the article.
        places: For each name key, the gazetteer place it resolves to (or None).

    Returns:
        Name key -> label.
    """
    votes: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    contexts: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for cand in candidates:
        votes[cand.key][cand.label] += 1
        if cand.context is not None:
            contexts[cand.key][cand.context] += 1
            if cand.context in _CONTEXT_LABEL:
                votes[cand.key][_CONTEXT_LABEL[cand.context]] += _CONTEXT_WEIGHT
    person_parts = {
        part
        for key, counter in votes.items()
        if len(key) > 1 and _majority(counter) == "PERSON"
        for part in contiguous_parts(key)
    }
    labels: dict[tuple[str, ...], str] = {}
    for key, counter in votes.items():
        context = contexts[key]
        place = places.get(key)
        # "Wilkins" tagged ORG beside "Kristen Wilkins" is her, unless it is only
        # ever a place or a time ("Paris" beside "Valeska Paris" stays ambiguous,
        # "May" the month beside "Theresa May" stays a date).
        if "person" not in context and context.keys() & _ROLE_CONTEXTS:
            labels[key] = "ORG"  # "Leeds beat Chelsea 2-1", "Dell shares fell", "told the BBC"
        elif key in person_parts and ("PERSON" in counter or not counter.keys() & _NOT_PERSON_LABELS):
            labels[key] = "PERSON"
        elif context.keys() & _DECIDING_CONTEXTS:
            labels[key] = _majority(counter)  # "the group X", "Mr X", "X Creek", "X Station"
        elif "GPE" in counter and (place is None or place.kind != "continent"):
            labels[key] = "GPE"
        elif place is not None and _is_place(place, counter, context):
            labels[key] = _KIND_LABEL[place.kind]
        else:
            labels[key] = _majority(counter)
    return labels


def _is_place(place: Place, counter: Counter[str], context: Counter[str]) -> bool:
    """Whether a gazetteer hit is the place here: a country, state or continent
    always; a city when spaCy or the syntax ever treats the name as a place, or it
    is never a person and the article has no other reading of it than NORP."""
    if place.kind != "city":
        return True
    if counter.keys() & _PLACE_LABELS or context.keys() & {"place", "locality", "locative"}:
        return True
    return set(counter) == {"NORP"}  # "Aleppo" as NORP: no nationality is a city


def _majority(counter: Counter[str]) -> str:
    def rank(label: str) -> tuple[int, int, str]:
        priority = _LABEL_PRIORITY.index(label) if label in _LABEL_PRIORITY else len(_LABEL_PRIORITY)
        return (-counter[label], priority, label)

    return min(counter, key=rank)


def contiguous_parts(key: tuple[str, ...]) -> set[tuple[str, ...]]:
    """Every shorter run of consecutive words in ``key`` ("assad" in "bashar al assad")."""
    return {key[i : i + size] for size in range(1, len(key)) for i in range(len(key) - size + 1)}
