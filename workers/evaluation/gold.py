"""Gold standard files: loading them into typed documents.

A gold file is ``.json`` (one document) or ``.jsonl`` (one a line). A document is
``{id, text, title?, published_at?, source?, entities?, claims?}`` with code-point
offsets into ``text``, end exclusive. ``entities`` are ``{text, label, start, end,
canonical?}``; ``claims`` are ``{claimant: span | null, claimant_resolved?, cue: span
+ lemma, content: span, kind?, stance?, broad?}``, ``kind`` one of :data:`GOLD_KINDS`
and ``broad: true`` marking a claim only the broad definition counts (speech acts
beyond saying, beliefs, non-human evidence, nominal reports). A document without
``entities`` (or without ``claims``) is not scored on them, which is not the same as
an empty list. Other fields are ignored.

The label scheme is read from the labels: a file whose labels are all CoNLL's
(PER, LOC, ORG, MISC) is scored in CoNLL terms, anything else in OntoNotes terms.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from workers.evaluation.constructions import construction
from workers.evaluation.exceptions import GoldError
from workers.evaluation.manifest import Status

__all__ = [
    "CONLL_LABELS",
    "GOLD_KINDS",
    "GoldClaim",
    "GoldDocument",
    "GoldEntity",
    "GoldSet",
    "GoldSpan",
    "Scheme",
    "documents_with",
    "load_gold",
]

Scheme = Literal["ontonotes", "conll"]
CONLL_LABELS: Final = frozenset({"PER", "LOC", "ORG", "MISC"})
#: The claim kinds a gold file may give, in report order.
GOLD_KINDS: Final = ("direct", "indirect", "mixed", "belief")


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
    """One annotated claim; ``claimant_resolved`` names whom a pronoun stands for;
    ``broad``: only the broad definition of a claim counts it."""

    claimant: GoldSpan | None
    claimant_resolved: str | None
    cue: GoldSpan
    content: GoldSpan
    stance: str | None
    kind: str | None = None
    broad: bool = False
    #: How the text attributes it (:mod:`workers.evaluation.constructions`); set by the loader.
    construction: str = ""


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
    """The documents of one gold file, the label scheme they use, and the set's
    status in the manifest (see :mod:`workers.evaluation.manifest`)."""

    name: str
    scheme: Scheme
    documents: tuple[GoldDocument, ...]
    status: Status = "unlabelled"
    why: str = ""


def load_gold(path: Path, *, status: Status = "unlabelled", why: str = "") -> GoldSet:
    """Load one gold file, labelled with its ``status`` and the reason ``why``.

    Raises:
        GoldError: the file cannot be read, a span does not quote its text, or a
            claim's ``kind`` or ``broad`` is not one the format allows.
    """
    try:
        documents = tuple(_document(record, path) for record in _records(path))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise GoldError(f"[E801] cannot load gold file {path}: {exc}") from None
    labels = {e.label for d in documents for e in d.entities or ()}
    scheme: Scheme = "conll" if labels and labels <= CONLL_LABELS else "ontonotes"
    name = path.name.split(".")[0]
    return GoldSet(name=name, scheme=scheme, documents=documents, status=status, why=why)


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
    kind = value.get("kind")
    if kind is not None and kind not in GOLD_KINDS:
        raise ValueError(f"claim kind {kind!r} is not one of {', '.join(GOLD_KINDS)}")
    broad = value.get("broad", False)
    if not isinstance(broad, bool):
        raise ValueError(f"claim 'broad' must be true or false, not {broad!r}")
    cue, content = _span(value["cue"], text), _span(value["content"], text)
    return GoldClaim(
        claimant=_span(claimant, text) if claimant else None,
        claimant_resolved=value.get("claimant_resolved"),
        cue=cue,
        content=content,
        stance=value.get("stance"),
        kind=kind,
        broad=broad,
        construction=construction((cue.start, cue.end), (content.start, content.end), text),
    )


def documents_with(gold: GoldSet, what: Literal["entities", "claims"]) -> Sequence[GoldDocument]:
    """The documents of ``gold`` annotated with ``what``."""
    return [d for d in gold.documents if getattr(d, what) is not None]
