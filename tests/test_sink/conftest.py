"""Events made by the real enrichment of a few seed articles, once per session."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import SEEDS
from workers.inputs.corpus import seed_articles
from workers.pipeline.enrich import Enricher
from workers.sink.samples import enriched_events


@pytest.fixture(scope="session")
def seed_events(enricher: Enricher) -> list[dict[str, Any]]:
    """Enriched-article events of four wikinews seed articles (with entities and claims)."""
    articles = seed_articles([str(SEEDS / "wikinews")])[:4]
    return enriched_events(articles, enricher)
