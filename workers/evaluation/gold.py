"""Gold standard files: loading them into typed documents.

A gold file is ``.json`` (one document) or ``.jsonl`` (one a line). A document is
``{id, text, title?, published_at?, entities?, claims?}`` with code-point offsets
into ``text``, end exclusive. ``entities`` are ``{text, label, start, end}``;
``claims`` are ``{claimant: span | null, claimant_resolved?, cue: span + lemma,
content: span, kind?, stance?}``. A document without ``entities`` (or without
``claims``) is not scored on them, which is not the same as an empty list.

The label scheme is read from the labels: a file whose labels are all CoNLL's
(PER, LOC, ORG, MISC) is scored in CoNLL terms, anything else in OntoNotes terms.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from workers.evaluation.exceptions import GoldError

__all__ = [
    "CONLL_LABELS",
    "GoldClaim",
    "GoldDocument",
    "GoldEntity",
    "GoldSet",
    "GoldSpan",
    "Scheme",
    "default_gold_paths",
    "documents_with",
    "load_gold",
]

Scheme = Literal["ontonotes", "conll"]
CONLL_LABELS: Final = frozenset({"PER", "LOC", "ORG", "MISC"})
#: Where ``newsflow eval`` finds its gold files when given none.
GOLD_DIR: Final = Path(__file__).resolve().parents[2] / "seeds" / "eval"


@dataclass(frozen=True, slots=True)
class GoldSpan:
    """A stretch of a gold document's text."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class GoldEntity:
    """One annotated entity mention."""

    start: int
    end: int
    label: str


@dataclass(frozen=True, slots=True)
class GoldClaim:
    """One annotated claim; ``claimant_resolved`` names whom a pronoun stands for."""

    claimant: GoldSpan | None
    claimant_resolved: str | None
    cue: GoldSpan
    content: GoldSpan
    stance: str | None


@dataclass(frozen=True, slots=True)
class GoldDocument:
    """One annotated text."""

    id: str
    text: str
    title: str | None
    published_at: str | None
    entities: tuple[GoldEntity, ...] | None
    claims: tuple[GoldClaim, ...] | None


@dataclass(frozen=True, slots=True)
class GoldSet:
    """The documents of one gold file, and the label scheme they use."""

    name: str
    scheme: Scheme
    documents: tuple[GoldDocument, ...]


def default_gold_paths() -> list[Path]:
    """The gold files shipped in ``seeds/eval/``, in name order.

    Raises:
        GoldError: the directory holds none (not a full checkout?).
    """
    paths = sorted(p for p in GOLD_DIR.glob("*") if p.suffix in (".json", ".jsonl"))
    if not paths:
        raise GoldError(f"[E401] no gold files in {GOLD_DIR}")
    return paths


def load_gold(path: Path) -> GoldSet:
    """Load one gold file.

    Raises:
        GoldError: the file cannot be read, or a span does not quote its text.
    """
    try:
        documents = tuple(_document(record, path) for record in _records(path))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise GoldError(f"[E401] cannot load gold file {path}: {exc}") from None
    labels = {e.label for d in documents for e in d.entities or ()}
    scheme: Scheme = "conll" if labels and labels <= CONLL_LABELS else "ontonotes"
    name = path.name.split(".")[0]
    return GoldSet(name=name, scheme=scheme, documents=documents)


def _records(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        if path.suffix == ".jsonl":
            for line in f:
                if line.strip():
                    yield json.loads(line)
        else:
            yield json.load(f)


def _document(record: dict[str, Any], path: Path) -> GoldDocument:
    text: str = record["text"]
    entities = record.get("entities")
    claims = record.get("claims")
    doc = GoldDocument(
        id=str(record["id"]),
        text=text,
        title=record.get("title"),
        published_at=record.get("published_at"),
        entities=None if entities is None else tuple(_entity(e, text) for e in entities),
        claims=None if claims is None else tuple(_claim(c, text) for c in claims),
    )
    return doc


def _span(value: dict[str, Any], text: str) -> GoldSpan:
    span = GoldSpan(str(value["text"]), int(value["start"]), int(value["end"]))
    if text[span.start : span.end] != span.text:
        raise ValueError(f"span {span.text!r} at {span.start} does not quote the text")
    return span


def _entity(value: dict[str, Any], text: str) -> GoldEntity:
    span = _span(value, text)
    return GoldEntity(span.start, span.end, str(value["label"]))


def _claim(value: dict[str, Any], text: str) -> GoldClaim:
    claimant = value.get("claimant")
    return GoldClaim(
        claimant=_span(claimant, text) if claimant else None,
        claimant_resolved=value.get("claimant_resolved"),
        cue=_span(value["cue"], text),
        content=_span(value["content"], text),
        stance=value.get("stance"),
    )


def documents_with(gold: GoldSet, what: Literal["entities", "claims"]) -> Sequence[GoldDocument]:
    """The documents of ``gold`` annotated with ``what``."""
    return [d for d in gold.documents if getattr(d, what) is not None]
