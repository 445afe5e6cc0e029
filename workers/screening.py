"""Look at a body before the NLP: markup, language, punctuation.

Offsets must index the body exactly as received, so nothing is removed: HTML tags are
blanked (replaced by spaces of the same length) in the text the NLP sees, and what was
found is reported as flags on the enriched article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["Flag", "Screening", "screen"]

#: What the screening noticed about a body.
Flag = Literal["html", "non_english", "no_sentence_punctuation"]

_TAG = re.compile(
    r"<!--.*?-->|<(script|style)\b[^>]*>.*?</\1\s*>|</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]{0,2000})?/?>", re.S | re.I
)
_WORD = re.compile(r"[^\W\d_]+")
_SENTENCE_END = re.compile(r"[.!?\u3002\uff01\uff1f\u0964]")
# The most frequent English function words: about a third of the words of English news
# prose, and rare in other languages (a few, like "in" or "a", are shared, hence a ratio).
_ENGLISH = frozenset(
    {
        "the",
        "of",
        "and",
        "to",
        "a",
        "in",
        "that",
        "is",
        "was",
        "for",
        "on",
        "it",
        "with",
        "as",
        "he",
        "she",
        "they",
        "be",
        "by",
        "at",
        "from",
        "his",
        "her",
        "said",
        "are",
        "have",
        "has",
        "had",
        "this",
        "not",
        "but",
        "or",
        "an",
        "were",
        "been",
        "their",
        "its",
        "which",
        "will",
        "would",
        "who",
        "we",
        "you",
        "i",
        "after",
        "about",
        "more",
        "than",
        "one",
        "also",
        "there",
    }
)
_MIN_WORDS = 20
_MIN_ENGLISH_RATIO = 0.08
_SAMPLE_CHARS = 2_000  # a few hundred words tell English apart; more only costs time
_MIN_CHARS_FOR_PUNCTUATION = 1_000


@dataclass(frozen=True, slots=True)
class Screening:
    """The text for the NLP (same length as the body) and what was noticed."""

    text: str
    flags: tuple[Flag, ...]
    english: bool


def screen(body: str, declared_language: str | None = None) -> Screening:
    """Screen ``body``; ``declared_language`` (a BCP 47 tag) wins over detection."""
    flags: list[Flag] = []
    text = body
    if "<" in body and _TAG.search(body):
        text = _TAG.sub(lambda m: " " * len(m.group(0)), body)
        flags.append("html")
    english = _is_english(text, declared_language)
    if not english:
        flags.append("non_english")
    if len(body) >= _MIN_CHARS_FOR_PUNCTUATION and not _SENTENCE_END.search(body):
        flags.append("no_sentence_punctuation")
    return Screening(text=text, flags=tuple(flags), english=english)


def _is_english(text: str, declared: str | None) -> bool:
    if declared:
        return declared.strip().lower().split("-")[0].split("_")[0] == "en"
    words = [w.lower() for w in _WORD.findall(text[:_SAMPLE_CHARS])]
    if len(words) < _MIN_WORDS:
        return True  # too little to tell; the English model is the best guess
    return sum(w in _ENGLISH for w in words) / len(words) >= _MIN_ENGLISH_RATIO
