"""What a cue reports: which part of its sentence is the claim.

In order of preference: the cue's clausal complement ("said that X"), its direct
object for verbs whose object is the thing stated ("confirmed violent clashes"), or
a quotation standing next to the attribution (“X,” she said / He told Z: “X”; see
:mod:`~workers.nlp.adjacent_quotes`). Where a clause starts and ends is
:mod:`~workers.nlp.clause_bounds`; what kind of content a span is (direct, mixed or
indirect) is :mod:`~workers.nlp.content_spans`.

A complement without "that" starts after the date, time, place or channel of the
saying when the parser hung those on it ("said [on Friday] a bridge was needed"),
also when it joined the date to the clause's subject ("said on [Monday prices] had
fallen"). A that-clause the parser made the cue's object is still the content
("observed that the date of X coincided with Y"), and so is the clause of a report
noun the claimant answers ("rejected suggestions that ...", "dismissed claims that
...": broad).

A request's content is its addressee and what they are asked to do ("urged [the
government to raise wages]", "called for [an inquiry]"): broad, as a name a claimant gave ("called it “a
gamble”") is: what was asked or named, not a statement in the claimant's words.
An attribution set inside the clause it reports ("The plan, officials said, will
cost more") reports that whole clause: content is one span, so it runs from the
clause's start to its end and includes the interruption.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from spacy.tokens import Token

from workers.nlp.adjacent_quotes import adjacent_quotes
from workers.nlp.article_index import ArticleIndex
from workers.nlp.clause_bounds import NOMINAL, clause_content, without_gloss, words_content
from workers.nlp.content_spans import Content, quote_content, span_content
from workers.nlp.lexicon import (
    CHANNEL_NOUNS,
    CONTENT_OBJECT_VERBS,
    EVIDENCE_VERBS,
    REPORT_NOUNS,
    REQUEST_VERBS,
    SPEECH_ACT_VERBS,
)

__all__ = ["contents", "contents_of_clause"]

#: Punctuation that sets an attribution off inside the clause it reports.
_INTERRUPTION_MARKS: Final = frozenset({",", "\u2014", "\u2013", "-"})
#: Prepositions and entity labels of a modifier that sets a saying in time or place
#: ("said on Friday", "told reporters in Geneva"), see ``_after_setting``.
_SETTING_PREPOSITIONS: Final = frozenset({"on", "at", "in", "during", "after", "before", "from", "via"})
_SETTING_LABELS: Final = frozenset({"DATE", "TIME", "GPE", "LOC", "FAC"})

#: Words a quoted naming needs to be a quote rather than a scare quote or a name.
QUOTED_NAMING_WORDS: Final = 3


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
            end = last or without_gloss(nearest)
            return [c for c in [words_content(article, split, end, para)] if c is not None]
        fronted = _fronted_part(cue, nearest)
        if fronted is not None:  # "Prices, the bank said, will keep rising"
            end = last or without_gloss(nearest)
            return [c for c in [words_content(article, fronted, end, para)] if c is not None]
        joined = _date_joined_subject(cue, nearest)
        if joined is not None:  # "said [on Monday] [prices] had fallen": "Monday prices" one noun
            end = last or without_gloss(nearest)
            return [c for c in [words_content(article, joined, end, para)] if c is not None]
        first = _after_setting(cue, nearest)
        content = clause_content(article, nearest, cue, para, last=last, first=first)
        if content is None or content.kind != "direct":
            return [content] if content is not None else []
        # A quoted complement may go on in a second quotation (“X,” he said, “Y.”).
        more = [c for c in adjacent_quotes(article, cue, para) if c.start != content.start]
        return [content, *more]
    misread = _clause_misread_as_object(cue)
    if misread is not None:  # "observed [that the date of X coincided with Y]"
        that, head = misread
        return [c for c in [words_content(article, that, without_gloss(head), para)] if c is not None]
    rejected = _report_object_clause(cue, para)
    if rejected is not None:  # "rejected suggestions [that the bank was reacting]"
        content = clause_content(article, rejected, cue, para)
        return [replace(content, broad=True)] if content is not None else []
    if cue.lemma_.lower() in CONTENT_OBJECT_VERBS and not any(c.dep_ in ("auxpass", "nsubjpass") for c in cue.children):
        obj = next((c for c in cue.children if c.dep_ == "dobj" and c.pos_ in NOMINAL), None)
        if obj is not None and para[0] <= obj.idx < para[1]:
            last = obj.right_edge
            for child in cue.children:
                # "accused the government of rigging the vote"; "announced the start
                # of a process to suggest designs" (the infinitive misattached)
                of_phrase = child.dep_ == "prep" and child.lower_ in ("of", "for")
                infinitive = child.dep_ == "xcomp" and child.tag_ == "VB"
                if child.left_edge.i == last.i + 1 and (of_phrase or infinitive):
                    last = child.right_edge
            content = clause_content(article, obj, cue, para, last=last)
            return [content] if content is not None else []
    request = _request_content(article, cue, para)
    if request is not None:
        return [request]
    if any(c.dep_ == "xcomp" and c.tag_ != "VBG" for c in cue.children):
        return []  # "continued to shun", "told them to leave": not a speech act here
    hung = _clause_on_channel(cue, para)
    if hung is not None:  # "told LA Weekly in a statement that the case was ..."
        content = clause_content(article, hung, cue, para)
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
            return words_content(article, first, child.right_edge, para, broad=True)
        if cue.lemma_.lower() != "call":
            continue
        mark = next((m for m in child.children if m.dep_ == "mark" and m.lower_ == "for"), None)
        if child.dep_ == "advcl" and mark is not None:  # "called for [the minister to resign]"
            return words_content(article, doc[mark.i + 1], child.right_edge, para, broad=True)
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
            return words_content(article, obj.left_edge, last, para, broad=True)
    return None


def _quoted_name(article: ArticleIndex, cue: Token) -> Content | None:
    """ "in what he called “a reckless gamble”": the quotation a naming verb gives as
    its object's name (call, describe ... as, and a judgment's "as": "condemned the
    decision as “...”"). Narrow when the quotation is a phrase of its own (at least
    ``QUOTED_NAMING_WORDS`` words: "described the plan as “a betrayal of every
    family”"): the marks say the claimant uttered those very words, which is what a
    quote is. A word or two in marks ("called it “dangerous”", "calls it “Project
    Anchor”") is a scare quote or a name: broad. An unquoted naming gives no content here."""
    lemma = cue.lemma_.lower()
    naming = lemma in ("call", "describe", "label", "brand", "dub")
    judging = not naming and lemma in SPEECH_ACT_VERBS  # "condemned the decision as “a slap in the face”"
    if not naming and not judging:
        return None
    objects = [c for c in cue.children if c.dep_ == "dobj"]
    # The parser may hang "as" on the object: "condemned [the decision as “...”]".
    for child in [*cue.children, *(c for o in objects for c in o.children if c.lower_ == "as")]:
        if judging and not (child.dep_ == "prep" and child.lower_ == "as"):
            continue
        if child.dep_ in ("oprd", "prep") and child.i > cue.i:
            target = next((c for c in child.children if c.dep_ in ("pobj", "amod")), child)
            quote = article.quotes.at(target.idx)
            if quote is not None and quote.start > cue.idx:
                content = quote_content(article, quote)
                if content is None or len(article.text[content.start : content.end].split()) >= QUOTED_NAMING_WORDS:
                    return content
                return replace(content, broad=True)
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
    first, last = head.left_edge, without_gloss(head)
    if not first.i < before or not after < last.i:
        return None  # the attribution opens or closes the clause, it does not interrupt it
    if article.quotes.at(first.idx) is not None or article.quotes.at(last.idx) is not None:
        return None  # quotations around an attribution are read by adjacent_quotes
    return words_content(article, first, last, para)


def _clause_misread_as_object(cue: Token) -> tuple[Token, Token] | None:
    """A that-clause the parser made the cue's object, its verb a modifier of a noun
    in it: "observed [that] the 2007 starting [date] of the program coincided with
    ...". "that" right after the cue, hung as a complementizer on the object."""
    if cue.i + 1 >= len(cue.doc):
        return None
    that = cue.doc[cue.i + 1]
    if that.lower_ != "that" or that.dep_ != "mark" or that.head.dep_ != "dobj" or that.head.head.i != cue.i:
        return None
    obj = that.head
    if not any(t.pos_ == "VERB" and t.dep_ in ("acl", "relcl") for t in obj.subtree):
        return None  # no verb for the clause: not a clause
    return that, obj


def _report_object_clause(cue: Token, para: tuple[int, int]) -> Token | None:
    """The that-clause of a report noun that is the cue's object, for a cue whose
    object is not itself a content: "rejected suggestions that ...", "dismissed
    claims that ...". What the claimant answers is that clause: broad (the words
    are the report's, named inside the claimant's answer). A report with its own
    maker ("the minister's claim that") is a nominal report of its maker."""
    if cue.lemma_.lower() in CONTENT_OBJECT_VERBS:
        return None  # "denied reports that ...": the object is the content
    for obj in cue.children:
        if obj.dep_ != "dobj" or obj.i < cue.i or obj.lemma_.lower() not in REPORT_NOUNS:
            continue
        if any(c.dep_ == "poss" for c in obj.children):
            return None
        for clause in obj.children:
            if (
                clause.dep_ in ("acl", "ccomp")
                and para[0] <= clause.idx < para[1]
                and any(m.dep_ == "mark" and m.lower_ == "that" for m in clause.children)
            ):
                return clause
    return None


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


def _after_setting(cue: Token, clause: Token) -> Token | None:
    """Where a complement without "that" starts when the parser hung the setting of
    the saying on it: "said [on Friday] a second bridge was needed", "told reporters
    [in Geneva on Monday] the budget was balanced". A date, time, place or channel
    right after the cue, before the complement's subject, sets the saying, not the
    claim (with "that" it stands before the complementizer, outside the clause)."""
    if clause.i < cue.i or any(c.dep_ == "mark" for c in clause.children):
        return None
    subject = next((c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass", "expl")), None)
    if subject is None:
        return None
    first: Token | None = None
    for child in clause.lefts:
        opens = clause.left_edge if first is None else first
        if child.i >= subject.i or child.left_edge.i != opens.i or not _is_setting(child):
            break
        first = child.doc[child.right_edge.i + 1]
        while first.is_punct and first.i < subject.i:
            first = child.doc[first.i + 1]
    return first


def _date_joined_subject(cue: Token, clause: Token) -> Token | None:
    """The subject of a complement without "that" that the parser joined to the date
    of the saying as one noun: "said in Lyon [on Monday prices] had fallen", "told
    reporters [on Tuesday oil exports] would double": the clause has no subject, and a
    preposition of setting (on the cue or the clause) has for its object a noun with
    a date or time as its first compound. The claim starts after the date."""
    if clause.i < cue.i or any(c.dep_ in ("nsubj", "nsubjpass", "expl", "mark") for c in clause.children):
        return None
    for prep in (*cue.rights, *clause.lefts):
        if prep.dep_ != "prep" or prep.lower_ not in _SETTING_PREPOSITIONS or prep.i > clause.i:
            continue
        obj = next((c for c in prep.children if c.dep_ == "pobj"), None)
        if obj is None or obj.ent_type_ in _SETTING_LABELS or obj.right_edge.i + 1 >= len(obj.doc):
            continue
        after = obj.doc[obj.right_edge.i + 1]  # the clause's verb, or an auxiliary of it
        if after.i != clause.i and not (after.head.i == clause.i and after.dep_ in ("aux", "auxpass", "neg")):
            continue
        dates = [c for c in obj.lefts if c.dep_ == "compound" and c.ent_type_ in ("DATE", "TIME")]
        if dates and dates[0].i == prep.i + 1:
            return obj.doc[dates[-1].i + 1]
    return None


def _is_setting(modifier: Token) -> bool:
    """ "on Friday", "Tuesday night", "in Geneva", "in an interview": a date, time,
    place or channel modifier."""
    if modifier.dep_ == "npadvmod":
        return modifier.ent_type_ in ("DATE", "TIME")
    if modifier.dep_ != "prep" or modifier.lower_ not in _SETTING_PREPOSITIONS:
        return False
    obj = next((c for c in modifier.children if c.dep_ == "pobj"), None)
    if obj is None:
        return False
    return obj.ent_type_ in _SETTING_LABELS or obj.lemma_.lower() in CHANNEL_NOUNS


def _fronted_part(cue: Token, clause: Token) -> Token | None:
    """The start of a reported clause the parser cut off before the attribution
    ("[Prices], the bank said, will keep rising": "Prices" hung on "said")."""
    if clause.i < cue.i:
        return None
    fronted = [c for c in cue.lefts if c.dep_ in ("dep", "npadvmod") and c.pos_ in NOMINAL]
    if not fronted:
        return None
    part = fronted[0]
    doc = cue.doc
    comma = doc[part.right_edge.i + 1] if part.right_edge.i + 1 < len(doc) else None
    if comma is None or comma.text != "," or not part.left_edge.is_sent_start:
        return None
    return part.left_edge


def contents_of_clause(article: ArticleIndex, clause: Token, cue: Token, para: tuple[int, int]) -> Content | None:
    """The content of ``clause`` reported by ``cue`` (a verb or a report noun)."""
    return clause_content(article, clause, cue, para)


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
