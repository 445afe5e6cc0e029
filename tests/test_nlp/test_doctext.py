"""Behaviour of ``doc_text``."""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc

from workers.nlp.doctext import doc_text

Parse = Callable[[str], Doc]


def test_doc_text_is_the_text_the_doc_was_made_from(parse: Parse) -> None:
    assert doc_text(parse("Hama fell on Thursday.\nIt was quiet.")) == "Hama fell on Thursday.\nIt was quiet."


def test_doc_text_is_built_once_per_doc(parse: Parse) -> None:
    doc = parse("Hama fell.")
    assert doc_text(doc) is doc_text(doc)
