"""The enrichment core: a raw article in, an enriched article out. No Kafka here.

The worker, the offline ``newsflow enrich`` command and the benchmark all call
:class:`Enricher`, so what is measured and tested offline is what runs in the stream.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime

from spacy.language import Language
from spacy.tokens import Doc

from workers import __version__
from workers.ids import content_hash, stable_id
from workers.models import EnrichedArticle, Processing, RawArticle
from workers.nlp.claims import extract_claims
from workers.nlp.entities import group_entities
from workers.nlp.pipeline import model_info

__all__ = ["Enricher", "enrich_article", "utc_now"]


def utc_now() -> str:
    """The current time as RFC 3339 UTC with milliseconds ("2024-11-28T10:00:00.123Z")."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Enricher:
    """Enriches articles with one loaded spaCy pipeline.

    Args:
        nlp: the loaded pipeline (see :func:`workers.nlp.pipeline.load_pipeline`).
        clock: returns the ``processed_at`` timestamp; injectable for tests.
    """

    def __init__(self, nlp: Language, *, clock: Callable[[], str] = utc_now) -> None:
        self.nlp = nlp
        self._clock = clock
        info = model_info(nlp)
        self._model, self._model_version = info.name, info.version

    def __call__(self, article: RawArticle) -> EnrichedArticle:
        """Enrich one article."""
        return self._build(article, self.nlp(article.body))

    def pipe(self, articles: Iterable[RawArticle], *, batch_size: int = 16) -> Iterator[EnrichedArticle]:
        """Enrich many articles, batching them through ``nlp.pipe``; order is kept."""
        pending: deque[RawArticle] = deque()

        def bodies() -> Iterator[str]:
            for article in articles:
                pending.append(article)
                yield article.body

        for doc in self.nlp.pipe(bodies(), batch_size=batch_size):
            yield self._build(pending.popleft(), doc)

    def _build(self, article: RawArticle, doc: Doc) -> EnrichedArticle:
        entities = group_entities(doc)
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


def enrich_article(article: RawArticle, nlp: Language) -> EnrichedArticle:
    """Enrich one article with ``nlp``; see :class:`Enricher` for repeated use."""
    return Enricher(nlp)(article)
