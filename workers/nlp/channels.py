"""How a claim was made: the channel, the addressee, and whom the claimant quoted.

- channel: "said on Telegram", "said in a statement", "in an interview with CNN";
- recipient: "told reporters", "told The Associated Press", "said to the court";
  an organisation told something (a news agency, a broadcaster) is also the
  channel through which the claim became public;
- original speaker: "the insurgents said ..., quoting a local commander identified
  as Major Hassan Abdul-Ghani" - the claim is the insurgents', and they relay the
  commander's words; both are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from spacy.tokens import Token

from workers.models import Claimant, Span
from workers.nlp.article_index import ArticleIndex
from workers.nlp.claimants import speaker_tokens
from workers.nlp.lexicon import CHANNEL_NOUNS

__all__ = ["Delivery", "delivery_of"]

#: Prepositions that introduce where something was said.
_CHANNEL_PREPOSITIONS: Final = frozenset({"on", "in", "via", "through", "during"})
#: Verbs whose object is someone the claimant relays ("quoting X", "citing X").
_QUOTING_VERBS: Final = frozenset({"quote", "cite"})
#: Modifiers of a channel noun that belong to it ("an interview with CNN").
_CHANNEL_MODIFIER_PREPOSITIONS: Final = frozenset({"with", "on", "to", "by"})


@dataclass(frozen=True, slots=True)
class Delivery:
    """Channel, recipient and original speaker of one cue (each may be None)."""

    channel: Span | None = None
    recipient: Span | None = None
    original_speaker: Claimant | None = None


def delivery_of(article: ArticleIndex, cue: Token) -> Delivery:
    """Read the channel, recipient and quoted speaker off the cue's dependents."""
    para = article.paragraph(cue.idx)
    channel = recipient = None
    original = None
    # "said that the road was closed, citing police sources": the parser may hang
    # the participle on the reported clause rather than on the cue.
    clauses = [c for c in cue.children if c.dep_ == "ccomp"]
    relays = [c for clause in clauses for c in clause.children if c.dep_ == "advcl"]
    for child in [*cue.children, *relays]:
        if not para[0] <= child.idx < para[1] or article.quotes.at(child.idx) is not None:
            continue
        if child.dep_ in ("dobj", "dative") and cue.lemma_.lower() == "tell" and recipient is None:
            recipient = _phrase(article, child)
            entity = article.entity_at[child.i]
            if entity is not None and entity.label == "ORG" and channel is None:
                channel = recipient  # "told The Associated Press"
        elif child.dep_ == "prep" and child.lower_ == "to" and recipient is None:
            obj = _object(child)
            if obj is not None and obj.pos_ in ("NOUN", "PROPN"):
                recipient = _phrase(article, obj)
        elif child.dep_ == "prep" and child.lower_ in _CHANNEL_PREPOSITIONS and channel is None:
            channel = _channel(article, child)
        elif child.dep_ in ("advcl", "xcomp") and child.lemma_.lower() in _QUOTING_VERBS and original is None:
            original = _original_speaker(article, child, para)
    return Delivery(channel, recipient, original)


def _object(prep: Token) -> Token | None:
    return next((c for c in prep.children if c.dep_ == "pobj"), None)


def _channel(article: ArticleIndex, prep: Token) -> Span | None:
    """ "on Telegram" -> Telegram; "in a statement" -> a statement; else None."""
    obj = _object(prep)
    if obj is None or obj.ent_type_ in ("DATE", "TIME", "GPE", "LOC", "FAC"):
        return None
    if obj.pos_ == "PROPN" and prep.lower_ in ("on", "via"):
        return _phrase(article, obj)  # "on Telegram" (spaCy may call it anything)
    if obj.pos_ == "NOUN" and obj.lemma_.lower() in CHANNEL_NOUNS:
        last = obj
        for right in obj.rights:
            if right.dep_ == "prep" and right.lower_ in _CHANNEL_MODIFIER_PREPOSITIONS:
                inner = _object(right)
                if inner is not None and inner.ent_type_ not in ("DATE", "TIME"):
                    last = right.right_edge
        return _span(article, obj.left_edge, last)
    return None


def _original_speaker(article: ArticleIndex, verb: Token, para: tuple[int, int]) -> Claimant | None:
    """Whom "quoting X" / "citing X" names: a person or organisation inside X (with
    the title written before the name), else X as written."""
    obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
    if obj is None:
        return None
    for tok in obj.subtree:
        entity = article.entity_at[tok.i]
        if entity is None or entity.label not in ("PERSON", "ORG"):
            continue
        mention = next((m for m in entity.mentions if m.start <= tok.idx < m.end), None)
        if mention is None:
            continue
        start = mention.start
        if mention.title is not None:
            title_at = article.text.rfind(mention.title, para[0], mention.start)
            start = title_at if title_at >= 0 else start
        return Claimant(article.text[start : mention.end], start, mention.end, entity.id)
    tokens = speaker_tokens(obj, para)
    if tokens is None:
        return None
    span = _span(article, *tokens)
    return Claimant(span.text, span.start, span.end, None)


def _phrase(article: ArticleIndex, head: Token) -> Span:
    """``head``'s noun phrase without descriptive add-ons (see ``speaker_tokens``)."""
    tokens = speaker_tokens(head, article.paragraph(head.idx))
    return _span(article, *(tokens or (head, head)))


def _span(article: ArticleIndex, first: Token, last: Token) -> Span:
    start, end = first.idx, last.idx + len(last.text)
    return Span(article.text[start:end], start, end)
