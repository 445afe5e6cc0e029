"""Find attributed statements ("claims") in a parsed article.

A claim is ``claimant -[cue]-> content``. Cues are reporting verbs (``lexicon.py``)
and the phrase "according to". Content is, in order of preference, the verb's clausal
complement, its direct object for verbs whose object is the thing stated ("confirmed
violent clashes"), or a quotation standing next to the attribution (“X,” she said /
He told Z: “X”). Quotations are found in the raw text rather than in the parse,
because the small English model often splits a sentence at a quotation mark or at a
paragraph break it did not see.

Paragraphs (newline-separated) are hard limits: no claimant or content crosses one.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from spacy.tokens import Doc, Token

from workers.ids import stable_id
from workers.models import Claim, Claimant, ClaimKind, Cue, Entity, Span
from workers.nlp.lexicon import (
    CONTENT_OBJECT_VERBS,
    NON_FACTIVE_GOVERNORS,
    REPORTING_VERBS,
    SPECULATIVE_MODALS,
    stance_for,
)

__all__ = ["extract_claims"]

_OPEN_TO_CLOSE: Final = {"“": "”", '"': '"', "«": "»"}
_CLOSERS: Final = frozenset(_OPEN_TO_CLOSE.values())
#: Between a quotation and its attribution only this may stand (“X,” he said).
_ATTRIBUTION_GAP: Final = re.compile(r"[ \t,;:\u2014\u2013-]*")
_SENTENCE_ENDS: Final = frozenset({".", "!", "?"})
_COMPLEMENTIZERS: Final = frozenset({"that", "whether", "if"})
_RELATIVE_PRONOUNS: Final = frozenset({"who", "which", "that"})
#: Objects that can be a statement's content; "that" or "it" only point at one.
_NOMINAL: Final = frozenset({"NOUN", "PROPN", "NUM"})
#: Which entity labels a subject pronoun can stand for. Countries and companies are
#: "it"; nationalities and organisations seen as their members are "they".
_PRONOUN_LABELS: Final = {
    "he": frozenset({"PERSON"}),
    "she": frozenset({"PERSON"}),
    "it": frozenset({"ORG", "GPE"}),
    "they": frozenset({"ORG", "NORP"}),
}
#: Tags of an unnamed earlier speaker that a pronoun most likely continues.
_PRONOUN_TAGS: Final = {"it": frozenset({"NN"}), "they": frozenset({"NNS", "NNPS"})}
#: A claimant whose head is not a named thing ("a spokesman for Microsoft") speaks
#: for the organisation or place named inside it; never for a person ("Smith's
#: lawyer" is not Smith) nor for a nationality ("Syrian insurgents").
_REPRESENTED_LABELS: Final = frozenset({"ORG", "GPE"})
#: Subject modifiers that describe the speaker rather than name it; the claimant
#: span stops before them ("the Observatory, an opposition war monitor, said").
_DESCRIPTIVE_DEPS: Final = frozenset({"appos", "relcl", "acl", "parataxis"})


@dataclass(frozen=True, slots=True)
class _Content:
    """Where a cue's content lies, before it becomes a ``Claim``."""

    start: int
    end: int
    kind: ClaimKind
    #: A quotation after the attribution's sentence: weaker than any other link.
    continued: bool = False


@dataclass(frozen=True, slots=True)
class _Attribution:
    """A cue with its speaker tokens (first, last) and what it reports."""

    start: int
    end: int
    lemma: str
    speaker: tuple[Token, Token] | None
    contents: list[_Content]


class _Article:
    """Lookups over one doc that every cue needs, built once in linear time."""

    def __init__(self, doc: Doc, entities: Sequence[Entity]) -> None:
        self.doc = doc
        self.text: str = doc.text
        self.quotes = _find_quotes(self.text)
        self.quote_starts = [q[0] for q in self.quotes]
        self.newlines = [i for i, ch in enumerate(self.text) if ch == "\n"]
        self.token_starts = [t.idx for t in doc]
        self.entity_at: list[Entity | None] = [None] * len(doc)
        self.by_id = {e.id: e for e in entities}
        # A speaker spaCy did not tag ("Rathbun wrote") is still found by name; a
        # name two entities share maps to None.
        self.by_name: dict[str, Entity | None] = {}
        mentions: list[tuple[int, Entity]] = []
        for entity in entities:
            names = {entity.name.casefold()}
            if entity.label == "PERSON":
                names.add(entity.name.split()[-1].casefold())
            for m in entity.mentions:
                mentions.append((m.start, entity))
                names.add(m.text.casefold())
                span = doc.char_span(m.start, m.end, alignment_mode="expand")
                for tok in span if span is not None else ():
                    self.entity_at[tok.i] = entity
            for name in names:
                known = self.by_name.setdefault(name, entity)
                if known is not None and known.id != entity.id:
                    self.by_name[name] = None
        mentions.sort(key=lambda pair: (pair[0], pair[1].id))
        self.mention_starts = [start for start, _ in mentions]
        self.mention_entities = [entity for _, entity in mentions]

    def paragraph(self, char: int) -> tuple[int, int]:
        """The [start, end) of the paragraph holding ``char``."""
        i = bisect_left(self.newlines, char)
        start = self.newlines[i - 1] + 1 if i > 0 else 0
        end = self.newlines[i] if i < len(self.newlines) else len(self.text)
        return start, end

    def quote_at(self, char: int) -> tuple[int, int] | None:
        """The quotation (marks included) that contains ``char``, if any."""
        i = bisect_right(self.quote_starts, char) - 1
        if i >= 0 and self.quotes[i][0] <= char < self.quotes[i][1]:
            return self.quotes[i]
        return None


def extract_claims(doc: Doc, entities: Sequence[Entity], *, article_id: str) -> list[Claim]:
    """Extract the attributed statements in ``doc``.

    Args:
        doc: A parsed document (tagger, parser and lemmatizer are used).
        entities: The document's entities, from ``group_entities``; claimants are
            linked to them.
        article_id: The article's id, part of every claim id.

    Returns:
        Claims sorted by content start; at most one claim per content span.
    """
    if not doc.has_annotation("DEP"):
        return []  # no parse, no subjects or complements to read
    article = _Article(doc, entities)
    found: dict[tuple[int, int], tuple[tuple[bool, int], Claim]] = {}
    speakers: list[tuple[int, Claimant, str]] = []  # (cue start, claimant, head tag)
    for attribution in _attributions(article):
        claimant = _claimant(article, attribution, speakers)
        cue = Cue(
            text=article.text[attribution.start : attribution.end],
            lemma=attribution.lemma,
            start=attribution.start,
            end=attribution.end,
        )
        for content in attribution.contents:
            claim = Claim(
                id=stable_id(article_id, cue.start, content.start, content.end),
                claimant=claimant,
                cue=cue,
                content=Span(article.text[content.start : content.end], content.start, content.end),
                kind=content.kind,
                stance=stance_for(attribution.lemma),
            )
            # One claim per content: a quotation two cues reach belongs to the nearer.
            gap = min(abs(cue.start - content.end), abs(content.start - cue.end))
            rank = (content.continued, gap)
            key = (content.start, content.end)
            if key not in found or rank < found[key][0]:
                found[key] = (rank, claim)
    claims = [claim for _, claim in found.values()]
    claims.sort(key=lambda c: (c.content.start, c.content.end, c.cue.start))
    return claims


def _attributions(article: _Article) -> list[_Attribution]:
    """Every cue that has content, in document order."""
    found: list[_Attribution] = []
    for tok in article.doc:
        if article.quote_at(tok.idx) is not None:
            continue  # a report inside a quotation is the quoted speaker's, not ours
        if tok.lower_ == "according":
            attribution = _according_to(article, tok)
            if attribution is not None:
                found.append(attribution)
            continue
        if not _is_reporting_cue(tok):
            continue
        known, subject = _subject(tok)
        if not known:
            continue  # an imperative, a passive about someone, or a lost speaker
        contents = _contents(article, tok)
        if contents:
            para = article.paragraph(tok.idx)
            speaker = _claimant_tokens(subject, para) if subject is not None else None
            end = tok.idx + len(tok.text)
            found.append(_Attribution(tok.idx, end, tok.lemma_.lower(), speaker, contents))
    return found


def _is_reporting_cue(tok: Token) -> bool:
    """Whether ``tok`` is a reporting verb used to report (not "the said company",
    not "a report", not negated, hypothetical or merely intended)."""
    if tok.pos_ != "VERB" or tok.lemma_.lower() not in REPORTING_VERBS:
        return False
    if tok.dep_ in ("amod", "compound", "acomp"):
        return False
    for child in tok.children:
        if child.dep_ == "neg" or (child.dep_ == "aux" and child.lower_ in SPECULATIVE_MODALS):
            return False
    return not (tok.dep_ == "xcomp" and tok.head.lemma_.lower() in NON_FACTIVE_GOVERNORS)


def _subject(cue: Token) -> tuple[bool, Token | None]:
    """Whether the cue's speaker is settled, and its token (None: unnamed).

    A cue without a subject borrows its governor's ("confirmed ... but denied that",
    "..., saying that"). A passive speaks for an unnamed source only with an
    expletive subject ("it was reported that"); "the parents are accused of" reports
    nobody's words, and an agent ("was told by X") names the speaker.
    """
    verb = cue
    for _ in range(4):  # bounded: conj/advcl chains are short
        # Several subjects are a misparse ("Facebook co-founder X"); the one next to
        # the verb is right most often.
        subjects = sorted((c for c in verb.children if c.dep_ == "nsubj"), key=lambda c: abs(c.i - verb.i))
        if subjects:
            if subjects[0].lower_ in _RELATIVE_PRONOUNS and verb.dep_ == "relcl":
                return True, verb.head  # "the minister, who said that ..."
            return True, subjects[0]
        passive = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
        if passive is not None:
            agent = next((c for c in verb.children if c.dep_ == "agent"), None)
            by = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent else None
            return (by is not None or passive.lower_ == "it"), by
        if verb.dep_ not in ("conj", "advcl", "xcomp") or verb.head is verb:
            return False, None
        verb = verb.head
    return False, None


def _claimant_tokens(subject: Token, para: tuple[int, int]) -> tuple[Token, Token] | None:
    """First and last token of the speaker as written, without descriptive add-ons.

    "The Observatory's chief, Rami Abdurrahman," names the speaker by the
    apposition, so a common-noun subject with a proper-noun apposition yields it.
    """
    for child in subject.children:
        if child.dep_ == "appos" and child.pos_ == "PROPN" and subject.pos_ not in ("PROPN", "PRON"):
            subject = child
            break
    doc = subject.doc
    first, last = subject.left_edge, subject.right_edge
    for tok in subject.subtree:
        if tok.i > subject.i and tok.dep_ in _DESCRIPTIVE_DEPS:
            left = tok.left_edge
            if tok.dep_ == "appos" or doc[left.i - 1].text in (",", "(", "\u2014", "\u2013"):
                last = min(last, doc[left.i - 1], key=lambda t: t.i)
    # A dateline the parser glued on ("Saturday, May 7\nRecent reports said").
    while first.i < last.i and (first.is_punct or first.is_space or first.idx < para[0]):
        first = doc[first.i + 1]
    while last.i > first.i and (last.is_punct or last.is_space or last.idx >= para[1]):
        last = doc[last.i - 1]
    if not para[0] <= first.idx < para[1]:
        return None
    return first, last


def _claimant(
    article: _Article, attribution: _Attribution, speakers: list[tuple[int, Claimant, str]]
) -> Claimant | None:
    """Build the claimant and link it to an entity, resolving a pronoun if needed."""
    if attribution.speaker is None:
        return None
    first, last = attribution.speaker
    span = article.doc[first.i : last.i + 1]
    head = span.root
    entity = article.entity_at[head.i]
    if entity is None and head.pos_ == "PRON":
        entity = _resolve_pronoun(article, head, speakers)
    elif entity is None and head.pos_ == "PROPN":
        entity = article.by_name.get(span.text.casefold()) or article.by_name.get(head.lower_)
    last_entity = article.entity_at[last.i]
    if entity is None and last_entity is not None and last_entity.label == "PERSON":
        entity = last_entity  # "Afghan Ambassador to the US Hamdullah Mohib"
    if entity is None and head.pos_ != "PRON":
        named = [e for t in span if (e := article.entity_at[t.i]) and e.label in _REPRESENTED_LABELS]
        # The organisation rather than its place: "the Dallas chapter of the Council".
        entity = min(named, key=lambda e: e.label != "ORG", default=None)
    start, end = first.idx, last.idx + len(last.text)
    claimant = Claimant(article.text[start:end], start, end, entity.id if entity else None)
    speakers.append((attribution.start, claimant, head.tag_))
    return claimant


def _resolve_pronoun(
    article: _Article, pronoun: Token, speakers: list[tuple[int, Claimant, str]]
) -> Entity | None:
    """The entity a subject pronoun most likely stands for, or None.

    News keeps one speaker across consecutive attributions ("The Observatory said
    ... It added ..."), so the speaker of the previous attribution in this or the
    previous paragraph comes first: if it is a compatible entity, that; if it is an
    unnamed group of the right number ("Syrian insurgents ... they"), nobody named.
    Otherwise the nearest compatible mention in this or the previous sentence.
    """
    word = pronoun.lower_
    labels = _PRONOUN_LABELS.get(word)
    if labels is None:
        return None
    para_start, _ = article.paragraph(pronoun.idx)
    window = article.paragraph(para_start - 1)[0] if para_start > 0 else 0
    if speakers and speakers[-1][0] >= window:
        _, previous, tag = speakers[-1]
        entity = article.by_id.get(previous.entity_id or "")
        if entity is not None and entity.label in labels:
            return entity
        if entity is None and tag in _PRONOUN_TAGS.get(word, ()):
            return None
    sent = pronoun.sent
    floor = article.doc[sent.start - 1].sent.start_char if sent.start > 0 else 0
    i = bisect_left(article.mention_starts, pronoun.idx) - 1
    while i >= 0 and article.mention_starts[i] >= floor:
        entity = article.mention_entities[i]
        if entity.label in labels and article.quote_at(article.mention_starts[i]) is None:
            return entity
        i -= 1
    return None


def _contents(article: _Article, cue: Token) -> list[_Content]:
    """What the cue reports: its complement, its object, or adjacent quotations."""
    para = article.paragraph(cue.idx)
    clauses = [c for c in cue.children if c.dep_ == "ccomp" and para[0] <= c.idx < para[1]]
    if clauses:
        # Reported speech follows its cue ("X said that Y"); a complement before the
        # cue ("Y, X said") counts only when there is none after it.
        nearest = min(clauses, key=lambda c: (c.i < cue.i, abs(c.i - cue.i)))
        content = _clause_content(article, nearest, cue, para)
        if content is None or content.kind != "direct":
            return [content] if content is not None else []
        # A quoted complement may go on in a second quotation (“X,” he said, “Y.”).
        more = [c for c in _adjacent_quotes(article, cue, para) if c.start != content.start]
        return [content, *more]
    if cue.lemma_.lower() in CONTENT_OBJECT_VERBS and not any(
        c.dep_ in ("auxpass", "nsubjpass") for c in cue.children
    ):
        obj = next((c for c in cue.children if c.dep_ == "dobj" and c.pos_ in _NOMINAL), None)
        if obj is not None and para[0] <= obj.idx < para[1]:
            last = obj.right_edge
            for child in cue.children:  # "accused the government of rigging the vote"
                if child.dep_ == "prep" and child.lower_ in ("of", "for") and child.i == last.i + 1:
                    last = child.right_edge
            content = _clause_content(article, obj, cue, para, last=last)
            return [content] if content is not None else []
    if any(c.dep_ == "xcomp" for c in cue.children):
        return []  # "continued to shun", "told them to leave": not a speech act here
    return _adjacent_quotes(article, cue, para)


def _clause_content(
    article: _Article, head: Token, cue: Token, para: tuple[int, int], last: Token | None = None
) -> _Content | None:
    """The span of ``head``'s subtree (to ``last``) as content, without "that".

    A complement that starts in a quotation is that quotation when the quotation
    holds its head, or when its head is the attribution that follows ("He said:
    “We will win,” she added"), whatever else the parser hung on after it.
    """
    doc = article.doc
    first, last = head.left_edge, last or head.right_edge
    if first.i <= cue.i <= last.i:  # a non-projective parse: keep the head's side
        first, last = (doc[cue.i + 1], last) if head.i > cue.i else (first, doc[cue.i - 1])
    words = [
        t for t in doc[first.i : last.i + 1] if not (t.is_punct or t.is_space) and para[0] <= t.idx < para[1]
    ]
    # "that" misparsed as a pronoun (tag WDT) is still the complementizer here.
    if words and words[0].lower_ in _COMPLEMENTIZERS and words[0].tag_ in ("IN", "WDT"):
        words = words[1:]
    if not words:
        return None
    quote = article.quote_at(words[0].idx)
    if quote is not None and (
        article.quote_at(head.idx) == quote
        or (head.idx >= quote[1] and head.lemma_.lower() in REPORTING_VERBS)
    ):
        return _quote_content(article, quote)
    return _span_content(article, words[0].idx, words[-1].idx + len(words[-1].text))


def _span_content(article: _Article, start: int, end: int) -> _Content | None:
    """Content for [start, end): a quotation if that is all it is, "mixed" if it
    holds a quoted fragment (whose marks are then kept whole), else "indirect"."""
    first, last = article.quote_at(start), article.quote_at(end - 1)
    if first is not None and first == last:
        return _quote_content(article, first)
    if last is not None and last[0] >= start:
        end = last[1]  # ... had grown into a "support movement." -> keep the closing mark
    if first is not None and first[1] <= end:
        start = first[0]
    i = bisect_left(article.quote_starts, start)
    mixed = i < len(article.quotes) and article.quotes[i][1] <= end
    return _Content(start, end, "mixed" if mixed else "indirect")


def _quote_content(article: _Article, quote: tuple[int, int], *, continued: bool = False) -> _Content | None:
    """A quotation's text without its marks and the comma or full stop before the
    closing mark (“X,” he said)."""
    text = article.text
    start, end = quote[0] + 1, quote[1]
    if text[end - 1] in _CLOSERS:
        end -= 1  # else the quotation runs on into the next paragraph
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and text[end - 1] in ",.":
        i = bisect_right(article.token_starts, end - 1) - 1
        if i >= 0 and article.doc[i].text == text[end - 1]:  # not the stop of "U.S."
            end -= 1
    return _Content(start, end, "direct", continued) if end > start else None


def _adjacent_quotes(article: _Article, cue: Token, para: tuple[int, int]) -> list[_Content]:
    """Quotations that the cue's clause attributes: one just before it (“X,” he
    said), one just after (he said: “X”), and one that continues the speech after
    the attribution's sentence ends (“X,” he said. “Y.”)."""
    subjects = [c.left_edge.idx for c in cue.children if c.dep_ in ("nsubj", "nsubjpass")]
    clause_start = min([cue.idx, *subjects])
    contents: list[_Content | None] = []
    i = bisect_left(article.quote_starts, clause_start) - 1
    if (
        i >= 0
        and article.quotes[i][0] >= para[0]
        and _ATTRIBUTION_GAP.fullmatch(article.text, article.quotes[i][1], clause_start)
    ):
        contents.append(_quote_content(article, article.quotes[i]))
    cue_end = cue.idx + len(cue.text)
    j = bisect_left(article.quote_starts, cue_end)
    if j < len(article.quotes) and article.quotes[j][0] < para[1]:
        gap = article.doc.char_span(cue_end, article.quotes[j][0], alignment_mode="contract")
        between = list(gap) if gap is not None else []
        if len(between) <= 12 and not any(t.pos_ in ("VERB", "AUX") for t in between):
            if any(t.text in _SENTENCE_ENDS for t in between):
                if contents:  # only a speaker already quoted in this sentence goes on
                    contents.append(_quote_content(article, article.quotes[j], continued=True))
            elif not between or between[-1].text in (",", ":"):
                # he said: “X” / he said, “X” / he said “X”; not "adding the words “X”"
                contents.append(_quote_content(article, article.quotes[j]))
    return [c for c in contents if c is not None]


def _according_to(article: _Article, according: Token) -> _Attribution | None:
    """An "according to X" attribution: X is the claimant, and the content is the
    sentence (else the clause the phrase modifies) with the phrase at its edge cut."""
    to = next((c for c in according.children if c.lower_ == "to"), None)
    source = next((c for c in to.children if c.dep_ == "pobj"), None) if to else None
    if to is None or source is None:
        return None
    para = article.paragraph(according.idx)
    phrase = range(according.left_edge.i, according.right_edge.i + 1)
    content = None
    for scope in (according.sent, according.head.subtree):
        words = [t for t in scope if not (t.is_punct or t.is_space) and para[0] <= t.idx < para[1]]
        if words and words[0].i in phrase:
            words = [t for t in words if t.i > phrase[-1]]
        elif words and words[-1].i in phrase:
            words = [t for t in words if t.i < phrase[0]]
        else:
            continue  # the phrase sits inside this scope, not at its edge
        if words:
            content = _span_content(article, words[0].idx, words[-1].idx + len(words[-1].text))
            break
    if content is None:
        return None
    end = to.idx + len(to.text)
    speaker = _claimant_tokens(source, para)
    return _Attribution(according.idx, end, "according to", speaker, [content])


def _find_quotes(text: str) -> list[tuple[int, int]]:
    """Quotations in ``text`` as [start, end) spans, marks included, in order.

    One pass. A quotation never crosses a newline: one still open at the end of its
    paragraph runs to that end, since news closes a quotation that goes on in the
    next paragraph only there. An opening mark met while one is open restarts it.
    """
    quotes: list[tuple[int, int]] = []
    open_at = -1
    closer = ""
    for i, ch in enumerate(text + "\n"):
        if ch == "\n":
            if open_at >= 0:
                end = i
                while end > open_at + 1 and text[end - 1].isspace():
                    end -= 1
                if end > open_at + 1:
                    quotes.append((open_at, end))
            open_at = -1
        elif open_at >= 0 and ch == closer:
            if i > open_at + 1:
                quotes.append((open_at, i + 1))
            open_at = -1
        elif ch in _OPEN_TO_CLOSE and (ch != '"' or i == 0 or not text[i - 1].isalnum()):
            open_at, closer = i, _OPEN_TO_CLOSE[ch]
    return quotes
