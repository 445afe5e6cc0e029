"""The enrichment core: raw articles in, enriched articles out. No Kafka here.

The worker, the offline ``newsflow enrich`` command and the benchmark all call
:class:`Enricher`, so what is measured and tested offline is what runs in the stream.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime

from spacy.language import Language
from spacy.tokens import Doc

from workers import __version__
from workers.ids import content_hash, stable_id
from workers.models import EnrichedArticle, Processing, RawArticle
from workers.nlp.claims import extract_claims
from workers.nlp.entities import group_entities
from workers.nlp.pipeline import model_info
from workers.timing import StageTimer, no_timing

__all__ = ["Enricher", "enrich_article", "utc_now"]

#: Bodies longer than this are parsed in pieces split at whitespace, so memory stays
#: bounded (spaCy needs roughly 1 GB per 100,000 characters for parser and NER at once).
DEFAULT_CHUNK_CHARS = 50_000


def utc_now() -> str:
    """The current time as RFC 3339 UTC with milliseconds ("2024-11-28T10:00:00.123Z")."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Enricher:
    """Enriches articles with one loaded spaCy pipeline.

    Args:
        nlp: the loaded pipeline (see :func:`workers.nlp.pipeline.load_pipeline`).
        clock: returns the ``processed_at`` timestamp; injectable for tests.
        timer: reports how long each stage took (see :mod:`workers.metrics`).
        chunk_chars: parse longer bodies in pieces of about this many characters.
    """

    def __init__(
        self,
        nlp: Language,
        *,
        clock: Callable[[], str] = utc_now,
        timer: StageTimer = no_timing,
        chunk_chars: int = DEFAULT_CHUNK_CHARS,
    ) -> None:
        self.nlp = nlp
        self._clock = clock
        self._timer = timer
        self._chunk_chars = chunk_chars
        info = model_info(nlp)
        self._model, self._model_version = info.name, info.version

    def __call__(self, article: RawArticle) -> EnrichedArticle:
        """Enrich one article.

        Raises:
            Exception: whatever the NLP raised; :meth:`enrich_batch` isolates failures.
        """
        with self._timer("nlp"):
            doc = self._parse(article.body)
        return self._build(article, doc)

    def enrich_batch(self, articles: Sequence[RawArticle]) -> list[EnrichedArticle | Exception]:
        """Enrich a batch through ``nlp.pipe``; a failing article fails alone.

        Returns:
            One result per article, in order: the enriched article, or the exception
            that its enrichment raised.
        """
        if not articles:
            return []
        try:
            with self._timer("nlp", len(articles)):
                docs = self._parse_many([a.body for a in articles])
        except Exception:  # noqa: BLE001 - find the culprit article by article below
            return [self._try(self, a) for a in articles]
        return [self._try(lambda a, d=doc: self._build(a, d), a) for a, doc in zip(articles, docs, strict=True)]

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

    def _parse(self, body: str) -> Doc:
        if len(body) <= self._chunk_chars:
            return self.nlp(body)
        return Doc.from_docs(list(self.nlp.pipe(split_at_whitespace(body, self._chunk_chars))), ensure_whitespace=False)

    def _parse_many(self, bodies: list[str]) -> list[Doc]:
        if all(len(b) <= self._chunk_chars for b in bodies):
            return list(self.nlp.pipe(bodies))
        return [self._parse(b) for b in bodies]

    def _build(self, article: RawArticle, doc: Doc) -> EnrichedArticle:
        with self._timer("entities"):
            entities = group_entities(doc)
        with self._timer("claims"):
            claims = extract_claims(doc, entities, article_id=article.id)
        return EnrichedArticle(
            event_id=stable_id(article.id, content_hash(article.body), length=24),
            id=article.id,
            body=article.body,
            title=article.title,
            url=article.url,
            source=article.source,
            published_at=article.published_at,
            language=article.language,
            entities=tuple(entities),
            claims=tuple(claims),
            processing=Processing(
                pipeline_version=__version__,
                model=self._model,
                model_version=self._model_version,
                processed_at=self._clock(),
            ),
        )


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


def enrich_article(article: RawArticle, nlp: Language) -> EnrichedArticle:
    """Enrich one article with ``nlp``; see :class:`Enricher` for repeated use."""
    return Enricher(nlp)(article)
