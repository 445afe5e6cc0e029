"""Behaviour of ``doc_text``."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from spacy.tokens import Doc

from workers.nlp.doctext import doc_text, remember_text

Parse = Callable[[str], Doc]


def test_doc_text_is_the_text_the_doc_was_made_from(parse: Parse) -> None:
    assert doc_text(parse("Hama fell on Thursday.\nIt was quiet.")) == "Hama fell on Thursday.\nIt was quiet."


def test_doc_text_is_built_once_per_doc(parse: Parse) -> None:
    doc = parse("Hama fell.")
    assert doc_text(doc) is doc_text(doc)


def test_a_remembered_text_is_the_docs_text_without_rebuilding_it(parse: Parse) -> None:
    text = "Hama fell on Thursday.\nIt was quiet. "
    given = "".join(text)  # another string object with the same characters
    assert doc_text(remember_text(parse(text), given)) is given


def test_a_text_that_cannot_be_the_docs_is_refused(parse: Parse) -> None:
    with pytest.raises(ValueError, match="E204"):
        remember_text(parse("Hama fell."), "Hama fell on Thursday.")
