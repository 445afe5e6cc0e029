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

import math
from typing import Final

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

__all__ = ["N_FEATURES", "TextModel", "cosine"]

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

    def counts(self, text: str) -> sparse.csr_matrix:
        """The term counts of ``text`` (one row)."""
        return self._hashing.transform([text])

    def observe(self, counts: sparse.csr_matrix) -> None:
        """Count one more document holding the terms of ``counts``."""
        self.document_counts[counts.indices] += 1
        self.documents += 1

    def vector(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        """The unit TF-IDF vector of one document's ``counts``, by the frequencies so far
        (smoothed as scikit-learn's ``TfidfTransformer``: idf = ln((1 + n) / (1 + df)) + 1)."""
        row = counts.copy()
        row.data = (1.0 + np.log(row.data)) * self._idf(row.indices)
        norm = math.sqrt(float(row.data @ row.data))
        if norm:
            row.data /= norm
        return row

    def _idf(self, columns: np.ndarray) -> np.ndarray:
        df = self.document_counts[columns].astype(np.float32)
        idf: np.ndarray = np.log((1.0 + self.documents) / (1.0 + df)) + 1.0
        return idf


def cosine(a: sparse.csr_matrix, b: sparse.csr_matrix) -> float:
    """The cosine of two one-row vectors (unit vectors or sums of them, normalised here).

    Computed on the rows' stored columns (sorted, each once) rather than by sparse
    multiplication, which builds a matrix per call: the stage takes many cosines per
    article (each candidate story, each earlier claim).
    """
    a, b = _canonical(a), _canonical(b)
    _, ia, ib = np.intersect1d(a.indices, b.indices, assume_unique=True, return_indices=True)
    if not len(ia):
        return 0.0
    dot = float(a.data[ia].astype(np.float64) @ b.data[ib])
    na, nb = math.sqrt(float(a.data @ a.data)), math.sqrt(float(b.data @ b.data))
    return dot / (na * nb) if na and nb and dot else 0.0


def _canonical(m: sparse.csr_matrix) -> sparse.csr_matrix:
    """``m`` with each column stored once (a sum of rows may hold a column twice)."""
    if not m.has_canonical_format:
        m = m.copy()
        m.sum_duplicates()
    return m
