"""A content span: where a cue's content lies, and what kind of content it is.

Text that is all one quotation is that quotation ("direct"), without its marks and
the comma or full stop before the closing mark (“X,” he said); text that holds a
quoted fragment is "mixed" and keeps the fragment's marks whole; anything else is
"indirect".
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from workers.models import ClaimKind
from workers.nlp.article_index import ArticleIndex
from workers.nlp.quotes import CLOSERS, Quotation

__all__ = ["Content", "quote_content", "span_content"]


@dataclass(frozen=True, slots=True)
class Content:
    """Where a cue's content lies, before it becomes a ``Claim``."""

    start: int
    end: int
    kind: ClaimKind
    #: A quotation after the attribution's sentence: weaker than any other link.
    continued: bool = False
    #: Only a broad attribution scheme counts it (see ``workers.models.Claim``).
    broad: bool = False


def span_content(article: ArticleIndex, start: int, end: int) -> Content | None:
    """Content for [start, end): a quotation if that is all it is, "mixed" if it
    holds a quoted fragment (whose marks are then kept whole), else "indirect"."""
    first, last = article.quotes.at(start), article.quotes.at(end - 1)
    if first is not None and first == last:
        return quote_content(article, first)
    if last is not None and last.start >= start:
        end = last.end  # ... had grown into a "support movement." -> keep the closing mark
    if first is not None and first.end <= end:
        start = first.start
    mixed = article.quotes.any_within(start, end)
    return Content(start, end, "mixed" if mixed else "indirect")


def quote_content(article: ArticleIndex, quote: Quotation, *, continued: bool = False) -> Content | None:
    """A quotation's text without its marks and the comma or full stop before the
    closing mark (“X,” he said)."""
    text = article.text
    start, end = quote.start + (0 if quote.unopened else 1), quote.end
    if text[end - 1] in CLOSERS and not quote.open:
        end -= 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and text[end - 1] in ",.":
        i = bisect_right(article.token_starts, end - 1) - 1
        if i >= 0 and article.doc[i].text == text[end - 1]:  # not the stop of "U.S."
            end -= 1
    return Content(start, end, "direct", continued) if end > start else None
