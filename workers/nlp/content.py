"""What a cue reports: the span of text that is the claim itself.

In order of preference: the cue's clausal complement ("said that X"), its direct
object for verbs whose object is the thing stated ("confirmed violent clashes"), or
a quotation standing next to the attribution (“X,” she said / He told Z: “X”). A
complement that is a quotation is the quotation; a complement that holds a quoted
fragment is "mixed" and keeps the fragment's marks whole.

A request's content is its addressee and what they are asked to do ("urged [the
government to raise wages]", "called for [an inquiry]"); such a content is broad.
An attribution set inside the clause it reports ("The plan, officials said, will
cost more") reports that whole clause: content is one span, so it runs from the
clause's start to its end and includes the interruption.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from typing import Final

from spacy.tokens import Token

from workers.models import ClaimKind
from workers.nlp.article_index import ArticleIndex
from workers.nlp.lexicon import ALL_CUE_VERBS, CHANNEL_NOUNS, CONTENT_OBJECT_VERBS, EVIDENCE_VERBS, REQUEST_VERBS
from workers.nlp.quotes import CLOSERS, OPENERS, Quotation

__all__ = [
    "Content",
    "adjacent_quotes",
    "contents",
    "contents_of_clause",
    "quote_content",
    "span_content",
    "statement_quote",
]

#: Between a quotation and its attribution only this may stand (“X,” he said).
_ATTRIBUTION_GAP: Final = re.compile(r"[ \t,;:\u2014\u2013-]*")
_SENTENCE_ENDS: Final = frozenset({".", "!", "?"})
#: Punctuation that sets an attribution off inside the clause it reports.
_INTERRUPTION_MARKS: Final = frozenset({",", "\u2014", "\u2013", "-"})
_COMPLEMENTIZERS: Final = frozenset({"that", "whether", "if"})
#: Objects that can be a statement's content; "that" or "it" only point at one.
_NOMINAL: Final = frozenset({"NOUN", "PROPN", "NUM"})
#: A nominal hung on the reported clause after a comma is the writer's gloss, not
#: the claim (“they entered Hama, part of an offensive ...”).
_GLOSS_DEPS: Final = frozenset({"dobj", "npadvmod", "appos"})
#: Participles after a comma that name the claimant's source, not the claim
#: ("the road was closed, citing police sources").
_SOURCE_PARTICIPLES: Final = frozenset({"cite", "quote"})


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


def contents(article: ArticleIndex, cue: Token) -> list[Content]:
    """What the cue reports: its complement, its object, or adjacent quotations."""
    para = article.paragraph(cue.idx)
    clauses = [c for c in cue.children if c.dep_ == "ccomp" and para[0] <= c.idx < para[1]]
    if clauses:
        # Reported speech follows its cue ("X said that Y"); a complement before the
        # cue ("Y, X said") counts only when there is none after it.
        nearest = min(clauses, key=lambda c: (c.i < cue.i, abs(c.i - cue.i)))
        # Two complements on one side are one clause the parser split ("revealed
        # that a defector [...] called the Sea Org was [...] persuaded"): span both.
        same_side = [c for c in clauses if (c.i > cue.i) == (nearest.i > cue.i)]
        last = max(same_side, key=lambda c: c.i).right_edge if len(same_side) > 1 else None
        split = _split_subject(cue, nearest)
        if split is not None:  # "figures show [a record 45,756 migrants] [drove claims up]"
            end = last or _without_gloss(nearest)
            return [c for c in [_words_content(article, split, end, para)] if c is not None]
        fronted = _fronted_part(cue, nearest)
        if fronted is not None:  # "Prices, the bank said, will keep rising"
            end = last or _without_gloss(nearest)
            return [c for c in [_words_content(article, fronted, end, para)] if c is not None]
        content = _clause_content(article, nearest, cue, para, last=last)
        if content is None or content.kind != "direct":
            return [content] if content is not None else []
        # A quoted complement may go on in a second quotation (“X,” he said, “Y.”).
        more = [c for c in adjacent_quotes(article, cue, para) if c.start != content.start]
        return [content, *more]
    if cue.lemma_.lower() in CONTENT_OBJECT_VERBS and not any(c.dep_ in ("auxpass", "nsubjpass") for c in cue.children):
        obj = next((c for c in cue.children if c.dep_ == "dobj" and c.pos_ in _NOMINAL), None)
        if obj is not None and para[0] <= obj.idx < para[1]:
            last = obj.right_edge
            for child in cue.children:
                # "accused the government of rigging the vote"; "announced the start
                # of a process to suggest designs" (the infinitive misattached)
                of_phrase = child.dep_ == "prep" and child.lower_ in ("of", "for")
                infinitive = child.dep_ == "xcomp" and child.tag_ == "VB"
                if child.left_edge.i == last.i + 1 and (of_phrase or infinitive):
                    last = child.right_edge
            content = _clause_content(article, obj, cue, para, last=last)
            return [content] if content is not None else []
    request = _request_content(article, cue, para)
    if request is not None:
        return [request]
    if any(c.dep_ == "xcomp" and c.tag_ != "VBG" for c in cue.children):
        return []  # "continued to shun", "told them to leave": not a speech act here
    hung = _clause_on_channel(cue, para)
    if hung is not None:  # "told LA Weekly in a statement that the case was ..."
        content = _clause_content(article, hung, cue, para)
        return [content] if content is not None else []
    if cue.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ == "as" for c in cue.children):
        content = _main_clause_content(article, cue, para)  # "As X told Y, Z"
        if content is not None:
            return [content]
    quoted = adjacent_quotes(article, cue, para)
    if quoted:
        return quoted
    named = _quoted_name(article, cue)
    if named is not None:  # in what he called “a reckless gamble”
        return [named]
    interrupted = _interrupted_clause(article, cue, para)
    return [interrupted] if interrupted is not None else []


def _request_content(article: ArticleIndex, cue: Token, para: tuple[int, int]) -> Content | None:
    """A request's addressee and what they are asked to do, as a broad content:
    "urged [the government to raise wages]", "called on [ministers to act]",
    "called for [an inquiry]" / "called for [the minister to resign]"."""
    if cue.lemma_.lower() not in REQUEST_VERBS:
        return None
    doc = article.doc
    for child in cue.children:
        if child.i < cue.i or not para[0] <= child.idx < para[1]:
            continue
        if child.dep_ == "xcomp" and child.tag_ == "VB":
            objects = [c for c in cue.children if c.dep_ == "dobj" and c.i < child.i]
            first = objects[0].left_edge if objects else child.left_edge
            return _words_content(article, first, child.right_edge, para, broad=True)
        if cue.lemma_.lower() != "call":
            continue
        mark = next((m for m in child.children if m.dep_ == "mark" and m.lower_ == "for"), None)
        if child.dep_ == "advcl" and mark is not None:  # "called for [the minister to resign]"
            return _words_content(article, doc[mark.i + 1], child.right_edge, para, broad=True)
        if child.lower_ in ("for", "on") and child.dep_ == "prep":
            obj = next((c for c in child.children if c.dep_ in ("pobj", "pcomp")), None)
            if obj is None:
                continue
            last = obj.right_edge
            after = [c for c in cue.children if c.dep_ in ("xcomp", "advcl") and c.i > last.i]
            if child.lower_ == "on" and after:  # "called on ministers [to act]"
                last = after[0].right_edge
            elif child.lower_ == "on" and not any(c.dep_ in ("xcomp", "advcl", "relcl") for c in obj.children):
                continue  # "called on the minister": a visit, not a request
            return _words_content(article, obj.left_edge, last, para, broad=True)
    return None


def _quoted_name(article: ArticleIndex, cue: Token) -> Content | None:
    """ "in what he called “a reckless gamble”": the quotation a naming verb gives as
    its object's name (call, describe ... as). Broad: an evaluation in the
    claimant's words rather than a statement."""
    if cue.lemma_.lower() not in ("call", "describe", "label", "brand", "dub"):
        return None
    for child in cue.children:
        if child.dep_ in ("oprd", "prep") and child.i > cue.i:
            target = next((c for c in child.children if c.dep_ in ("pobj", "amod")), child)
            quote = article.quotes.at(target.idx)
            if quote is not None and quote.start > cue.idx:
                content = quote_content(article, quote)
                return replace(content, broad=True) if content is not None else None
    return None


def _interrupted_clause(article: ArticleIndex, cue: Token, para: tuple[int, int]) -> Content | None:
    """The clause an attribution interrupts: "The plan, [officials said], will cost
    more"; "It is on the premier's watch, [the leader said], that debt doubled".
    The parser makes the cue a parataxis of the clause's verb; the content is the
    whole clause, interruption included (content is one span)."""
    if cue.dep_ != "parataxis" or cue.head is cue:
        return None
    head = cue.head
    doc = article.doc
    left, right = cue.left_edge, cue.right_edge
    while left.i < cue.i and left.is_punct:
        left = doc[left.i + 1]
    while right.i > cue.i and right.is_punct:
        right = doc[right.i - 1]
    before, after = left.i - 1, right.i + 1
    if before < 0 or after >= len(doc) or doc[before].text not in _INTERRUPTION_MARKS:
        return None
    if doc[after].text not in _INTERRUPTION_MARKS:
        return None
    first, last = head.left_edge, _without_gloss(head)
    if not first.i < before or not after < last.i:
        return None  # the attribution opens or closes the clause, it does not interrupt it
    if article.quotes.at(first.idx) is not None or article.quotes.at(last.idx) is not None:
        return None  # quotations around an attribution are read by adjacent_quotes
    return _words_content(article, first, last, para)


def _split_subject(cue: Token, clause: Token) -> Token | None:
    """The subject of an evidence verb's clause that the parser made the verb's
    object ("figures show [a record number of migrants] drove claims up"): an object
    right before a complement with no "that" and no subject of its own."""
    if cue.lemma_.lower() not in EVIDENCE_VERBS or clause.i < cue.i:
        return None
    if any(c.dep_ in ("nsubj", "nsubjpass", "mark") for c in clause.children):
        return None
    obj = next((c for c in cue.children if c.dep_ == "dobj" and c.i < clause.i), None)
    if obj is None or obj.right_edge.i + 1 != clause.left_edge.i:
        return None
    return obj.left_edge


def _fronted_part(cue: Token, clause: Token) -> Token | None:
    """The start of a reported clause the parser cut off before the attribution
    ("[Prices], the bank said, will keep rising": "Prices" hung on "said")."""
    if clause.i < cue.i:
        return None
    fronted = [c for c in cue.lefts if c.dep_ in ("dep", "npadvmod") and c.pos_ in _NOMINAL]
    if not fronted:
        return None
    part = fronted[0]
    doc = cue.doc
    comma = doc[part.right_edge.i + 1] if part.right_edge.i + 1 < len(doc) else None
    if comma is None or comma.text != "," or not part.left_edge.is_sent_start:
        return None
    return part.left_edge


def _words_content(
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


def contents_of_clause(article: ArticleIndex, clause: Token, cue: Token, para: tuple[int, int]) -> Content | None:
    """The content of ``clause`` reported by ``cue`` (a verb or a report noun)."""
    return _clause_content(article, clause, cue, para)


def _clause_on_channel(cue: Token, para: tuple[int, int]) -> Token | None:
    """A that-clause the parser hung on a noun after the cue instead of on the cue
    ("told LA Weekly in a statement [that the case was being dealt with]")."""
    for prep in cue.children:
        if prep.dep_ != "prep" or prep.i < cue.i:
            continue
        for obj in prep.children:
            if obj.lemma_.lower() not in CHANNEL_NOUNS:
                continue
            for clause in obj.children:
                if (
                    clause.dep_ in ("acl", "ccomp", "relcl")
                    and para[0] <= clause.idx < para[1]
                    and any(m.dep_ == "mark" and m.lower_ == "that" for m in clause.children)
                ):
                    return clause
    return None


def _main_clause_content(article: ArticleIndex, cue: Token, para: tuple[int, int]) -> Content | None:
    """The clause an "as X said" clause modifies: "As Heald told the Post, [ozone
    has dropped]" or "[Ozone has dropped], as Heald told the Post"."""
    own = range(cue.left_edge.i, cue.right_edge.i + 1)
    words = [
        t for t in cue.head.subtree if t.i not in own and not (t.is_punct or t.is_space) and para[0] <= t.idx < para[1]
    ]
    after = [t for t in words if t.i > own[-1]]
    words = after or [t for t in words if t.i < own[0]]
    if not words:
        return None
    return span_content(article, words[0].idx, words[-1].idx + len(words[-1].text))


def _clause_content(
    article: ArticleIndex, head: Token, cue: Token, para: tuple[int, int], last: Token | None = None
) -> Content | None:
    """The span of ``head``'s subtree (to ``last``) as content, without "that".

    A complement that starts in a quotation is that quotation when the quotation
    holds its head, or when its head is the attribution that follows ("He said:
    “We will win,” she added"), whatever else the parser hung on after it.
    """
    doc = article.doc
    first, last = head.left_edge, last or _without_gloss(head)
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


def _without_gloss(head: Token) -> Token:
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
    if tail.dep_ in _GLOSS_DEPS and tail.pos_ in _NOMINAL and before.text == "," and is_second_object:
        return head.doc[before.i - 1]
    return last


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
