"""Where a reported clause starts and ends, as a content span.

A clause runs over its head's subtree (or from a given first to last token), cut to
its paragraph, without a leading complementizer ("that", "whether", "if") or edge
punctuation, and without a gloss the writer hung on it after a comma (“they entered
Hama, part of an offensive ...”, "the road was closed, citing police sources"). A
clause that starts in a quotation is that quotation when the quotation holds its
head (see ``clause_content``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from spacy.tokens import Token

from workers.nlp.article_index import ArticleIndex
from workers.nlp.content_spans import Content, quote_content, span_content
from workers.nlp.lexicon import ALL_CUE_VERBS

__all__ = ["NOMINAL", "clause_content", "without_gloss", "words_content"]

_COMPLEMENTIZERS: Final = frozenset({"that", "whether", "if"})
#: Objects that can be a statement's content; "that" or "it" only point at one.
#: Also the nominals a gloss or a fronted part of a clause is made of.
NOMINAL: Final = frozenset({"NOUN", "PROPN", "NUM"})
#: A nominal hung on the reported clause after a comma is the writer's gloss, not
#: the claim (“they entered Hama, part of an offensive ...”).
_GLOSS_DEPS: Final = frozenset({"dobj", "npadvmod", "appos"})
#: Participles after a comma that name the claimant's source, not the claim
#: ("the road was closed, citing police sources").
_SOURCE_PARTICIPLES: Final = frozenset({"cite", "quote"})


def words_content(
    article: ArticleIndex, first: Token, last: Token, para: tuple[int, int], *, broad: bool = False
) -> Content | None:
    """Content from ``first`` to ``last`` (tokens), without edge punctuation and
    "that", cut to the paragraph."""
    words = [t for t in article.doc[first.i : last.i + 1] if not t.is_space and para[0] <= t.idx < para[1]]
    while words and (words[0].is_punct or (words[0].lower_ in _COMPLEMENTIZERS and words[0].tag_ in ("IN", "WDT"))):
        words = words[1:]
    while words and words[-1].is_punct and not words[-1].is_quote:
        words = words[:-1]
    if not words:
        return None
    content = span_content(article, words[0].idx, words[-1].idx + len(words[-1].text))
    return replace(content, broad=True) if content is not None and broad else content


def clause_content(
    article: ArticleIndex,
    head: Token,
    cue: Token,
    para: tuple[int, int],
    last: Token | None = None,
    first: Token | None = None,
) -> Content | None:
    """The span of ``head``'s subtree (from ``first``, to ``last``) as content,
    without "that".

    A complement that starts in a quotation is that quotation when the quotation
    holds its head, or when its head is the attribution that follows ("He said:
    “We will win,” she added"), whatever else the parser hung on after it.
    """
    doc = article.doc
    first, last = first or head.left_edge, last or without_gloss(head)
    if first.i <= cue.i <= last.i:  # a non-projective parse: keep the head's side
        first, last = (doc[cue.i + 1], last) if head.i > cue.i else (first, doc[cue.i - 1])
    words = [t for t in doc[first.i : last.i + 1] if not (t.is_punct or t.is_space) and para[0] <= t.idx < para[1]]
    # "that" misparsed as a pronoun (tag WDT) is still the complementizer here.
    if words and words[0].lower_ in _COMPLEMENTIZERS and words[0].tag_ in ("IN", "WDT"):
        words = words[1:]
    if not words:
        return None
    quote = article.quotes.at(words[0].idx)
    if quote is not None and (
        article.quotes.at(head.idx) == quote or (head.idx >= quote.end and head.lemma_.lower() in ALL_CUE_VERBS)
    ):
        return quote_content(article, quote)
    return span_content(article, words[0].idx, words[-1].idx + len(words[-1].text))


def without_gloss(head: Token) -> Token:
    """The last token of ``head``'s clause, before a trailing gloss after a comma."""
    last = head.right_edge
    children = list(head.rights)
    if len(children) < 2:
        return last
    tail = children[-1]
    if tail.dep_ == "punct":
        if len(children) < 3:
            return last
        tail = children[-2]
    before = head.doc[tail.left_edge.i - 1]
    if tail.dep_ == "advcl" and tail.lemma_.lower() in _SOURCE_PARTICIPLES and before.text == ",":
        return head.doc[before.i - 1]
    is_second_object = tail.dep_ != "dobj" or any(c.dep_ == "dobj" and c.i < tail.i for c in head.children)
    if tail.dep_ in _GLOSS_DEPS and tail.pos_ in NOMINAL and before.text == "," and is_second_object:
        return head.doc[before.i - 1]
    return last
