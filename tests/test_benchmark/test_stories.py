"""(T) the stories stage's core in the benchmark: what it reports."""

from __future__ import annotations

import pytest
from spacy.language import Language

from tests.conftest import SEEDS
from workers.benchmark.stories import SAMPLES, stories_stage
from workers.inputs.corpus import build_corpus, seed_articles
from workers.settings import Settings


def test_the_stage_streams_every_copy_and_samples_its_state(monkeypatch: pytest.MonkeyPatch, nlp: Language) -> None:
    monkeypatch.setattr("workers.benchmark.stories.load_pipeline", lambda name: nlp)
    corpus = list(build_corpus(seed_articles([str(SEEDS)]), 6, prefix="t"))
    result = stories_stage("model", corpus, Settings(data_dir="/tmp/unused"), repeat=5)
    assert result.articles == 30 and result.seconds > 0
    samples = result.extra["state_samples"]
    assert isinstance(samples, list) and len(samples) == SAMPLES
    assert samples[-1]["articles"] == 30 and samples[-1]["open_stories"] >= 1
    # the trend detector runs in the loop: its state is sampled with the assigner's
    assert samples[-1]["trend_entities"] >= 1 and samples[-1]["trend_counts"] >= samples[-1]["trend_entities"]
    assert isinstance(result.extra["trends"], int)
