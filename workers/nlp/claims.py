"""Find attributed statements ("claims") in a parsed article.

A claim is ``claimant -[cue]-> content``, with how it was delivered. The front door
of claim extraction; the rules live in their own modules:

- :mod:`~workers.nlp.cues`: which words attribute (reporting verbs, "according
  to", passive reports) and who their grammatical speaker is;
- :mod:`~workers.nlp.content`: what each cue reports (complement, object or an
  adjacent quotation), and :mod:`~workers.nlp.quotes` for the quotations;
- :mod:`~workers.nlp.claimants`: the claimant span and the entity it refers to
  (pronouns and descriptions resolved);
- :mod:`~workers.nlp.channels`: channel, recipient and the speaker being quoted.

A quotation that is a sentence of its own with no attribution continues the speech
of the claim right before it (see ``_continue_speech``), and a cue inside another
claim's reported speech is part of that claim, not one of its own.

Paragraphs (newline-separated) are hard limits: no claimant or content crosses one.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Final

from spacy.tokens import Doc

from workers.ids import stable_id
from workers.models import Claim, Cue, Entity, Span
from workers.nlp.article_index import ArticleIndex
from workers.nlp.channels import Delivery, delivery_of
from workers.nlp.claimants import Speaker, claimant_for
from workers.nlp.content import Content, quote_content
from workers.nlp.cues import Attribution, attributions
from workers.nlp.lexicon import stance_for
from workers.nlp.quotes import CLOSERS, OPENERS, Quotation

__all__ = ["extract_claims"]

_Found = dict[tuple[int, int], tuple[tuple[bool, int], Claim]]
_SENTENCE_ENDS: Final = frozenset(".!?")


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
    article = ArticleIndex(doc, entities)
    found: _Found = {}
    speakers: list[Speaker] = []
    for attribution in _outermost(attributions(article)):
        claimant = claimant_for(article, attribution.speaker, attribution.start, speakers)
        cue = Cue(
            text=article.text[attribution.start : attribution.end],
            lemma=attribution.lemma,
            start=attribution.start,
            end=attribution.end,
        )
        delivery = delivery_of(article, attribution.token) if attribution.token is not None else Delivery()
        for content in attribution.contents:
            template = Claim(
                "",
                claimant,
                cue,
                Span("", 0, 0),
                content.kind,
                stance_for(attribution.lemma),
                delivery.channel,
                delivery.recipient,
                delivery.original_speaker,
            )
            _keep(found, _claim(article, article_id, template, content))
    _continue_speech(article, article_id, found)
    claims = [claim for _, claim in found.values()]
    claims.sort(key=lambda c: (c.content.start, c.content.end, c.cue.start))
    return claims


def _claim(article: ArticleIndex, article_id: str, template: Claim, content: Content) -> Claim:
    """``template`` with ``content`` as its content, and the id that gives it."""
    return Claim(
        id=stable_id(article_id, template.cue.start, content.start, content.end),
        claimant=template.claimant,
        cue=template.cue,
        content=Span(article.text[content.start : content.end], content.start, content.end),
        kind=content.kind,
        stance=template.stance,
        channel=template.channel,
        recipient=template.recipient,
        original_speaker=template.original_speaker,
    )


def _keep(found: _Found, claim: Claim, continued: bool = False) -> None:
    """One claim per content: a quotation two cues reach belongs to the nearer."""
    cue, content = claim.cue, claim.content
    gap = min(abs(cue.start - content.end), abs(content.start - cue.end))
    rank = (continued, gap)
    key = (content.start, content.end)
    if key not in found or rank < found[key][0]:
        found[key] = (rank, claim)


def _continue_speech(article: ArticleIndex, article_id: str, found: _Found) -> None:
    """Attribute each unattributed quotation that is a sentence of its own to the
    speaker of the claim just before it: in the same paragraph when only the end of
    that claim's sentence stands between them (“X,” he said. “Y.” / He said X. “Y.”);
    in the next paragraph when that claim was a quotation and this one opens the
    paragraph, and either the earlier quotation ran on unclosed or this one fills
    its paragraph. In order, so a speech can run over several paragraphs."""
    claims = sorted((claim for _, claim in found.values()), key=_claim_end)
    ends = [_claim_end(c) for c in claims]
    claimed = [(c.content.start, c.content.end) for c in claims]
    for quote in article.quotes.all:
        if any(quote.start <= start < quote.end for start, _ in claimed):
            continue  # the quotation (or part of it) is already a claim's content
        i = bisect_right(ends, quote.start) - 1
        if i < 0 or not _continues(article, claims[i], quote):
            continue
        content = quote_content(article, quote)
        if content is None:
            continue
        continued = _claim(article, article_id, claims[i], content)
        _keep(found, continued, continued=True)
        at = bisect_right(ends, _claim_end(continued))
        claims.insert(at, continued)
        ends.insert(at, _claim_end(continued))
        claimed.append((content.start, content.end))


def _claim_end(claim: Claim) -> int:
    return max(claim.cue.end, claim.content.end)


def _continues(article: ArticleIndex, claim: Claim, quote: Quotation) -> bool:
    """Whether ``quote`` goes on with ``claim``'s speech (see ``_continue_speech``)."""
    text = article.text
    para_start, para_end = article.paragraph(quote.start)
    after = text[quote.end : para_end].lstrip()
    ends_sentence = quote.open or text[quote.end - 2 : quote.end - 1] in _SENTENCE_ENDS
    if after[:1].isalnum() and not ends_sentence:
        return False  # the quotation is part of a longer sentence, not one of its own
    gap = text[_claim_end(claim) : quote.start]
    if "\n" not in gap:
        return _ends_one_sentence(gap)
    if claim.kind != "direct" or text[para_start : quote.start].strip():
        return False
    tail, _, between = gap.partition("\n")
    if between.strip():
        return False  # a paragraph stands between them
    earlier = article.quotes.at(claim.content.start)
    if earlier is not None and earlier.open:
        return True  # it ran on to the end of its paragraph
    fills_paragraph = not after.strip(" .")
    return fills_paragraph and (not tail.strip() or _ends_one_sentence(tail))


def _ends_one_sentence(gap: str) -> bool:
    """Whether ``gap`` is the rest of one sentence: short, no quotation marks, one
    sentence end and only at its end ("said. ", " Ambassador Mohib.")."""
    rest = gap.strip()
    if not rest or len(rest) > 80 or rest[-1] not in _SENTENCE_ENDS:
        return False
    return not any(ch in _SENTENCE_ENDS or ch in OPENERS or ch in CLOSERS for ch in rest[:-1])


def _outermost(found: list[Attribution]) -> list[Attribution]:
    """Attributions not inside another's reported speech.

    In "Memon said she believed X", "believed X" is part of what Memon said, not a
    claim of its own. But a source phrase relays a named speaker's claim ("According
    to ABC News, Basya believes X" is Basya's claim too), and a coordinated cue
    ("claimed X and claim Y") is a report of its own that the parser hung inside the
    first one's complement.
    """
    spans = sorted((c.start, c.end, a.token is None) for a in found for c in a.contents if c.kind != "direct")
    starts = [start for start, _, _ in spans]
    kept = []
    for attribution in found:
        i = bisect_right(starts, attribution.start)
        around = [s for s in spans[max(0, i - 4) : i] if s[0] < attribution.start < s[1]]
        named = attribution.speaker is not None and attribution.speaker[0].pos_ != "PRON"
        coordinated = attribution.token is not None and attribution.token.dep_ == "conj"
        if not around or coordinated or (named and all(relay for _, _, relay in around)):
            kept.append(attribution)
    return kept
