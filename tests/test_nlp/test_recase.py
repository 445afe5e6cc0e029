"""Behaviour of all-caps recasing for the NER, and of the Enricher's use of it."""

from __future__ import annotations

from spacy.language import Language

from workers.models import RawArticle
from workers.nlp.recase import recase, restore
from workers.pipeline.enrich import Enricher


def test_ordinary_text_is_not_recased() -> None:
    assert recase("The BBC and the UN said so.") is None


def test_shouted_line_gets_sentence_case_with_names_capitalised() -> None:
    text = "FLOODS HIT NORTHERN KENYA AS RAINS CONTINUE\nThe Red Cross said so."
    assert recase(text) == "Floods hit northern Kenya as rains continue\nThe Red Cross said so."


def test_words_written_as_names_elsewhere_stay_capitalised() -> None:
    text = "RED CROSS APPEALS FOR AID\nThe Red Cross said so."
    assert (recase(text) or "").startswith("Red Cross appeals for aid")


def test_dateline_place_is_recased() -> None:
    assert recase("NEW YORK, May 5 - Stocks rose.") == "New York, May 5 - Stocks rose."


def test_recasing_keeps_the_length() -> None:
    text = "ÉTATS-UNIS: MARKETS FALL AS FED MEETS\nBody."
    recased = recase(text)
    assert recased is not None and len(recased) == len(text)


def test_restored_doc_has_the_original_words_and_the_recased_entities(nlp: Language) -> None:
    text = "FLOODS HIT NORTHERN KENYA AS RAINS CONTINUE"
    doc = restore(nlp(recase(text) or text), text)
    assert doc.text == text
    assert ("KENYA", "GPE") in [(e.text, e.label_) for e in doc.ents]


def test_enricher_finds_entities_in_a_shouted_headline_at_the_original_offsets(nlp: Language) -> None:
    body = "FLOODS HIT NORTHERN KENYA AS RAINS CONTINUE\nNAIROBI, May 5 - Floods swept Kenya."
    article = Enricher(nlp)(RawArticle(id="a", body=body))
    mentions = {(m.text, e.label) for e in article.entities for m in e.mentions}
    assert {("KENYA", "GPE"), ("NAIROBI", "GPE")} <= mentions
    assert all(body[m.start : m.end] == m.text for e in article.entities for m in e.mentions)
