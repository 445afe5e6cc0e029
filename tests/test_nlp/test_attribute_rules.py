"""The attribute rules by lookup set what spaCy's attribute ruler sets, token for token."""

from __future__ import annotations

import random

import numpy
import orjson
import pytest
import spacy
from spacy.attrs import DEP, LEMMA, MORPH, POS, TAG
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc

from tests.conftest import SEEDS
from workers.nlp.attribute_rules import compile_rules, use_attribute_rules
from workers.settings import DEFAULT_MODEL

# Words the ruler's exceptions are about: contractions, slang, pronoun case, expletives.
TRICKY = (
    "Y'all gonna see it. I'm not gonna lie, c'mon, let's go. It ain't so, and there is a man.\n\n"
    "She gets it; he got it. I saw you and you saw me, but it saw them. Do you? That did."
)


@pytest.fixture(scope="module")
def stock() -> Language:
    return spacy.load(DEFAULT_MODEL)


def _before_ruler(stock: Language, text: str) -> spacy.tokens.Doc:
    with stock.select_pipes(disable=["attribute_ruler", "lemmatizer", "ner"]):
        return stock(text)


def _texts() -> list[str]:
    lines = (SEEDS / "wikinews" / "wikinews.jsonl").read_bytes().splitlines()[:4]
    bodies = [p.read_text() for p in sorted(SEEDS.glob("*.txt"))] + [orjson.loads(line)["body"] for line in lines]
    return [TRICKY, "", "   \n ", "THE MINISTER SAID IT WOULD RAIN.", *bodies]


def test_rules_compile_from_the_models_ruler(stock: Language) -> None:
    assert compile_rules(stock.get_pipe("attribute_ruler")) is not None


def test_rules_find_the_matches_of_the_ruler_in_its_order(stock: Language) -> None:
    ruler = stock.get_pipe("attribute_ruler")
    rules = compile_rules(ruler)
    assert rules is not None
    for text in _texts():
        doc = _before_ruler(stock, text)
        expected = [(int(stock.vocab.strings[m]), s, e) for _, m, s, e in ruler.match(doc)]
        assert rules.matches(doc) == expected


def test_rules_set_the_attributes_the_ruler_sets(stock: Language) -> None:
    ruler = stock.get_pipe("attribute_ruler")
    rules = compile_rules(ruler)
    assert rules is not None
    for text in _texts():
        doc = _before_ruler(stock, text)
        by_ruler, by_rules = ruler(doc.copy()), rules(doc.copy())
        columns = [POS, TAG, MORPH, LEMMA, DEP]
        assert numpy.array_equal(by_ruler.to_array(columns), by_rules.to_array(columns)), text[:40]
        assert [str(t.morph) for t in by_ruler] == [str(t.morph) for t in by_rules]


def test_a_rule_on_an_attribute_not_handled_keeps_the_ruler() -> None:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    assert isinstance(ruler, AttributeRuler)
    ruler.add([[{"LENGTH": 3}]], {"TAG": "X"})
    assert compile_rules(ruler) is None
    assert use_attribute_rules(nlp) is False
    assert nlp.pipe_names == ["attribute_ruler"]


def test_a_pattern_with_an_operator_keeps_the_ruler() -> None:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    assert isinstance(ruler, AttributeRuler)
    ruler.add([[{"LOWER": "a", "OP": "+"}]], {"TAG": "X"})
    assert compile_rules(ruler) is None


def test_later_rules_override_earlier_ones_as_in_the_ruler() -> None:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    assert isinstance(ruler, AttributeRuler)
    ruler.add([[{"LOWER": "time"}]], {"TAG": "NN"})
    ruler.add([[{"LOWER": "time"}, {"LOWER": "flies"}]], {"TAG": "VB"}, index=0)
    ruler.add([[{"LOWER": {"IN": ["flies", "arrows"]}}]], {"TAG": "NNS"})
    ruler.add([[{"LOWER": {"REGEX": "^l[io]ke$"}}]], {"TAG": "IN", "LEMMA": "like"})
    rules = compile_rules(ruler)
    assert rules is not None
    doc = nlp.make_doc("Time flies like an arrow, time arrows")
    assert [t.tag_ for t in rules(doc.copy())] == [t.tag_ for t in ruler(doc.copy())]
    assert [t.tag_ for t in rules(doc)] == ["VB", "NNS", "IN", "", "", "", "NN", "NNS"]


def _crafted_ruler() -> tuple[Language, AttributeRuler]:
    """Rules of every kind the lookup handles, overlapping on the same tokens."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    assert isinstance(ruler, AttributeRuler)
    ruler.add([[{"TAG": "NN"}]], {"POS": "NOUN", "MORPH": "Number=Sing"})
    ruler.add([[{"TAG": {"IN": ["VB", "VBZ"]}}]], {"POS": "VERB", "LEMMA": "be"})
    ruler.add([[{"LOWER": {"REGEX": "^x"}}, {"TAG": "NN"}]], {"POS": "PROPN", "LEMMA": "ex"}, index=-1)
    ruler.add([[{"LOWER": {"REGEX": "s$"}, "TAG": {"NOT_IN": ["VBZ", ""]}}]], {"MORPH": "Number=Plur"})
    ruler.add(
        [[{"DEP": "nsubj"}, {"IS_PUNCT": False, "LOWER": {"NOT_IN": ["is"]}}, {"TAG": "NN", "LOWER": {"REGEX": "o"}}]],
        {"TAG": "NNP", "POS": "PROPN"},
        index=1,
    )
    ruler.add([[{"IS_SPACE": True}]], {"POS": "SPACE", "TAG": "_SP", "MORPH": "_"})
    ruler.add([[{"LOWER": "y"}], [{"ORTH": "Y"}]], {"LEMMA": "why", "DEP": "dep"})
    ruler.add([[{"LOWER": {"IN": ["is", "box"]}, "DEP": {"IN": ["ROOT", "dobj"]}}, {}]], {"POS": "AUX"})
    ruler.add([[{"TAG": "NN", "IS_ALPHA": True}]], {"MORPH": "Gender=Neut"})
    return nlp, ruler


def _random_doc(nlp: Language, rng: random.Random) -> Doc:
    n = rng.randrange(0, 9)
    words = [rng.choice(["x", "xo", "box", "is", "Is", "Y", "y", "cats", ",", " ", "ox", "s", "so"]) for _ in range(n)]
    return Doc(
        nlp.vocab,
        words=words,
        spaces=[False] * n,
        tags=[rng.choice(["NN", "VB", "VBZ", "DT", "_SP", ""]) for _ in range(n)],
        deps=[rng.choice(["nsubj", "dobj", "ROOT", ""]) for _ in range(n)],
        heads=[rng.randrange(0, n) for _ in range(n)],
    )


def test_crafted_rules_match_and_set_as_the_ruler_on_random_docs() -> None:
    # Multi-token patterns (also at the doc's end and longer than the doc), several
    # regexes on one attribute, NOT_IN, flags, alternatives and overlapping rules.
    nlp, ruler = _crafted_ruler()
    rules = compile_rules(ruler)
    assert rules is not None
    rng = random.Random(7)
    columns = [POS, TAG, MORPH, LEMMA, DEP]
    for _ in range(400):
        doc = _random_doc(nlp, rng)
        expected = [(int(nlp.vocab.strings[m]), s, e) for _, m, s, e in ruler.match(doc)]
        assert rules.matches(doc) == expected, [t.text for t in doc]
        by_ruler, by_rules = ruler(doc.copy()), rules(doc.copy())
        assert numpy.array_equal(by_ruler.to_array(columns), by_rules.to_array(columns)), [t.text for t in doc]


def test_a_ruler_testing_no_attribute_or_too_many_regexes_keeps_the_ruler() -> None:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    assert isinstance(ruler, AttributeRuler)
    ruler.add([[{}]], {"TAG": "X"})
    assert compile_rules(ruler) is None
    ruler.add([[{"LOWER": {"REGEX": f"^{letter}"}}] for letter in "abcdefghi"], {"TAG": "Y"})
    assert compile_rules(ruler) is None


def test_the_loaded_pipeline_uses_the_rules_in_the_rulers_place(nlp: Language) -> None:
    assert "attribute_ruler" not in nlp.pipe_names
    assert nlp.pipe_names.index("newsflow_attribute_ruler") == nlp.pipe_names.index("parser") + 1
