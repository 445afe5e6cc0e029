"""The bench's even spread of a corpus over partitions (workers/benchmark/scenarios.py)."""

from __future__ import annotations

import orjson
from hypothesis import given
from hypothesis import strategies as st

from workers.benchmark.scenarios import spread_evenly, words_of
from workers.inputs.corpus import SEED_DIR, build_corpus, seed_articles
from workers.inputs.files import InputArticle


def article(i: int, words: int) -> InputArticle:
    return InputArticle(f"t:{i}", f"a{i}".encode(), orjson.dumps({"id": f"a{i}", "body": " ".join(["w"] * words)}))


def loads(corpus: list[InputArticle], chosen: list[int], partitions: int) -> list[int]:
    load = [0] * partitions
    for a, p in zip(corpus, chosen, strict=True):
        load[p] += words_of([a])
    return load


@given(st.lists(st.integers(min_value=1, max_value=2000), min_size=1, max_size=80), st.integers(1, 8))
def test_partitions_differ_by_at_most_the_longest_article(sizes: list[int], partitions: int) -> None:
    corpus = [article(i, n) for i, n in enumerate(sizes)]
    chosen = spread_evenly(corpus, partitions)
    assert all(0 <= p < partitions for p in chosen)
    load = loads(corpus, chosen, partitions)
    assert max(load) - min(load) <= max(sizes)


def test_the_bench_corpus_is_spread_far_more_evenly_than_by_key() -> None:
    corpus = list(build_corpus(seed_articles([str(SEED_DIR)]), 400, prefix="bench"))
    load = loads(corpus, spread_evenly(corpus, 6), 6)
    assert max(load) / min(load) < 1.01
