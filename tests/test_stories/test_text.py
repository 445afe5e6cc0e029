"""TF-IDF vectors learnt as the stream goes, and their dot products."""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.metrics.pairwise import cosine_similarity

from workers.stories.text import N_FEATURES, SparseVector, TextModel, add, cosines, dots, norm, row_dot

TEXTS = [
    "Rescuers searched collapsed houses in Valparaiso after the earthquake.",
    "The earthquake in Chile collapsed houses and cut power to Valparaiso.",
    "Parliament passed the budget after a debate over pensions.",
]


def _vectors() -> list[SparseVector]:
    model = TextModel()
    counts = model.counts(TEXTS)
    for i in range(len(TEXTS)):
        model.observe(counts[i])
    return model.weigh(counts)


def _csr(v: SparseVector) -> sparse.csr_matrix:
    return sparse.csr_matrix((v[1], v[0], [0, len(v[0])]), shape=(1, N_FEATURES))


def test_vectors_have_unit_length() -> None:
    assert all(np.isclose(norm(v), 1.0) for v in _vectors())


def test_dot_products_are_scikit_learns_cosines_for_vectors_and_sums() -> None:
    a, b, c = _vectors()
    story = add(a, c, keep=10_000)  # a sum of vectors, as a story's text is
    for x, y in [(a, b), (b, c), (story, b)]:
        expected = cosine_similarity(_csr(x), _csr(y))[0, 0]
        assert np.isclose(row_dot(x, y) / (norm(x) * norm(y)), expected, atol=1e-6)
    assert np.allclose(dots([a, b], [a, b, c]), cosine_similarity(_csr_rows([a, b]), _csr_rows([a, b, c])), atol=1e-6)


def _csr_rows(rows: list[SparseVector]) -> sparse.csr_matrix:
    return sparse.vstack([_csr(r) for r in rows]).tocsr()


def test_texts_without_a_common_word_have_a_zero_product() -> None:
    a, _, c = _vectors()
    assert row_dot(a, c) == 0.0 and dots([a], [c])[0, 0] == 0.0


def test_a_bounded_sum_keeps_its_heaviest_columns() -> None:
    a, b, _ = _vectors()
    total = add(a, b, keep=3)
    assert len(total[0]) == 3 and list(total[0]) == sorted(total[0])
    full = add(a, b, keep=10_000)
    assert np.allclose(np.sort(total[1]), np.sort(full[1])[-3:])


def test_a_word_seen_in_every_document_weighs_less_than_a_rare_one() -> None:
    model = TextModel()
    counts = model.counts(["harbour storm", "harbour crane", "harbour flood"])
    for i in range(3):
        model.observe(counts[i])
    (columns, values), *_ = model.weigh(model.counts(["harbour storm"]))
    common = model.counts(["harbour"]).indices[0]
    assert values[list(columns).index(common)] < values[1 - list(columns).index(common)]


def test_cosines_leave_the_ignored_words_out_of_both_vectors() -> None:
    model = TextModel()
    texts = ["Kariba dam cracked", "Kariba turbines restart", "dam cracked overnight"]
    counts = model.counts(texts)
    for i in range(3):
        model.observe(counts[i])
    a, b, c = model.weigh(counts)
    ignore = np.unique(model.counts(["Kariba"]).indices)
    found = cosines([a], [b, c], ignore)
    # Without "kariba", the first two share no word; the first and third are the same
    # words as the first without "kariba" ("dam cracked") plus one.
    without = model.weigh(model.counts(["dam cracked"]))[0]
    assert dots([a], [b])[0, 0] > 0 and found[0, 0] == 0.0
    assert np.isclose(found[0, 1], dots([without], [c])[0, 0], atol=1e-6)


def test_cosines_with_nothing_ignored_are_the_dot_products() -> None:
    a, b, c = _vectors()
    assert np.array_equal(cosines([a, b], [a, b, c], np.array([], dtype=np.int32)), dots([a, b], [a, b, c]))
