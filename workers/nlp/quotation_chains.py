"""Quotations without a reporting verb of their own, attributed all the same.

A quotation that is a sentence of its own with no attribution continues the speech
of the claim right before it (see ``continues``): in its sentence's paragraph (also
across one short sentence of narration there), in the next paragraph (also after
reported speech, when the quotation fills that paragraph), or across one short
paragraph of narration after a quotation. A quotation no cue
attributes is still attributed when a clause introduces it with a colon ("The
minister was blunt: “We will not pay.”"; see ``colon_attribution``) or the sentence
after it names its speaker ("“It is over.” That was how Ms Diaz put it."; see
``attribution_after``). Quotations that do not read as a sentence someone spoke
(titles, scare quotes) are never chained.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Final

from spacy.tokens import Token

from workers.models import Claim
from workers.nlp.article_index import ArticleIndex
from workers.nlp.claimants import SPEAKER_NOUNS, speaker_tokens
from workers.nlp.content_spans import quote_content
from workers.nlp.cues import Attribution
from workers.nlp.lexicon import REPORTING_VERBS, SPECULATIVE_MODALS
from workers.nlp.quotes import CLOSERS, OPENERS, Quotation

__all__ = ["attribution_after", "claim_end", "colon_attribution", "continues"]

_SENTENCE_ENDS: Final = frozenset(".!?")
#: A paragraph of narration between two quotation paragraphs keeps them one speech
#: only when it is this short (in words): anything longer is a change of topic.
_ASIDE_MAX_WORDS: Final = 30
#: Subject pronouns that can introduce a quotation with a colon ("She was blunt:").
_SPEAKER_PRONOUNS: Final = frozenset({"he", "she", "they", "we", "i"})
#: Entity labels that can speak.
_SPEAKER_LABELS: Final = frozenset({"PERSON", "ORG", "NORP", "GPE"})
#: The word before a colon that opens a list or a sample text, not speech.
_LISTING_WORDS: Final = frozenset({"including", "include", "follows", "example", "examples", "read"})
#: Demonstratives that point back at the quotation before them ("That was how ...").
_POINTERS: Final = frozenset({"that", "this", "those", "these"})
#: A noun whose "of X" names the speaker of the quotation before it ("Those were the
#: words of the coach").
_WORDS_OF: Final = frozenset({"word", "words"})


def claim_end(claim: Claim) -> int:
    """Where ``claim`` ends in the text: at its cue or its content, whichever is later."""
    return max(claim.cue.end, claim.content.end)


def continues(article: ArticleIndex, claim: Claim, quote: Quotation) -> bool:
    """Whether ``quote``, unattributed and a sentence of its own, goes on with the
    speech of ``claim``, the claim just before it: in the same paragraph when only
    the end of that claim's sentence stands between them (“X,” he said. “Y.” / He
    said X. “Y.”), or after a quotation claim, that and one short sentence of
    narration (see ``_aside_in_paragraph``); in the next paragraph when this one
    opens the paragraph, and either the earlier quotation ran on unclosed or this
    one fills its paragraph (after reported speech too: He said X.¶“Y.”); and after
    a quotation claim so across one short paragraph of narration between them (see
    ``_is_aside``). A broad claim (a belief, evidence) is never continued across a
    paragraph.

    The chain ends at a heading (a line without a sentence end), a paragraph longer
    than ``_ASIDE_MAX_WORDS`` words or two paragraphs (a change of topic), and at a
    paragraph that attributes anything or names another person."""
    text = article.text
    para_start, para_end = article.paragraph(quote.start)
    after = text[quote.end : para_end].lstrip()
    ends_sentence = quote.open or text[quote.end - 2 : quote.end - 1] in _SENTENCE_ENDS
    if after[:1].isalnum() and not ends_sentence:
        return False  # the quotation is part of a longer sentence, not one of its own
    gap = text[claim_end(claim) : quote.start]
    if "\n" not in gap:
        return _ends_one_sentence(gap) or _aside_in_paragraph(article, claim, quote, gap)
    if claim.broad or text[para_start : quote.start].strip() or not _reads_as_speech(article, quote):
        return False  # not a quotation paragraph, or a title or scare quote in one
    tail, _, between = gap.partition("\n")
    # A paragraph standing between them keeps the speaker only as a short aside,
    # and only a quotation's: after reported speech, the next paragraph must go on.
    aside_start = quote.start - len(between)
    if between.strip() and (claim.kind != "direct" or not _is_aside(article, claim, aside_start, para_start)):
        return False
    earlier = article.quotes.at(claim.content.start)
    if earlier is not None and earlier.open:
        return True  # it ran on to the end of its paragraph
    fills_paragraph = not after.strip(" .")
    # The tail is the end of the earlier claim's sentence: its closing mark and stop
    # (He said: “X.”), or the rest of its attribution (“X,” he said.).
    closed = not tail.strip(" .!?" + "".join(CLOSERS))
    return fills_paragraph and (closed or _ends_one_sentence(tail))


def _aside_in_paragraph(article: ArticleIndex, claim: Claim, quote: Quotation, gap: str) -> bool:
    """“X,” she said. The plant employs 400 people. “Y.” Whether ``gap``, the text
    between a quotation claim and the next quotation of its paragraph, is the end
    of the claim's sentence and one short sentence of narration (see ``_is_aside``)."""
    if claim.kind != "direct" or claim.broad or not _reads_as_speech(article, quote):
        return False
    rest = gap.lstrip(" " + "".join(CLOSERS))
    if rest[:1] in _SENTENCE_ENDS:
        rest = rest[1:].lstrip(" " + "".join(CLOSERS))
    elif _SENTENCE_ENDS.isdisjoint(gap[:2]) and not gap[:1].isspace():
        return False  # the claim's sentence goes on
    if not rest.strip() or "\n" in rest:
        return False
    return _is_aside(article, claim, quote.start - len(rest), quote.start)


def _is_aside(article: ArticleIndex, claim: Claim, start: int, end: int) -> bool:
    """Whether [start, end), the text between two quotation paragraphs, is one short
    paragraph of narration that leaves ``claim``'s speaker speaking: at most
    ``_ASIDE_MAX_WORDS`` words, ending in a sentence end (a heading has none), with
    no quotation mark, no reporting verb and no person but the speaker named."""
    lines = [line.strip() for line in article.text[start:end].split("\n") if line.strip()]
    if len(lines) != 1:
        return False
    aside = lines[0]
    if aside[-1] not in _SENTENCE_ENDS or len(aside.split()) > _ASIDE_MAX_WORDS:
        return False
    if any(ch in OPENERS or ch in CLOSERS for ch in aside):
        return False
    speaker = claim.claimant.entity_id if claim.claimant is not None else None
    if any(e.label == "PERSON" and e.id != speaker for _, e in article.mentions_before(end, start)):
        return False  # someone else comes into the story
    i = bisect_left(article.token_starts, start)
    while i < len(article.doc) and article.token_starts[i] < end:
        tok = article.doc[i]
        negated = any(c.dep_ == "neg" for c in tok.children)
        if tok.pos_ == "VERB" and tok.lemma_.lower() in REPORTING_VERBS and not negated:
            return False  # an attribution of its own, whatever it reports ("has not commented" is none)
        i += 1
    return True


def _reads_as_speech(article: ArticleIndex, quote: Quotation) -> bool:
    """Whether ``quote`` reads as a sentence someone spoke, not a title or a scare
    quote: it runs on unclosed, or a sentence end stands at its close (“We won.” /
    “We won”. / "We won" ((it)).)."""
    if quote.open:
        return True
    text = article.text
    if text[quote.end - 2 : quote.end - 1] in _SENTENCE_ENDS:
        return True
    after = _without_brackets(text[quote.end : article.paragraph(quote.start)[1]]).lstrip()
    return after[:1] in _SENTENCE_ENDS


def colon_attribution(article: ArticleIndex, quote: Quotation) -> Attribution | None:
    """“The minister was blunt: “We will not pay.”” The speaker is the subject of
    the clause before the colon, and the cue that clause's verb (so the cue of
    "Galantino has called the ruling dangerous:" is "called", of "was blunt" "was"):
    the verb is what attributes, the colon only joins. The colon ends the text
    before the quotation in its paragraph, or ends the paragraph before one the
    quotation opens. The subject must be able to speak (a person, organisation,
    place or nationality, a personal pronoun, or a noun of ``SPEAKER_NOUNS``)."""
    text = article.text
    para_end = article.paragraph(quote.start)[1]
    colon = len(text[: quote.start].rstrip()) - 1
    if colon < 0 or text[colon] != ":" or not _reads_as_speech(article, quote):
        return None
    if text[colon + 1 : quote.start].count("\n") > 1:
        return None  # a blank line or more between them
    after = text[quote.end : para_end]
    if any(ch.isalnum() for ch in _without_brackets(after)):
        return None  # the quotation is part of a longer sentence
    colon_para = article.paragraph(colon)
    i = bisect_right(article.token_starts, colon) - 1  # the colon may be glued on: "((it)):"
    if i < 0 or not article.doc[i].text.endswith(":") or _lists(article.doc[i]):
        return None
    sent_start = article.doc[i].sent.start
    nearest: Token | None = None  # the verb nearest the colon
    for j in range(i - 1, sent_start - 1, -1):
        subject = article.doc[j]
        if subject.idx < colon_para[0]:
            break
        if article.quotes.at(subject.idx) is not None:
            continue
        if nearest is None and subject.pos_ in ("VERB", "AUX"):
            nearest = subject
        if subject.dep_ != "nsubj":
            continue
        # The parser may hang the subject on the quotation's verb: the clause's verb
        # is then the one nearest the colon.
        verb = subject.head if subject.head.i < i else nearest
        if verb is None:
            return None
        if any(c.dep_ == "neg" or (c.dep_ == "aux" and c.lower_ in SPECULATIVE_MODALS) for c in verb.children):
            return None
        speaker = speaker_tokens(subject, colon_para)
        if speaker is None or not _can_speak(article, subject, speaker):
            return None
        content = quote_content(article, quote)
        if content is None:
            return None
        return Attribution(verb.idx, verb.idx + len(verb.text), verb.lemma_.lower(), verb, speaker, [content])
    return None


def attribution_after(article: ArticleIndex, quote: Quotation) -> Attribution | None:
    """“It is over.” That was how Ms Diaz put it. / Those were the words of the
    coach, Ana Diaz. A quotation that is a sentence of its own, followed in its
    paragraph by a sentence whose subject points back at it ("that", "those"), is
    the speech of the speaker that sentence names: the subject of a reporting verb
    (or of "put it"), which is the cue, or X in "the words of X" (cue "words of")."""
    text = article.text
    para_start, para_end = article.paragraph(quote.start)
    before = text[para_start : quote.start].rstrip()
    if (before and before[-1] not in _SENTENCE_ENDS) or not _reads_as_speech(article, quote) or quote.open:
        return None
    i = bisect_left(article.token_starts, quote.end)
    doc = article.doc
    if i >= len(doc) or text[quote.end : doc[i].idx].strip() or doc[i].idx >= para_end:
        return None
    pointer = doc[i]
    if pointer.lower_ not in _POINTERS or pointer.dep_ != "nsubj":
        return None
    for tok in doc[i + 1 : min(i + 25, len(doc))]:
        if tok.idx >= para_end or tok.text in _SENTENCE_ENDS or article.quotes.at(tok.idx) is not None:
            break
        lemma = tok.lemma_.lower()
        if tok.lower_ in _WORDS_OF:
            link = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"), None)
            source = next((c for c in link.children if c.dep_ == "pobj"), None) if link is not None else None
            if link is None or source is None:
                return None
            speaker = speaker_tokens(source, (para_start, para_end))
            content = quote_content(article, quote)
            end = link.idx + len(link.text)
            return Attribution(tok.idx, end, "words of", None, speaker, [content] if content else [])
        if tok.pos_ == "VERB" and (lemma in REPORTING_VERBS or lemma == "put"):
            subject = next((c for c in tok.children if c.dep_ == "nsubj"), None)
            if subject is None or subject.i == pointer.i or any(c.dep_ == "neg" for c in tok.children):
                return None
            if lemma == "put" and not any(c.dep_ == "dobj" and c.lower_ == "it" for c in tok.children):
                return None
            speaker = speaker_tokens(subject, (para_start, para_end))
            content = quote_content(article, quote)
            return Attribution(tok.idx, tok.idx + len(tok.text), lemma, tok, speaker, [content] if content else [])
    return None


def _lists(colon: Token) -> bool:
    """Whether the colon opens a list or an example, not speech ("cited examples,
    including:", "as follows:", "The sign read:")."""
    before = colon.nbor(-1) if colon.i > 0 else colon
    return before.lower_ in _LISTING_WORDS or before.lemma_.lower() in _LISTING_WORDS


def _can_speak(article: ArticleIndex, subject: Token, speaker: tuple[Token, Token]) -> bool:
    """Whether the subject of a clause names someone who can speak."""
    if subject.pos_ == "PRON":
        return subject.lower_ in _SPEAKER_PRONOUNS
    named = article.entity_at[subject.i] or article.entity_at[speaker[1].i]
    if named is not None:
        return named.label in _SPEAKER_LABELS
    return subject.lemma_.lower() in SPEAKER_NOUNS or subject.lower_ in SPEAKER_NOUNS


def _without_brackets(text: str) -> str:
    """``text`` without parenthesised asides (a language tag "((it))" after a quote)."""
    depth, kept = 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            kept.append(ch)
    return "".join(kept)


def _ends_one_sentence(gap: str) -> bool:
    """Whether ``gap`` is the rest of one sentence: short, no quotation marks, one
    sentence end and only at its end ("said. ", " Ambassador Mohib.")."""
    rest = gap.strip()
    if not rest or len(rest) > 80 or rest[-1] not in _SENTENCE_ENDS:
        return False
    return not any(ch in _SENTENCE_ENDS or ch in OPENERS or ch in CLOSERS for ch in rest[:-1])
