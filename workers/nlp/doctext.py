"""The text of a parsed ``Doc``, built once per doc.

spaCy rebuilds ``Doc.text`` from its tokens on every access, which costs as much as
a pass that makes a Python object of every token. Entity grouping and claim
extraction both need it, so the first to ask keeps it in ``Doc.user_data``.
"""

from __future__ import annotations

from typing import Final

from spacy.tokens import Doc

__all__ = ["doc_text"]

_KEY: Final = "newsflow.text"


def doc_text(doc: Doc) -> str:
    """``doc.text``, memoised on the doc (a doc's text never changes)."""
    text = doc.user_data.get(_KEY)
    if not isinstance(text, str):
        text = doc.text
        doc.user_data[_KEY] = text
    return text
