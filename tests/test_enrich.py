from __future__ import annotations

import orjson
from spacy.language import Language

from tests.checks import assert_spans_index_body
from workers.enrich import Enricher, minibatches, split_at_whitespace
from workers.events import encode
from workers.models import RawArticle

TEXT = "The mayor of Boston said on Monday that the bridge would reopen.\n"


def as_dict(article: object) -> dict:  # type: ignore[type-arg]
    return orjson.loads(encode(article))


def test_pieces_concatenate_to_the_text_and_respect_the_size() -> None:
    for text in ["a" * 1000, "word " * 300, "line\n" * 300, "short"]:
        pieces = split_at_whitespace(text, 100)
        assert "".join(pieces) == text
        assert all(len(p) <= 100 for p in pieces)


def test_pieces_end_after_a_newline_when_there_is_one() -> None:
    pieces = split_at_whitespace("para one.\n" * 30, 100)
    assert all(p.endswith("\n") for p in pieces)


def test_long_body_parsed_in_pieces_gives_exact_spans(nlp: Language) -> None:
    body = TEXT * 40
    chunked = as_dict(Enricher(nlp, chunk_chars=500, clock=lambda: "t")(RawArticle("x", body)))
    assert_spans_index_body(chunked)
    assert sum(len(e["mentions"]) for e in chunked["entities"] if e["name"] == "Boston") == 40
    assert len(chunked["claims"]) == 40


def test_batch_and_single_enrichment_agree(nlp: Language) -> None:
    enricher = Enricher(nlp, clock=lambda: "t")
    articles = [RawArticle(f"a{i}", TEXT * (i + 1)) for i in range(3)]
    assert [as_dict(a) for a in enricher.enrich_batch(articles)] == [as_dict(enricher(a)) for a in articles]


def test_text_without_punctuation_or_spaces_is_enriched_in_bounded_pieces(nlp: Language) -> None:
    body = "x" * 3000
    article = as_dict(Enricher(nlp, chunk_chars=1000, clock=lambda: "t")(RawArticle("x", body)))
    assert article["body"] == body and article["claims"] == []


def test_passthrough_publishes_the_article_without_nlp() -> None:
    article = as_dict(Enricher(None, clock=lambda: "t")(RawArticle("p", TEXT)))
    batch = [as_dict(a) for a in Enricher(None, clock=lambda: "t").enrich_batch([RawArticle("p", TEXT)])]
    assert (article["entities"], article["claims"], article["processing"]["model"]) == ([], [], "none")
    assert batch == [article]


def test_minibatches_respect_the_character_budget_and_keep_order() -> None:
    texts = ["a" * 5, "b" * 5, "c" * 20, "d" * 3]
    groups = list(minibatches(texts, 10))
    assert groups == [["a" * 5, "b" * 5], ["c" * 20], ["d" * 3]]


def test_small_pipe_budget_gives_the_same_enrichment(nlp: Language) -> None:
    articles = [RawArticle(f"a{i}", TEXT * (i + 1)) for i in range(4)]
    small = Enricher(nlp, clock=lambda: "t", pipe_chars=100).enrich_batch(articles)
    large = Enricher(nlp, clock=lambda: "t").enrich_batch(articles)
    assert [as_dict(a) for a in small] == [as_dict(a) for a in large]
