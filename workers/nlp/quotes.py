"""Quotations in raw text, found without the parse.

The small English model often splits a sentence at a quotation mark or at a
paragraph break it did not see, so quotation marks are paired in the text itself,
in one pass. A quotation never crosses a newline: news closes a quotation that goes
on in the next paragraph only there, and opens the next paragraph with a fresh
mark, so a quotation still open at the end of its paragraph runs to that end and is
marked ``open``. Some sources drop that fresh mark: a paragraph whose first quotation
mark closes (“... focus better.”) after a paragraph that left one open holds a
quotation from its start, marked ``unopened``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Final

__all__ = ["CLOSERS", "OPENERS", "Quotation", "Quotations", "find_quotes"]

_OPEN_TO_CLOSE: Final = {"\u201c": "\u201d", '"': '"', "\u00ab": "\u00bb"}
OPENERS: Final = frozenset(_OPEN_TO_CLOSE)
CLOSERS: Final = frozenset(_OPEN_TO_CLOSE.values())


@dataclass(frozen=True, slots=True)
class Quotation:
    """[start, end) of a quotation, marks included; ``open`` when no closing mark
    ended it (it ran to the end of its paragraph)."""

    start: int
    end: int
    open: bool = False
    #: It starts at its paragraph's start, with no opening mark of its own.
    unopened: bool = False


def find_quotes(text: str) -> list[Quotation]:
    """Quotations in ``text``, in order. An opening mark met while one is open
    restarts it; a straight double quote after a letter or digit is not an opening
    mark (12" records, inch marks)."""
    quotes: list[Quotation] = []
    open_at = -1
    closer = ""
    carried = ""  # the closing mark of a quotation the previous paragraph left open
    para_start = 0
    for i, ch in enumerate(text + "\n"):
        if ch == "\n":
            carried = ""
            if open_at >= 0:
                end = i
                while end > open_at + 1 and text[end - 1].isspace():
                    end -= 1
                if end > open_at + 1:
                    quotes.append(Quotation(open_at, end, open=True))
                    carried = closer
            open_at = -1
            para_start = i + 1
        elif open_at >= 0 and ch == closer:
            if i > open_at + 1:
                quotes.append(Quotation(open_at, i + 1))
            open_at = -1
        elif carried and ch == carried and _closes(text, i, para_start):
            quotes.append(Quotation(para_start, i + 1, unopened=True))
            carried = ""
        elif ch in _OPEN_TO_CLOSE and (ch != '"' or i == 0 or not text[i - 1].isalnum()):
            open_at, closer = i, _OPEN_TO_CLOSE[ch]
            carried = ""
    return quotes


def _closes(text: str, i: int, para_start: int) -> bool:
    """Whether the mark at ``i`` ends a quotation: it follows a word or punctuation
    in this paragraph and no word follows it (“... better.” / “..., she said)."""
    return i > para_start and not text[i - 1].isspace() and (i + 1 >= len(text) or not text[i + 1].isalnum())


class Quotations:
    """The quotations of one text, with lookups by offset in logarithmic time."""

    def __init__(self, text: str) -> None:
        self.all = find_quotes(text)
        self.starts = [q.start for q in self.all]

    def at(self, char: int) -> Quotation | None:
        """The quotation (marks included) that contains ``char``, if any."""
        i = bisect_right(self.starts, char) - 1
        if i >= 0 and self.all[i].start <= char < self.all[i].end:
            return self.all[i]
        return None

    def last_ending_by(self, char: int) -> Quotation | None:
        """The last quotation that starts before ``char``."""
        i = bisect_left(self.starts, char) - 1
        return self.all[i] if i >= 0 else None

    def first_starting_at(self, char: int) -> Quotation | None:
        """The first quotation that starts at or after ``char``."""
        i = bisect_left(self.starts, char)
        return self.all[i] if i < len(self.all) else None

    def any_within(self, start: int, end: int) -> bool:
        """Whether a whole quotation lies inside [start, end)."""
        i = bisect_left(self.starts, start)
        return i < len(self.all) and self.all[i].end <= end
