"""Remembered lemmas are the rule lemmatizer's own."""

from __future__ import annotations

import orjson
import pytest
import spacy
from spacy.language import Language

from tests.conftest import SEEDS
from workers.nlp.lemmas import RememberedLemmas, use_remembered_lemmas
from workers.settings import DEFAULT_MODEL

TEXT = (
    "The mice were running faster than the cats ran. She has better ideas; they had the best.\n"
    "Officials said the talks would resume, and were resuming. Y'all gonna see it, ain't it?"
)


@pytest.fixture(scope="module")
def stock() -> Language:
    return spacy.load(DEFAULT_MODEL)


def _before_lemmas(stock: Language, text: str) -> spacy.tokens.Doc:
    with stock.select_pipes(disable=["lemmatizer", "ner"]):
        return stock(text)


def test_remembered_lemmas_equal_the_lemmatizers(stock: Language) -> None:
    lemmatizer = stock.get_pipe("lemmatizer")
    remembered = RememberedLemmas(lemmatizer)
    lines = (SEEDS / "wikinews" / "wikinews.jsonl").read_bytes().splitlines()[:4]
    bodies = [p.read_text() for p in sorted(SEEDS.glob("*.txt"))] + [orjson.loads(line)["body"] for line in lines]
    for text in [TEXT, TEXT, "", *bodies]:
        doc = _before_lemmas(stock, text)
        assert [t.lemma_ for t in remembered(doc.copy())] == [t.lemma_ for t in lemmatizer(doc.copy())]


def test_a_lemma_the_attribute_ruler_set_is_kept(stock: Language) -> None:
    doc = _before_lemmas(stock, "You gonna go?")
    assert [t.lemma_ for t in doc][1:3] == ["go", "to"]  # set by the ruler's slang rule
    assert [t.lemma_ for t in RememberedLemmas(stock.get_pipe("lemmatizer"))(doc)][1:3] == ["go", "to"]


def test_forms_past_the_limit_are_forgotten_and_asked_again(stock: Language) -> None:
    remembered = RememberedLemmas(stock.get_pipe("lemmatizer"), max_remembered=3)
    remembered(_before_lemmas(stock, TEXT))
    doc = remembered(_before_lemmas(stock, "Cats ran."))
    assert [t.lemma_ for t in doc] == ["cat", "run", "."]
    assert len(remembered._lemmas) == 3


def test_a_lookup_lemmatizer_is_kept() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    assert use_remembered_lemmas(nlp) is False
    assert nlp.pipe_names == ["lemmatizer"]


def test_the_loaded_pipeline_remembers_lemmas_in_the_lemmatizers_place(nlp: Language) -> None:
    assert "lemmatizer" not in nlp.pipe_names
    assert "newsflow_lemmatizer" in nlp.pipe_names
