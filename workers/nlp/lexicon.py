"""Word lists that decide which verbs attribute a claim and what stance they carry.

The lists are lemmas as spaCy's English lemmatizer gives them. They live apart from
the extraction rules in ``claims.py`` so that widening the vocabulary (or swapping it
for another language) never touches the syntax code.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from workers.models import Stance

__all__ = [
    "CONTENT_OBJECT_VERBS",
    "NON_FACTIVE_GOVERNORS",
    "REPORTING_VERBS",
    "SPECULATIVE_MODALS",
    "STANCE_BY_LEMMA",
    "stance_for",
]

#: What a cue lemma says about the claimant's position; absent lemmas are "assert".
STANCE_BY_LEMMA: Final = MappingProxyType[str, Stance](
    {
        "confirm": "confirm",
        "verify": "confirm",
        "deny": "deny",
        "refute": "deny",
        "dispute": "deny",
        "accuse": "accuse",
        "allege": "accuse",
        "blame": "accuse",
        "warn": "warn",
        "caution": "warn",
        "promise": "promise",
        "pledge": "promise",
        "vow": "promise",
        "ask": "question",
        "question": "question",
        "wonder": "question",
        "query": "question",
    }
)

#: Verbs that attribute speech, writing or a stated belief to their subject.
REPORTING_VERBS: Final = frozenset(
    {
        "say",
        "tell",
        "add",
        "claim",
        "state",
        "report",
        "announce",
        "explain",
        "note",
        "argue",
        "believe",
        "think",
        "write",
        "suggest",
        "reveal",
        "admit",
        "acknowledge",
        "insist",
        "assert",
        "contend",
        "declare",
        "emphasise",
        "emphasize",
        "stress",
        "maintain",
        "mention",
        "observe",
        "predict",
        "reply",
        "respond",
        "remark",
        "comment",
        "concede",
        "conclude",
        "estimate",
        "testify",
        "tweet",
        "recall",
        "describe",
        "indicate",
        "reiterate",
        "quip",
        "joke",
        "exclaim",
        "boast",
        "complain",
        "continue",
        *STANCE_BY_LEMMA,
    }
)

#: Cues whose direct object can itself be the thing claimed ("confirmed violent
#: clashes"). For other verbs the object is an addressee ("told reporters") or not a
#: statement at all ("added three goals", "claimed 40 lives"), so only a clause or a
#: quotation counts as their content.
CONTENT_OBJECT_VERBS: Final = frozenset(
    {
        "confirm",
        "verify",
        "deny",
        "refute",
        "dispute",
        "announce",
        "report",
        "reveal",
        "admit",
        "acknowledge",
        "allege",
        "predict",
        "promise",
        "pledge",
        "accuse",
        "blame",
    }
)

#: A cue that is the infinitive of one of these ("declined to comment", "is expected
#: to announce") reports nothing the claimant actually said.
NON_FACTIVE_GOVERNORS: Final = frozenset(
    {"decline", "refuse", "fail", "expect", "want", "plan", "hope", "intend", "try"}
)

#: Modals that make the cue hypothetical ("critics may argue that ...").
SPECULATIVE_MODALS: Final = frozenset({"may", "might", "could"})


def stance_for(lemma: str) -> Stance:
    """Map a cue lemma to the stance it expresses.

    Args:
        lemma: The cue's lemma, lower case ("deny", "according to").

    Returns:
        The stance; "assert" for every cue that does not carry one of its own.
    """
    return STANCE_BY_LEMMA.get(lemma, "assert")
