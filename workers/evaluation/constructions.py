"""Which construction attributes a gold claim, read off the gold's spans and text alone.

Overall recall says how many claims are missed, not which kind of writing misses
them. Real copy attributes in a handful of constructions, and each is a rule of its
own in the extractor, so the scorer reports recall per construction. The construction
is decided from the gold alone (its cue and content spans and the text between them),
never from the system's parse, so that two systems, or two versions of one, are
measured on the same classes:

- ``according_to``: the cue is "according to" (wherever it stands);
- ``continuation``: a sentence or paragraph ends between the cue and the content, so
  the content carries on an earlier attribution (a second quotation after an
  attributed one, a quotation paragraph after narration);
- ``nominal``: the cue is a noun ("the ministry's announcement that", "in a
  statement"): the word before it is a determiner or a possessive, or the cue itself
  begins with "in" or "by";
- ``cue_after``: the cue follows the content in its sentence ("..., argued the director");
- ``cue_before_insertion``: the cue precedes the content with words between them other
  than "that" (a time, a place or a recipient: "said Friday the bridge...", "told
  reporters the deal...");
- ``cue_before``: the cue precedes the content directly, or through "that" or
  punctuation alone ("said that...", "said: ...").

The tests are on characters, so they misplace a few claims (an abbreviation's full
stop reads as a sentence end): a class's recall is comparable across systems and
versions, not a grammar of the gold.
"""

from __future__ import annotations

import re
from typing import Final, Literal

__all__ = ["CONSTRUCTIONS", "Construction", "construction"]

Construction = Literal["cue_before", "cue_before_insertion", "cue_after", "continuation", "according_to", "nominal"]
#: Every construction, in the order reports list them.
CONSTRUCTIONS: Final[tuple[Construction, ...]] = (
    "cue_before",
    "cue_before_insertion",
    "cue_after",
    "continuation",
    "according_to",
    "nominal",
)

_SENTENCE_END = re.compile("[.!?][\"'\u201d\u2019)\\]]*\\s|\n")
_WORD = re.compile("[^\\W_]+(?:['\u2019][^\\W_]+)*")
_DETERMINERS: Final = frozenset(
    {"the", "a", "an", "its", "his", "her", "their", "our", "your", "my", "this", "these", "those", "whose"}
)
_NOMINAL_OPENERS: Final = frozenset({"in", "by"})


def construction(cue: tuple[int, int], content: tuple[int, int], text: str) -> Construction:
    """The construction of the claim whose cue and content lie at these offsets of ``text``."""
    cue_text = text[cue[0] : cue[1]].lower()
    cue_words = _WORD.findall(cue_text)
    if cue_words[:1] == ["according"]:
        return "according_to"
    between = text[min(cue[1], content[1]) : max(cue[0], content[0])]
    if _SENTENCE_END.search(between):
        return "continuation"
    before = _WORD.findall(text[max(0, cue[0] - 40) : cue[0]].lower())
    if (before and (before[-1] in _DETERMINERS or before[-1].endswith(("'s", "\u2019s")))) or (
        len(cue_words) > 1 and cue_words[0] in _NOMINAL_OPENERS
    ):
        return "nominal"
    if content[1] <= cue[0]:
        return "cue_after"
    words = _WORD.findall(between.lower())
    if not words or words == ["that"]:
        return "cue_before"
    return "cue_before_insertion"
