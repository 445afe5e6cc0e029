"""Fixtures for the enrichment core: parse text with the real English pipeline."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from spacy.language import Language
from spacy.tokens import Doc, Span


@pytest.fixture
def parse(nlp: Language) -> Callable[[str], Doc]:
    """Factory: a parsed ``Doc`` for a text (the pipeline is loaded once per session)."""
    return nlp


@pytest.fixture
def parse_with_ents(nlp: Language) -> Callable[..., Doc]:
    """Factory: a parsed ``Doc`` whose entities are replaced by the given ones.

    Pins spaCy's NER output so a test can state what the grouping does with it,
    e.g. ``parse_with_ents("Mr Smith left.", [("Mr Smith", "PERSON")])``; each
    phrase is matched at its first occurrence after the previous one.
    """

    def make(text: str, ents: list[tuple[str, str]]) -> Doc:
        doc = nlp(text)
        spans: list[Span] = []
        at = 0
        for phrase, label in ents:
            start = text.index(phrase, at)
            span = doc.char_span(start, start + len(phrase), label=label)
            assert span is not None, f"{phrase!r} is not on token boundaries"
            spans.append(span)
            at = start + len(phrase)
        doc.ents = spans
        return doc

    return make
