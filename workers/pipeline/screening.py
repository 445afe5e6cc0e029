"""Look at a body before the NLP: markup, language, punctuation.

Offsets must index the body exactly as received, so nothing is removed: HTML tags are
blanked (replaced by spaces of the same length) in the text the NLP sees, and what was
found is reported as flags on the enriched article.

The language is detected on the body's prose only (:mod:`workers.pipeline.language`): tables of
results, prices or votes are judged by the headline and sentences around them, not by
the language of the names in their rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from workers.pipeline.language import guess_language

__all__ = ["Flag", "Screening", "screen"]

#: What the screening noticed about a body.
Flag = Literal["html", "non_english", "no_sentence_punctuation"]

_TAG = re.compile(
    r"<!--.*?-->|<(script|style)\b[^>]*>.*?</\1\s*>|</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]{0,2000})?/?>", re.S | re.I
)
_SENTENCE_END = re.compile(r"[.!?\u3002\uff01\uff1f\u0964]")
_MIN_CHARS_FOR_PUNCTUATION = 1_000


@dataclass(frozen=True, slots=True)
class Screening:
    """The text for the NLP (same length as the body) and what was noticed."""

    text: str
    flags: tuple[Flag, ...]
    english: bool
    #: What the detector made of the body's prose, whatever was declared: a language
    #: code as CLD2 gives it (ISO 639-1 for most: "en", "de", "tl"; "zh-Hant", "iw").
    #: None when there was too little prose to tell, or the detector could not.
    detected_language: str | None = None
    #: The detector's confidence in ``detected_language``, 0..1; None when not asked.
    language_confidence: float | None = None


def screen(body: str, declared_language: str | None = None) -> Screening:
    """Screen ``body``; ``declared_language`` (a BCP 47 tag) wins over detection.

    Without a declared language, a body is non-English only when the detector is
    confident (:data:`workers.pipeline.language.MIN_CONFIDENCE`) of another language on its
    prose; with too little prose it is assumed to be English.
    """
    flags: list[Flag] = []
    text = body
    if "<" in body and _TAG.search(body):
        text = _TAG.sub(lambda m: " " * len(m.group(0)), body)
        flags.append("html")
    guess = guess_language(text)
    english = _declares_english(declared_language) if declared_language else guess.english
    if not english:
        flags.append("non_english")
    if len(body) >= _MIN_CHARS_FOR_PUNCTUATION and not _SENTENCE_END.search(body):
        flags.append("no_sentence_punctuation")
    return Screening(
        text=text,
        flags=tuple(flags),
        english=english,
        detected_language=guess.language,
        language_confidence=guess.confidence,
    )


def _declares_english(declared: str) -> bool:
    return declared.strip().lower().split("-")[0].split("_")[0] == "en"
