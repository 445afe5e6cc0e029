"""Build a corpus of N distinct articles from the seeds, for load, fault and benchmark runs.

Variant ``k`` of a seed keeps the seed's paragraphs but starts at paragraph ``k mod
len(paragraphs)`` and carries its own id, so every article is distinct (different id,
different content hash) while the text stays real news prose of the same size.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson

from workers.inputs.files import InputArticle, read_inputs
from workers.models import RawArticle
from workers.pipeline.decode import decode_article

__all__ = ["SEED_DIR", "build_corpus", "seed_articles"]

#: The sample articles shipped with the repository (``seeds/articles``).
SEED_DIR = Path(__file__).resolve().parents[2] / "seeds" / "articles"


def seed_articles(paths: Iterable[str], *, max_body_bytes: int = 1_000_000) -> list[RawArticle]:
    """The valid articles under ``paths``, decoded."""
    return [decode_article(item.value, max_body_bytes=max_body_bytes) for item in read_inputs(paths)]


def build_corpus(seeds: list[RawArticle], n: int, *, prefix: str = "corpus") -> Iterator[InputArticle]:
    """Yield ``n`` distinct articles (as records for ``articles.raw``) made from ``seeds``.

    Raises:
        ValueError: no seeds were given.
    """
    if not seeds:
        raise ValueError("build_corpus needs at least one seed article")
    for i in range(n):
        seed = seeds[i % len(seeds)]
        variant = i // len(seeds)
        paragraphs = seed.body.split("\n")
        shift = variant % len(paragraphs)
        body = "\n".join(paragraphs[shift:] + paragraphs[:shift])
        article_id = f"{prefix}-{i:06d}"
        value = orjson.dumps(
            {
                "id": article_id,
                "body": body,
                "title": seed.title,
                "source": seed.source,
                "published_at": seed.published_at,
            }
        )
        yield InputArticle(f"{prefix}:{i}", article_id.encode(), value)
