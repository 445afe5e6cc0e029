"""TF-IDF vectors learnt as the stream goes, and their cosine."""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.metrics.pairwise import cosine_similarity

from workers.stories.text import TextModel, cosine

TEXTS = [
    "Rescuers searched collapsed houses in Valparaiso after the earthquake.",
    "The earthquake in Chile collapsed houses and cut power to Valparaiso.",
    "Parliament passed the budget after a debate over pensions.",
]


def _vectors() -> list[sparse.csr_matrix]:
    model = TextModel()
    counts = [model.counts(t) for t in TEXTS]
    for c in counts:
        model.observe(c)
    return [model.vector(c) for c in counts]


def test_the_cosine_is_scikit_learns_for_single_vectors_and_sums() -> None:
    a, b, c = _vectors()
    story = a + c  # a sum of rows, as a story's text is
    for x, y in [(a, b), (b, c), (story, b), (b, story)]:
        assert np.isclose(cosine(x, y), cosine_similarity(x, y)[0, 0], atol=1e-6)


def test_texts_without_a_common_word_have_cosine_zero() -> None:
    a, _, c = _vectors()
    assert cosine(a, c) == 0.0


def test_a_row_storing_a_column_twice_counts_it_once_summed() -> None:
    twice = sparse.csr_matrix((np.array([1.0, 1.0], dtype=np.float32), np.array([3, 3]), np.array([0, 2])), (1, 8))
    once = sparse.csr_matrix((np.array([2.0], dtype=np.float32), np.array([3]), np.array([0, 1])), (1, 8))
    assert np.isclose(cosine(twice, once), 1.0)
