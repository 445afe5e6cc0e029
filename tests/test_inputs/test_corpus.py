from __future__ import annotations

import orjson

from tests.conftest import SEEDS
from workers.ids import content_hash
from workers.inputs.corpus import build_corpus, seed_articles


def test_corpus_has_n_articles_with_distinct_ids_and_bodies_of_seed_size() -> None:
    seeds = seed_articles([str(SEEDS)])
    corpus = [orjson.loads(a.value) for a in build_corpus(seeds, 120)]
    assert len(corpus) == 120
    assert len({a["id"] for a in corpus}) == 120
    assert sorted({len(a["body"]) for a in corpus}) == sorted({len(s.body) for s in seeds})


def test_variants_of_a_multi_paragraph_seed_differ_in_content() -> None:
    seeds = seed_articles([str(SEEDS / "000_3393e2ca348ff21d.txt")])
    bodies = [orjson.loads(a.value)["body"] for a in build_corpus(seeds, 5)]
    assert len({content_hash(b) for b in bodies}) == 5
