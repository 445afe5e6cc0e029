"""The systems under evaluation, each turning gold texts into scorable predictions.

- ``newsflow``: the enrichment core exactly as the worker runs it
  (:class:`workers.pipeline.enrich.Enricher`): entity mentions with their document-level
  labels, and claims with resolved claimants.
- ``stock``: the same spaCy pipeline's raw ``doc.ents``, nothing of ours applied.
  Stock spaCy extracts no claims; its claim rows are a quotation-mark baseline
  (every quotation is a claim; the claimant is the nearest PERSON or ORG entity
  and the cue the nearest reporting verb in the paragraph), which shows what
  quotation marks alone give. Every quotation is a ``direct`` claim.

The pipeline marks claims only a broad attribution scheme counts (``Claim.broad``);
the scoring leaves them out of the narrow views (see ``workers.evaluation.evaluate``).

Each system says which claim kinds it can emit (``claim_kinds``), in the gold's
terms, so that the report can tell "found none" from "has no such kind".

A story set's articles are seen by the stories stage as the worker publishes them:
enriched, flagged by an in-memory duplicate index as the worker's (``duplicate_of``),
and read back from their ``articles.enriched`` event (:func:`story_articles`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Final, Protocol, get_args

import orjson
from spacy.language import Language
from spacy.tokens import Doc

from workers.evaluation.gold import GoldDocument
from workers.evaluation.schemes import LabelledSpan
from workers.evaluation.scoring import PredictedClaim
from workers.evaluation.story_gold import StoryDocument
from workers.models import ClaimKind, EnrichedArticle, RawArticle
from workers.nlp.lexicon import REPORTING_VERBS
from workers.nlp.quotes import find_quotes
from workers.pipeline.dedup import DuplicateIndex, fingerprint
from workers.pipeline.enrich import Enricher
from workers.pipeline.events import encode
from workers.stories.article import StoryArticle, story_article

__all__ = [
    "PIPELINE_KIND_TO_GOLD",
    "NewsflowSystem",
    "Output",
    "StockSpacySystem",
    "System",
    "gold_kind",
    "story_articles",
]

#: The pipeline's claim kinds (``workers.models.ClaimKind``) in the gold's terms; a
#: kind not listed here keeps its name.
PIPELINE_KIND_TO_GOLD: Final = MappingProxyType(
    {"direct": "direct", "indirect": "indirect", "mixed": "mixed", "belief": "belief"}
)


def gold_kind(pipeline_kind: str) -> str:
    """A pipeline claim kind in the gold's terms."""
    return PIPELINE_KIND_TO_GOLD.get(pipeline_kind, pipeline_kind)


@dataclass(frozen=True, slots=True)
class Output:
    """What a system predicted for one document."""

    entities: frozenset[LabelledSpan]
    claims: tuple[PredictedClaim, ...]


class System(Protocol):
    """Something that reads gold texts and predicts entities and claims."""

    name: str
    #: What the claim rows of this system are, for the report ("" = the system).
    claims_note: str
    #: The claim kinds the system can emit, in the gold's terms.
    claim_kinds: frozenset[str]

    def predict(self, documents: Sequence[GoldDocument]) -> list[Output]:
        """One output per document, in order."""
        ...


class NewsflowSystem:
    """The enrichment core (``Enricher``) on each gold text."""

    name = "newsflow"
    claims_note = ""
    claim_kinds = frozenset(gold_kind(k) for k in get_args(ClaimKind))

    def __init__(self, nlp: Language) -> None:
        self._enricher = Enricher(nlp, clock=lambda: "1970-01-01T00:00:00.000Z")

    def predict(self, documents: Sequence[GoldDocument]) -> list[Output]:
        articles = [RawArticle(id=d.id, body=d.text, title=d.title, published_at=d.published_at) for d in documents]
        outputs = []
        for start in range(0, len(articles), 32):
            for result in self._enricher.enrich_batch(articles[start : start + 32]):
                if isinstance(result, Exception):
                    raise result
                outputs.append(_newsflow_output(result))
        return outputs


def story_articles(documents: Sequence[StoryDocument], nlp: Language) -> list[StoryArticle]:
    """The documents of a story set as the stories stage sees them, in order: enriched,
    copies flagged by a fresh duplicate index, read from their enriched events."""
    enricher = Enricher(nlp, clock=lambda: "1970-01-01T00:00:00.000Z")
    index = DuplicateIndex({})
    raws = [
        RawArticle(id=d.id, body=d.body, title=d.title, source=d.source, published_at=d.published_at) for d in documents
    ]
    articles = []
    for start in range(0, len(raws), 32):
        for result in enricher.enrich_batch(raws[start : start + 32]):
            if isinstance(result, Exception):
                raise result
            duplicate = index.check_and_remember(result.id, fingerprint(result.body or ""))
            articles.append(story_article(orjson.loads(encode(replace(result, duplicate_of=duplicate)))))
    return articles


def _newsflow_output(article: EnrichedArticle) -> Output:
    """The article's entities and claims as scored."""
    entities = frozenset(LabelledSpan(m.start, m.end, e.label) for e in article.entities for m in e.mentions)
    names = {e.id: e.name for e in article.entities}
    claims = tuple(
        PredictedClaim(
            content=(c.content.start, c.content.end),
            cue=(c.cue.start, c.cue.end),
            claimant=(c.claimant.start, c.claimant.end) if c.claimant else None,
            claimant_resolved=(names.get(c.claimant.entity_id or "") or c.claimant.text) if c.claimant else None,
            stance=c.stance,
            kind=gold_kind(c.kind),
            broad=c.broad,
        )
        for c in article.claims
    )
    return Output(entities, claims)


class StockSpacySystem:
    """Stock spaCy: raw ``doc.ents``; claims from quotation marks alone."""

    name = "stock"
    claims_note = "quotation-mark baseline"
    claim_kinds = frozenset({"direct"})

    def __init__(self, nlp: Language) -> None:
        self._nlp = nlp

    def predict(self, documents: Sequence[GoldDocument]) -> list[Output]:
        docs = self._nlp.pipe([d.text for d in documents], batch_size=32)
        return [
            Output(
                frozenset(LabelledSpan(e.start_char, e.end_char, e.label_) for e in doc.ents),
                quotation_baseline(doc),
            )
            for doc in docs
        ]


def quotation_baseline(doc: Doc) -> tuple[PredictedClaim, ...]:
    """Every quotation of three words or more is a claim, attributed to the nearest
    PERSON or ORG entity and cued by the nearest reporting verb of its paragraph."""
    text = doc.text
    claims = []
    for quote in find_quotes(text):
        start, end = quote.start + (0 if quote.unopened else 1), quote.end - (0 if quote.open else 1)
        if len(text[start:end].split()) < 3:
            continue
        para_start = text.rfind("\n", 0, quote.start) + 1
        para_end = text.find("\n", quote.end)
        para_end = len(text) if para_end < 0 else para_end

        def distance(a: int, b: int) -> int:
            return 0 if start <= a < end else min(abs(a - end), abs(b - start))  # noqa: B023 - used at once

        speakers = [
            e
            for e in doc.ents
            if e.label_ in ("PERSON", "ORG")
            and para_start <= e.start_char < para_end
            and not start <= e.start_char < end
        ]
        verbs = [
            t
            for t in doc
            if para_start <= t.idx < para_end
            and t.pos_ == "VERB"
            and t.lemma_.lower() in REPORTING_VERBS
            and not start <= t.idx < end
        ]
        speaker = min(speakers, key=lambda e: distance(e.start_char, e.end_char), default=None)
        verb = min(verbs, key=lambda t: distance(t.idx, t.idx + len(t.text)), default=None)
        claims.append(
            PredictedClaim(
                content=(start, end),
                cue=(verb.idx, verb.idx + len(verb.text)) if verb is not None else (start, start),
                claimant=(speaker.start_char, speaker.end_char) if speaker is not None else None,
                claimant_resolved=speaker.text if speaker is not None else None,
                stance="assert",
                kind="direct",
            )
        )
    return tuple(claims)
