"""Behaviour of content spans: direct, mixed or indirect."""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc

from workers.models import Claim
from workers.nlp.article_index import ArticleIndex
from workers.nlp.claims import extract_claims
from workers.nlp.content_spans import quote_content, span_content
from workers.nlp.entities import group_entities

Parse = Callable[[str], Doc]


def _claims(parse: Parse, text: str) -> list[Claim]:
    doc = parse(text)
    return extract_claims(doc, group_entities(doc), article_id="t")


def _index(parse: Parse, text: str) -> ArticleIndex:
    doc = parse(text)
    return ArticleIndex(doc, group_entities(doc))


def _one(parse: Parse, text: str) -> Claim:
    claims = _claims(parse, text)
    assert len(claims) == 1, claims
    return claims[0]


def test_quoted_fragment_in_reported_speech_is_mixed(parse: Parse) -> None:
    claim = _one(parse, 'The minister said the plan was "dead on arrival".')
    assert (claim.kind, claim.content.text) == ("mixed", 'the plan was "dead on arrival"')


def test_quotation_content_drops_its_marks_and_the_comma_before_the_close(parse: Parse) -> None:
    article = _index(parse, "“We will rebuild the bridge,” the mayor said.")
    content = quote_content(article, article.quotes.all[0])
    assert content is not None and content.kind == "direct"
    assert article.text[content.start : content.end] == "We will rebuild the bridge"


def test_full_stop_of_an_abbreviation_at_the_close_is_kept(parse: Parse) -> None:
    article = _index(parse, "“We are leaving the U.S.” she said.")
    content = quote_content(article, article.quotes.all[0])
    assert content is not None and article.text[content.start : content.end] == "We are leaving the U.S."


def test_span_inside_one_quotation_is_that_quotation(parse: Parse) -> None:
    text = "“We will win,” the coach said."
    article = _index(parse, text)
    content = span_content(article, text.index("We"), text.index("win") + len("win"))
    assert content is not None and content.kind == "direct"
    assert text[content.start : content.end] == "We will win"


def test_span_ending_inside_a_quotation_keeps_its_closing_mark(parse: Parse) -> None:
    text = 'He said the plan was "dead on arrival".'
    article = _index(parse, text)
    content = span_content(article, text.index("the plan"), text.index("arrival") + len("arrival"))
    assert content is not None and content.kind == "mixed"
    assert text[content.start : content.end] == 'the plan was "dead on arrival"'


def test_span_without_a_quotation_is_indirect(parse: Parse) -> None:
    text = "The bridge would reopen."
    content = span_content(_index(parse, text), 0, len(text) - 1)
    assert content is not None and content.kind == "indirect"
