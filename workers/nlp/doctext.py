"""The text of a parsed ``Doc``, built once per doc.

spaCy rebuilds ``Doc.text`` from its tokens on every access, which costs as much as
a pass that makes a Python object of every token. Entity grouping and claim
extraction both need it, so the first to ask keeps it in ``Doc.user_data``; the
enrichment, which knows the text it parsed, hands it over at once (:func:`remember_text`).
"""

from __future__ import annotations

from typing import Final

from spacy.tokens import Doc

__all__ = ["doc_text", "remember_text"]

_KEY: Final = "newsflow.text"


def doc_text(doc: Doc) -> str:
    """``doc.text``, memoised on the doc (a doc's text never changes)."""
    text = doc.user_data.get(_KEY)
    if not isinstance(text, str):
        text = doc.text
        doc.user_data[_KEY] = text
    return text


def remember_text(doc: Doc, text: str) -> Doc:
    """``doc``, knowing that its text is ``text`` (the string it was parsed from: spaCy's
    tokenization keeps every character), so :func:`doc_text` need not rebuild it.

    Raises:
        ValueError: [E204] ``text`` does not end where the doc's last token ends.
    """
    end = doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0
    if end != len(text):
        raise ValueError(f"[E204] a doc of {end} characters cannot have a text of {len(text)}")
    doc.user_data[_KEY] = text
    return doc
