"""Word lists that decide which words attribute a claim and what stance they carry.

The lists are lemmas as spaCy's English lemmatizer gives them. They live apart from
the extraction rules (``cues.py``, ``content.py``, ``channels.py``) so that widening
the vocabulary (or swapping it for another language) never touches the syntax code.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from workers.models import Stance

__all__ = [
    "CHANNEL_NOUNS",
    "CONTENT_OBJECT_VERBS",
    "NON_FACTIVE_GOVERNORS",
    "REPORTING_VERBS",
    "SPECULATIVE_MODALS",
    "STANCE_BY_LEMMA",
    "STATEMENT_VERBS",
    "stance_for",
]

#: What a cue lemma says about the claimant's position; absent lemmas are "assert".
STANCE_BY_LEMMA: Final = MappingProxyType[str, Stance](
    {
        "confirm": "confirm",
        "verify": "confirm",
        # Granting that something is so, often against one's interest.
        "acknowledge": "confirm",
        "admit": "confirm",
        "concede": "confirm",
        "affirm": "confirm",
        "reaffirm": "confirm",
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
        "reason",
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

#: Nouns that, after "in", "on", "via" or "through", name the channel a claim was
#: made in ("said in a statement", "told X in an interview").
CHANNEL_NOUNS: Final = frozenset(
    {"statement", "interview", "post", "tweet", "video", "message", "letter", "speech",
     "broadcast", "briefing", "conference", "email", "e-mail", "release", "television",
     "radio", "podcast", "blog", "column", "filing", "address", "communique", "communiqué",
     "announcement", "note", "memo", "newsletter", "programme", "program", "show", "testimony"}
)  # fmt: skip

#: Verbs of publishing that, with a channel noun as object ("issued a statement"),
#: attribute the quotation that follows to their subject.
STATEMENT_VERBS: Final = frozenset({"issue", "release", "publish", "post", "put", "send"})

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
