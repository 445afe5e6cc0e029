"""Quotations a cue attributes by standing next to it, read from the text.

One just before the attribution (“X,” he said), one just after it (he said: “X”),
one that goes on after the attribution's sentence ends (“X,” he said. “Y.”), one
that opens the next paragraph after an attribution ending in a colon ("Obama
tweeted using his account:"), and the quotation after a published statement ("X
issued a statement on the decision. “Y.”").
"""

from __future__ import annotations

import re
from typing import Final

from spacy.tokens import Token

from workers.nlp.article_index import ArticleIndex
from workers.nlp.content_spans import Content, quote_content
from workers.nlp.quotes import CLOSERS, OPENERS, Quotation

__all__ = ["adjacent_quotes", "quotes_around", "statement_quote"]

#: Between a quotation and its attribution only this may stand (“X,” he said).
_ATTRIBUTION_GAP: Final = re.compile(r"[ \t,;:\u2014\u2013-]*")
_SENTENCE_ENDS: Final = frozenset({".", "!", "?"})


def adjacent_quotes(article: ArticleIndex, cue: Token, para: tuple[int, int]) -> list[Content]:
    """Quotations that the cue's clause attributes: one just before it (“X,” he
    said), one just after (he said: “X”), and one that continues the speech after
    the attribution's sentence ends (“X,” he said. “Y.”)."""
    subjects = [c.left_edge.idx for c in cue.children if c.dep_ in ("nsubj", "nsubjpass")]
    clause_start = min([cue.idx, *subjects])
    found: list[Content | None] = []
    before = article.quotes.last_ending_by(clause_start)
    if (
        before is not None
        and before.start >= para[0]
        and _ATTRIBUTION_GAP.fullmatch(article.text, before.end, clause_start)
    ):
        found.append(quote_content(article, before))
    cue_end = cue.idx + len(cue.text)
    after = article.quotes.first_starting_at(cue_end)
    if after is not None and after.start >= para[1] and _introduces_next_paragraph(article, cue_end, para, after):
        found.append(quote_content(article, after))  # "X tweeted:" and the quotation below
    elif after is not None and after.start < para[1]:
        gap = article.doc.char_span(cue_end, after.start, alignment_mode="contract")
        between = list(gap) if gap is not None else []
        if len(between) <= 12 and not any(t.pos_ in ("VERB", "AUX") for t in between):
            if any(t.text in _SENTENCE_ENDS for t in between):
                if found:  # only a speaker already quoted in this sentence goes on
                    found.append(quote_content(article, after, continued=True))
            elif not between or between[-1].text in (",", ":"):
                # he said: “X” / he said, “X” / he said “X”; not "adding the words “X”"
                found.append(quote_content(article, after))
    return [c for c in found if c is not None]


def quotes_around(article: ArticleIndex, start: int, end: int, para: tuple[int, int]) -> list[Content]:
    """The quotation right before an attribution spanning [start, end) (“X,” the
    notice read) or right after it (the notice read: “X”), in its paragraph; only
    punctuation may stand between. For attributions read from the surface, without
    a parse to follow."""
    found = []
    before = article.quotes.last_ending_by(start)
    if before is not None and before.start >= para[0] and _ATTRIBUTION_GAP.fullmatch(article.text, before.end, start):
        found.append(quote_content(article, before))
    after = article.quotes.first_starting_at(end)
    if after is not None and after.start < para[1] and _ATTRIBUTION_GAP.fullmatch(article.text, end, after.start):
        found.append(quote_content(article, after))
    return [c for c in found if c is not None]


def _introduces_next_paragraph(article: ArticleIndex, cue_end: int, para: tuple[int, int], quote: Quotation) -> bool:
    """Whether the cue's paragraph ends in a colon (or comma) right after the
    attribution and the quotation opens the next paragraph ("Obama tweeted using his
    account:")."""
    tail = article.text[cue_end : para[1]].rstrip()
    if not tail.endswith((":", ",")) or len(tail) > 80 or any(ch in tail for ch in '.!?"\u201c'):
        return False
    if para[1] >= len(article.text):
        return False
    next_start = para[1] + 1
    return next_start <= quote.start and not article.text[next_start : quote.start].strip()


def statement_quote(article: ArticleIndex, cue: Token) -> list[Content]:
    """The quotation that follows "X issued a statement ...": the next sentence, in
    this paragraph or opening the next one, or what follows a colon."""
    cue_end = cue.idx + len(cue.text)
    quote = article.quotes.first_starting_at(cue_end)
    if quote is None:
        return []
    gap = article.text[cue_end : quote.start]
    rest = gap.rstrip()
    if not rest or rest[-1] not in ".:!?" or len(rest) > 250 or gap.count("\n") > 1:
        return []
    if any(ch in ".!?" or ch in OPENERS or ch in CLOSERS for ch in rest[:-1]):
        return []  # another sentence or quotation stands between
    content = quote_content(article, quote)
    return [content] if content is not None else []
