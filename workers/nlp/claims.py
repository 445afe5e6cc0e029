"""Find attributed statements ("claims") in a parsed article.

A claim is ``claimant -[cue]-> content``, with how it was delivered. The front door
of claim extraction; the rules live in their own modules:

- :mod:`~workers.nlp.cues`: which words attribute (reporting verbs, "according
  to", passive reports) and who their grammatical speaker is;
- :mod:`~workers.nlp.content`: what each cue reports (complement, object or an
  adjacent quotation, :mod:`~workers.nlp.adjacent_quotes`), where a clause starts
  and ends (:mod:`~workers.nlp.clause_bounds`) and what kind of content a span is
  (:mod:`~workers.nlp.content_spans`), and :mod:`~workers.nlp.quotes` for the
  quotations;
- :mod:`~workers.nlp.claimants`: the claimant span and the entity it refers to
  (pronouns and descriptions resolved);
- :mod:`~workers.nlp.channels`: channel, recipient and the speaker being quoted;
- :mod:`~workers.nlp.quotation_chains`: quotations without a reporting verb of
  their own.

A quotation that is a sentence of its own with no attribution continues the speech
of the claim right before it (see ``_continue_speech``), and a cue inside another
claim's reported speech is part of that claim, not one of its own. A quotation
without a reporting verb is still attributed when a clause introduces it with a
colon ("The minister was blunt: “We will not pay.”") or the sentence after it names
its speaker ("“It is over.” That was how Ms Diaz put it."); see ``_introduced``.

Paragraphs (newline-separated) are hard limits: no claimant or content crosses one.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from spacy.tokens import Doc

from workers.ids import stable_id
from workers.models import Claim, Cue, Entity, Span
from workers.nlp.article_index import ArticleIndex
from workers.nlp.channels import Delivery, delivery_of
from workers.nlp.claimants import Speaker, claimant_for
from workers.nlp.content_spans import Content, quote_content
from workers.nlp.cues import Attribution, attributions
from workers.nlp.lexicon import stance_for
from workers.nlp.quotation_chains import attribution_after, claim_end, colon_attribution, continues

__all__ = ["extract_claims"]

_Found = dict[tuple[int, int], tuple[tuple[bool, int], Claim]]


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
        _attribute(article, article_id, found, attribution, speakers)
    _introduced(article, article_id, found, speakers)
    _continue_speech(article, article_id, found)
    claims = [claim for _, claim in found.values()]
    claims.sort(key=lambda c: (c.content.start, c.content.end, c.cue.start))
    return claims


def _attribute(
    article: ArticleIndex, article_id: str, found: _Found, attribution: Attribution, speakers: list[Speaker]
) -> None:
    """Keep a claim for each content of ``attribution``."""
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


def _claim(article: ArticleIndex, article_id: str, template: Claim, content: Content) -> Claim:
    """``template`` with ``content`` as its content, and the id that gives it; broad
    when the content is, or when it continues a broad claim."""
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
        broad=content.broad or template.broad,
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
    speaker of the claim just before it, when it goes on with that claim's speech
    (see ``quotation_chains.continues``). In order, so a speech can run over several
    paragraphs; a new speaker ends the chain (a claim of someone else is then the
    claim just before)."""
    claims = sorted((claim for _, claim in found.values()), key=claim_end)
    ends = [claim_end(c) for c in claims]
    claimed = [(c.content.start, c.content.end) for c in claims]
    for quote in article.quotes.all:
        if any(quote.start <= start < quote.end for start, _ in claimed):
            continue  # the quotation (or part of it) is already a claim's content
        i = bisect_right(ends, quote.start) - 1
        if i < 0 or not continues(article, claims[i], quote):
            continue
        content = quote_content(article, quote)
        if content is None:
            continue
        continued = _claim(article, article_id, claims[i], content)
        _keep(found, continued, continued=True)
        at = bisect_right(ends, claim_end(continued))
        claims.insert(at, continued)
        ends.insert(at, claim_end(continued))
        claimed.append((content.start, content.end))


def _introduced(article: ArticleIndex, article_id: str, found: _Found, speakers: list[Speaker]) -> None:
    """Attribute unclaimed quotations that no reporting verb attributes, when a
    clause introduces them with a colon or the sentence after them names their
    speaker (see ``quotation_chains.colon_attribution`` and ``attribution_after``)."""
    spans = sorted(found)
    starts = [start for start, _ in spans]
    for quote in article.quotes.all:
        i = bisect_left(starts, quote.end)
        if any(end > quote.start for _, end in spans[max(0, i - 4) : i]):
            continue  # already (part of) a claim's content
        attribution = colon_attribution(article, quote) or attribution_after(article, quote)
        if attribution is not None:
            # Pronouns resolve against the speakers before this cue, not after it.
            earlier = [s for s in speakers if s.cue_start < attribution.start]
            _attribute(article, article_id, found, attribution, earlier)


def _outermost(found: list[Attribution]) -> list[Attribution]:
    """Attributions not inside another's reported speech.

    In "Memon said she believed X", "believed X" is part of what Memon said, not a
    claim of its own. But a source phrase relays a named speaker's claim ("According
    to ABC News, Basya believes X" is Basya's claim too), and a coordinated cue
    ("claimed X and claim Y") is a report of its own that the parser hung inside the
    first one's complement.
    """
    spans = sorted(
        (c.start, c.end, a.token is None, n) for n, a in enumerate(found) for c in a.contents if c.kind != "direct"
    )
    starts = [start for start, *_ in spans]
    kept = []
    for n, attribution in enumerate(found):
        i = bisect_right(starts, attribution.start)
        # An attribution's own content may enclose its cue ("The plan, officials
        # said, will cost more"): only another's speech can hold it.
        around = [s for s in spans[max(0, i - 4) : i] if s[0] < attribution.start < s[1] and s[3] != n]
        named = attribution.speaker is not None and attribution.speaker[0].pos_ != "PRON"
        coordinated = attribution.token is not None and attribution.token.dep_ == "conj"
        if not around or coordinated or (named and all(span[2] for span in around)):
            kept.append(attribution)
    return kept
