"""The enrichment core: raw articles in, enriched articles out. No Kafka here.

The worker, the offline ``newsflow enrich`` command and the benchmark all call
:class:`Enricher`, so what is measured and tested offline is what runs in the stream.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import fields, is_dataclass, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

import numpy
from spacy.language import Language
from spacy.tokens import Doc

from workers.ids import content_hash, stable_id
from workers.models import Claim, EnrichedArticle, Entity, Processing, RawArticle
from workers.nlp.claims import extract_claims
from workers.nlp.doctext import remember_text
from workers.nlp.entities import group_entities
from workers.nlp.pipeline import ModelInfo, model_info
from workers.nlp.recase import recase, restore
from workers.pipeline.screening import Screening, screen
from workers.pipeline.version import PipelineVersion, pipeline_version
from workers.timing import StageTimer, no_timing

__all__ = ["Enricher", "enrich_article", "utc_now"]

#: Most characters handed to spaCy in one minibatch. Its working memory grows with the
#: text parsed at once (about +170 MB for 50,000 characters; 16 news articles of 3,500
#: characters: +210 MB; 4 of them: +60 MB) while throughput stays the same, so a worker
#: batch is parsed in minibatches of this.
DEFAULT_PIPE_CHARS = 12_000
#: Bodies longer than this are parsed in chunks cut at whitespace (after a newline where
#: there is one), each chunk a minibatch of its own at most, so the parse of a body at the
#: size limit needs no more memory than a normal batch. The chunks' annotations are then
#: joined into one Doc without their tensors (about 0.4 KB a token), so entity grouping
#: and claims see the whole article, across chunk borders, as if parsed in one piece.
DEFAULT_CHUNK_CHARS = DEFAULT_PIPE_CHARS


def utc_now() -> str:
    """The current time as RFC 3339 UTC with milliseconds ("2024-11-28T10:00:00.123Z")."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Enricher:
    """Enriches articles with one loaded spaCy pipeline.

    Args:
        nlp: the loaded pipeline (see :func:`workers.nlp.pipeline.load_pipeline`), or
            None for passthrough: articles are validated, screened and published
            without NLP (no entities, no claims). Used to measure what the pipeline
            costs around the NLP.
        clock: returns the ``processed_at`` timestamp; injectable for tests.
        timer: reports how long each stage took (see :mod:`workers.metrics`).
        chunk_chars: parse longer bodies in pieces of about this many characters.
        pipe_chars: hand spaCy at most about this many characters at once.
    """

    def __init__(
        self,
        nlp: Language | None,
        *,
        clock: Callable[[], str] = utc_now,
        timer: StageTimer = no_timing,
        chunk_chars: int = DEFAULT_CHUNK_CHARS,
        pipe_chars: int = DEFAULT_PIPE_CHARS,
    ) -> None:
        self.nlp = nlp
        self._clock = clock
        self._timer = timer
        self._chunk_chars = chunk_chars
        self._pipe_chars = pipe_chars
        info = model_info(nlp) if nlp is not None else ModelInfo("none", "0")
        self._model, self._model_version = info.name, info.version
        #: What makes this enricher's outputs, named in every event it builds.
        self.version: PipelineVersion = pipeline_version(info.name, info.version)

    def __call__(self, article: RawArticle) -> EnrichedArticle:
        """Enrich one article.

        Raises:
            Exception: whatever the NLP raised; :meth:`enrich_batch` isolates failures.
        """
        screening = screen(article.body, article.language)
        if not screening.english or self.nlp is None:
            return self._build(article, screening, None)
        with self._timer("nlp"):
            doc = self._parse_many([screening.text])[0]
        return self._build(article, screening, doc)

    def enrich_batch(self, articles: Sequence[RawArticle]) -> list[EnrichedArticle | Exception]:
        """Enrich a batch through ``nlp.pipe``; a failing article fails alone.

        Returns:
            One result per article, in order: the enriched article, or the exception
            that its enrichment raised.
        """
        if not articles:
            return []
        screenings = [screen(a.body, a.language) for a in articles]
        english = [i for i, s in enumerate(screenings) if s.english and self.nlp is not None]
        try:
            with self._timer("nlp", len(english)):
                parsed = self._parse_many([screenings[i].text for i in english])
        except Exception:  # noqa: BLE001 - find the culprit article by article below
            return [self._try(self, a) for a in articles]
        docs: list[Doc | None] = [None] * len(articles)
        for i, doc in zip(english, parsed, strict=True):
            docs[i] = doc
        return [
            self._try(partial(self._build, screening=s, doc=d), a)
            for a, s, d in zip(articles, screenings, docs, strict=True)
        ]

    def pipe(self, articles: Sequence[RawArticle], *, batch_size: int = 32) -> Iterator[EnrichedArticle | Exception]:
        """Enrich ``articles`` in batches of ``batch_size``; see :meth:`enrich_batch`."""
        for start in range(0, len(articles), batch_size):
            yield from self.enrich_batch(articles[start : start + batch_size])

    @staticmethod
    def _try(enrich: Callable[[RawArticle], EnrichedArticle], article: RawArticle) -> EnrichedArticle | Exception:
        try:
            return enrich(article)
        except Exception as exc:  # noqa: BLE001 - reported per article, never swallowed
            return exc

    def _parse_many(self, bodies: list[str]) -> list[Doc]:
        """One Doc per body; at most ``pipe_chars`` characters are parsed at once."""
        if not bodies or self.nlp is None:
            return []
        recased = [recase(body) for body in bodies]  # all-caps lines recased for the NER (same length)
        chunked = [split_at_whitespace(r or body, self._chunk_chars) for body, r in zip(bodies, recased, strict=True)]
        nlp = self.nlp
        parsed = (
            doc
            for group in minibatches([chunk for chunks in chunked for chunk in chunks], self._pipe_chars)
            for doc in nlp.pipe(group, batch_size=len(group))
        )
        docs: list[Doc] = []
        for chunks in chunked:
            if len(chunks) == 1:
                docs.append(next(parsed))
            else:
                # Consumed chunk by chunk: only one body's chunk Docs are alive at once.
                docs.append(Doc.from_docs([_without_tensor(next(parsed)) for _ in chunks], ensure_whitespace=False))
        return [
            remember_text(d if r is None else restore(d, body), body)
            for d, body, r in zip(docs, bodies, recased, strict=True)
        ]

    def _build(self, article: RawArticle, screening: Screening, doc: Doc | None) -> EnrichedArticle:
        entities: list[Entity] = []
        claims: list[Claim] = []
        if doc is not None:
            with self._timer("entities"):
                entities = group_entities(
                    doc, title=article.title, published_at=article.published_at, timer=self._timer
                )
            with self._timer("claims"):
                claims = extract_claims(doc, entities, article_id=article.id)
            if screening.text is not article.body:
                # The NLP saw blanked markup; spans must quote the body as received.
                entities = [reanchor(e, article.body) for e in entities]
                claims = [reanchor(c, article.body) for c in claims]
        language = article.language or ("en" if screening.english else None)
        return EnrichedArticle(
            event_id=stable_id(article.id, content_hash(article.body), length=24),
            id=article.id,
            body=article.body,
            title=article.title,
            url=article.url,
            source=article.source,
            published_at=article.published_at,
            language=language,
            entities=tuple(entities),
            claims=tuple(claims),
            flags=screening.flags,
            processing=Processing(
                pipeline_version=self.version.version,
                model=self._model,
                model_version=self._model_version,
                processed_at=self._clock(),
            ),
            detected_language=screening.detected_language,
            language_confidence=screening.language_confidence,
        )


def _without_tensor(doc: Doc) -> Doc:
    """``doc`` without its token vectors (384 bytes a token), which the enrichment never reads."""
    doc.tensor = numpy.empty((0,), dtype="float32")
    return doc


def minibatches(texts: list[str], budget: int) -> Iterator[list[str]]:
    """Consecutive groups of ``texts`` of at most ``budget`` characters (one text at least)."""
    group: list[str] = []
    size = 0
    for text in texts:
        if group and size + len(text) > budget:
            yield group
            group, size = [], 0
        group.append(text)
        size += len(text)
    if group:
        yield group


def split_at_whitespace(text: str, size: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``size`` characters whose concatenation is
    exactly ``text``: after a newline in the second half of the window where there is
    one, else after a space, else (no whitespace at all) right at the window's end.
    """
    pieces: list[str] = []
    start = 0
    while len(text) - start > size:
        end = start + size
        cut = text.rfind("\n", start + size // 2, end)
        if cut < 0:
            cut = max(text.rfind(" ", start + size // 2, end), text.rfind("\t", start + size // 2, end))
        if cut < 0:
            cut = end - 1
        pieces.append(text[start : cut + 1])
        start = cut + 1
    if start < len(text):
        pieces.append(text[start:])
    return pieces


T = TypeVar("T")


def reanchor(item: T, body: str) -> T:
    """Copy of ``item`` whose every span (a dataclass with ``text``, ``start`` and
    ``end``), however deeply nested, quotes ``body[start:end]``."""
    if isinstance(item, tuple | list):
        return type(item)(reanchor(x, body) for x in item)
    if not is_dataclass(item) or isinstance(item, type):
        return item
    changes: dict[str, Any] = {f.name: reanchor(getattr(item, f.name), body) for f in fields(item)}
    names = set(changes)
    if {"text", "start", "end"} <= names:
        changes["text"] = body[changes["start"] : changes["end"]]
    return replace(item, **changes)


def enrich_article(article: RawArticle, nlp: Language) -> EnrichedArticle:
    """Enrich one article with ``nlp``; see :class:`Enricher` for repeated use."""
    return Enricher(nlp)(article)
