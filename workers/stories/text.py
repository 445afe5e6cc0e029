"""How alike two texts are: TF-IDF vectors and their cosine, learnt as the stream goes.

scikit-learn's ``HashingVectorizer`` turns a text into term counts without a
vocabulary (words hashed into a fixed space of 2^18 columns, English stop words left
out), so nothing grows with the stream. The inverse document frequencies are kept here,
one count per column, updated with every article the stage sees: a word every story
uses ("said", "government") weighs little, a word one story uses ("Hama", "crane")
weighs much. Term frequencies are sublinear (1 + log tf) and vectors have unit length,
so the cosine is a dot product.

The document counts are the model's only state: bounded (one ``int32`` a column, 1 MB)
and saved with the stage's state, so a restarted stage weighs words as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

__all__ = ["N_FEATURES", "SparseVector", "TextModel", "add", "cosines", "dots", "norm", "row_dot"]

#: A vector as its columns (sorted, distinct) and their values.
SparseVector = tuple[np.ndarray, np.ndarray]

#: Columns of the hashed term space: collisions are rare at news vocabulary sizes.
N_FEATURES: Final = 2**18


class TextModel:
    """TF-IDF vectors whose document frequencies grow with the stream.

    Args:
        n_features: columns of the hashed term space.
    """

    def __init__(self, n_features: int = N_FEATURES) -> None:
        self._hashing = HashingVectorizer(
            n_features=n_features,
            stop_words="english",
            alternate_sign=False,
            norm=None,
            dtype=np.float32,
        )
        self.document_counts = np.zeros(n_features, dtype=np.int32)
        self.documents = 0

    def counts(self, texts: list[str]) -> sparse.csr_matrix:
        """The term counts of ``texts``, one row each (one call: the vectorizer's cost is
        mostly per call)."""
        return self._hashing.transform(texts)

    def observe(self, counts: sparse.csr_matrix) -> None:
        """Count one more document holding the terms of ``counts`` (one row)."""
        self.document_counts[counts.indices] += 1
        self.documents += 1

    def weigh(self, counts: sparse.csr_matrix) -> list[SparseVector]:
        """Unit TF-IDF vectors of the rows of ``counts``, by the document frequencies so far
        (smoothed as scikit-learn's ``TfidfTransformer``: idf = ln((1 + n) / (1 + df)) + 1)."""
        counts.sort_indices()
        data = ((1.0 + np.log(counts.data)) * self._idf(counts.indices)).astype(np.float32)
        rows = []
        for start, end in zip(counts.indptr[:-1], counts.indptr[1:], strict=True):
            values = data[start:end]
            length = float(np.sqrt(values @ values))
            rows.append((counts.indices[start:end], values / length if length else values))
        return rows

    def _idf(self, columns: np.ndarray) -> np.ndarray:
        df = self.document_counts[columns].astype(np.float32)
        idf: np.ndarray = np.log((1.0 + self.documents) / (1.0 + df)) + 1.0
        return idf


def norm(v: SparseVector) -> float:
    """The length of ``v``."""
    return float(np.sqrt(v[1] @ v[1]))


def row_dot(a: SparseVector, b: SparseVector) -> float:
    """The dot product of two vectors, by their shared columns."""
    _, i, j = np.intersect1d(a[0], b[0], assume_unique=True, return_indices=True)
    return float(a[1][i] @ b[1][j])


def add(a: SparseVector, b: SparseVector, keep: int) -> SparseVector:
    """``a + b`` with only its ``keep`` largest entries (a bounded sum of vectors)."""
    columns, where = np.unique(np.concatenate([a[0], b[0]]), return_inverse=True)
    values = np.bincount(where, weights=np.concatenate([a[1], b[1]])).astype(np.float32)
    if len(columns) > keep:
        top = np.sort(np.argpartition(-values, keep)[:keep])
        columns, values = columns[top], values[top]
    return columns, values


def dots(a: Sequence[SparseVector], b: Sequence[SparseVector]) -> np.ndarray:
    """Every vector of ``a`` dotted with every vector of ``b`` (a dense len(a) x len(b) array).

    Only the columns ``a`` uses can add to a product, so both sides are laid out densely on
    those columns alone (a few hundred for the claims of an article) and multiplied there:
    numpy throughout, as a sparse product in the full hashed space costs as much as its
    2^18 columns whatever the vectors hold.
    """
    if not a or not b:
        return np.zeros((len(a), len(b)), dtype=np.float32)
    columns = np.unique(np.concatenate([v[0] for v in a]))
    product: np.ndarray = _dense(a, columns) @ _dense(b, columns).T
    return product


def cosines(a: Sequence[SparseVector], b: Sequence[SparseVector], ignore: np.ndarray) -> np.ndarray:
    """The cosines of every unit vector of ``a`` with every one of ``b`` (as :func:`dots`)
    with the columns ``ignore`` (sorted, distinct) left out of both: the words two texts
    share beyond those. A vector made of ignored words alone has cosine 0 with all.
    """
    if not len(ignore):
        return dots(a, b)
    if not a or not b:
        return np.zeros((len(a), len(b)), dtype=np.float32)
    # As in dots, laid out on a's columns, with the ignored ones added for b's norms.
    columns = np.union1d(np.concatenate([v[0] for v in a]), ignore)
    left, right = _dense(a, columns), _dense(b, columns)
    ignored = np.searchsorted(columns, ignore)
    # Unit vectors: what is left of each norm is 1 minus the squares of the ignored entries.
    left_norms = np.sqrt(np.maximum(1.0 - np.square(left[:, ignored]).sum(axis=1), 0.0))
    right_norms = np.sqrt(np.maximum(1.0 - np.square(right[:, ignored]).sum(axis=1), 0.0))
    left[:, ignored] = 0.0
    product = left @ right.T
    scale = np.outer(left_norms, right_norms)
    out: np.ndarray = np.divide(product, scale, out=np.zeros_like(product), where=scale > 1e-6)
    return out


def _dense(rows: Sequence[SparseVector], columns: np.ndarray) -> np.ndarray:
    """``rows`` as a dense len(rows) x len(columns) array, entries outside ``columns`` dropped."""
    out = np.zeros((len(rows), len(columns)), dtype=np.float32)
    indices = np.concatenate([r[0] for r in rows])
    values = np.concatenate([r[1] for r in rows])
    row_of = np.repeat(np.arange(len(rows)), [len(r[0]) for r in rows])
    where = np.searchsorted(columns, indices)
    kept = (where < len(columns)) & (columns[np.minimum(where, len(columns) - 1)] == indices)
    out[row_of[kept], where[kept]] = values[kept]
    return out
