"""Fixtures shared by every test: the spaCy pipeline is loaded once per session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language

from workers.nlp.pipeline import load_pipeline
from workers.pipeline.enrich import Enricher
from workers.settings import DEFAULT_MODEL, Settings

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds" / "articles"
FIXED_TIME = "2024-12-05T12:00:00.000Z"


@pytest.fixture(scope="session")
def nlp() -> Language:
    return load_pipeline(DEFAULT_MODEL)


@pytest.fixture(scope="session")
def enricher(nlp: Language) -> Enricher:
    return Enricher(nlp, clock=lambda: FIXED_TIME)


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Factory: settings with a private data dir, any field overridable."""

    def make(**overrides: Any) -> Settings:
        return Settings(data_dir=str(tmp_path / "data")).with_overrides(**overrides)

    return make
