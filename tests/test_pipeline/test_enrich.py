from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from spacy.language import Language

from tests.checks import assert_spans_index_body
from workers.models import RawArticle
from workers.pipeline.enrich import Enricher, minibatches, split_at_whitespace
from workers.pipeline.events import encode

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


STORY = (
    "Prime Minister John Carter said on Monday that taxes would rise in the spring.\n"
    "“We have no choice,” Carter told reporters in Ottawa.\n"
    "“The deficit is larger than anyone expected.”\n"
    "The opposition leader, Maria Lopez, denied that the deficit had grown.\n"
)


def test_a_body_parsed_one_paragraph_a_chunk_is_enriched_as_in_one_piece(nlp: Language) -> None:
    # Every chunk border falls between paragraphs: the quotation that continues
    # Carter's speech, the surname that joins his full name and the entity grouping
    # all cross a border.
    body = STORY * 3
    longest = max(len(p) for p in body.split("\n")) + 1
    chunked = Enricher(nlp, chunk_chars=longest, pipe_chars=longest, clock=lambda: "t")(RawArticle("x", body))
    whole = Enricher(nlp, chunk_chars=len(body), pipe_chars=len(body), clock=lambda: "t")(RawArticle("x", body))
    assert as_dict(chunked) == as_dict(whole)
    continued = [c for c in chunked.claims if c.content.text.startswith("The deficit is larger")]
    assert len(continued) == 3 and all(c.claimant and c.claimant.text == "Carter" for c in continued)
    carter = [e for e in chunked.entities if e.name == "John Carter"]
    assert len(carter) == 1 and len(carter[0].mentions) == 6


def test_spacy_never_gets_more_than_the_character_budget_at_once(
    nlp: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes: list[int] = []
    pipe = nlp.pipe

    def spy(texts: list[str], **kwargs: Any) -> Iterator[Any]:
        sizes.append(sum(len(t) for t in texts))
        return pipe(texts, **kwargs)

    monkeypatch.setattr(nlp, "pipe", spy)
    body = STORY * 20
    articles = [RawArticle("long", body), RawArticle("short", STORY)]
    Enricher(nlp, chunk_chars=600, pipe_chars=600).enrich_batch(articles)
    assert sum(sizes) == len(body) + len(STORY)
    assert max(sizes) <= 600


def test_a_long_body_keeps_no_token_vectors(nlp: Language) -> None:
    doc = Enricher(nlp, chunk_chars=300)._parse_many([STORY * 4])[0]
    assert doc.tensor.size == 0 and len(doc.text) == len(STORY * 4)


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


def test_every_parsed_doc_knows_its_text_recased_chunked_or_not(nlp: Language) -> None:
    from workers.nlp.doctext import doc_text

    bodies = ["Hama fell on Thursday. It was quiet.", "BREAKING: HAMA FELL ON THURSDAY\nIt was quiet there.", STORY * 4]
    for doc, body in zip(Enricher(nlp, chunk_chars=300)._parse_many(bodies), bodies, strict=True):
        remembered = doc_text(doc)
        doc.user_data.clear()
        assert remembered == doc.text == body
