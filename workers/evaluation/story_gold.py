"""Story gold files: a stream of raw articles labelled with their story and claim links.

A story set is a ``.jsonl`` file, one raw article a line **in stream order**:
``{id, title, body, source, published_at, story, links?, composed?}``. ``story`` is
the gold story label (articles with one label report one real-world event);
``published_at`` is ISO 8601 with a zone. ``links`` are the claim links whose later
claim is in this article::

    {"kind": "contradicts" | "corroborates",
     "content": "<the claim's content, quoted exactly from this article's body>",
     "other_article": "<id of an earlier article of the file>",
     "other_content": "<the other claim's content, quoted exactly from that article's body>"}

A content must occur exactly once in its body (so it names one span). A file is a
story set when its first record carries ``story`` (:func:`is_story_file`); every
record must then carry it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Literal

from workers.evaluation.exceptions import GoldError
from workers.evaluation.manifest import Status

__all__ = ["LINK_KINDS", "GoldLink", "StoryDocument", "StorySet", "is_story_file", "load_story_gold"]

GoldLinkKind = Literal["contradicts", "corroborates"]
#: The claim-link kinds, in report order.
LINK_KINDS: Final[tuple[GoldLinkKind, ...]] = ("contradicts", "corroborates")


@dataclass(frozen=True, slots=True)
class GoldLink:
    """A gold claim link: the claim ``span`` of ``article`` and ``other_span`` of the
    earlier ``other_article`` (code-point offsets into their bodies, end exclusive)."""

    kind: GoldLinkKind
    article: str
    span: tuple[int, int]
    other_article: str
    other_span: tuple[int, int]


@dataclass(frozen=True, slots=True)
class StoryDocument:
    """One raw article of a story set."""

    id: str
    title: str | None
    body: str
    source: str | None
    published_at: str
    story: str
    links: tuple[GoldLink, ...]
    composed: bool = False


@dataclass(frozen=True, slots=True)
class StorySet:
    """The articles of one story gold file, in stream order, and its manifest status."""

    name: str
    documents: tuple[StoryDocument, ...]
    status: Status = "unlabelled"
    why: str = ""

    @property
    def links(self) -> tuple[GoldLink, ...]:
        return tuple(link for d in self.documents for link in d.links)


def is_story_file(path: Path) -> bool:
    """Whether ``path`` is a story set: a ``.jsonl`` file whose first record has ``story``.
    An unreadable file is not (the claims loader then reports it)."""
    if path.suffix != ".jsonl":
        return False
    try:
        record = next(_records(path), None)
    except (OSError, ValueError):
        return False
    return isinstance(record, dict) and "story" in record


def load_story_gold(path: Path, *, status: Status = "unlabelled", why: str = "") -> StorySet:
    """Load one story gold file, labelled with its ``status`` and the reason ``why``.

    Raises:
        GoldError: ``[E801]`` the file cannot be read, a record lacks a field, an id
            repeats, a time has no zone, a link's kind is unknown, its other article is
            not an earlier one, or a content is not quoted exactly once from its body.
    """
    documents: list[StoryDocument] = []
    bodies: dict[str, str] = {}
    try:
        for number, record in enumerate(_records(path), 1):
            try:
                document = _document(record, bodies)
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"line {number}: {exc}") from None
            bodies[document.id] = document.body
            documents.append(document)
    except (OSError, ValueError) as exc:
        raise GoldError(f"[E801] cannot load story gold file {path}: {exc}") from None
    return StorySet(path.name.split(".")[0], tuple(documents), status, why)


def _records(path: Path) -> Iterator[Any]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def _document(record: dict[str, Any], earlier: dict[str, str]) -> StoryDocument:
    article_id, body, story = str(record["id"]), record["body"], record["story"]
    if not isinstance(body, str) or not body.strip():
        raise ValueError(f"article {article_id!r} has no body")
    if not isinstance(story, str) or not story:
        raise ValueError(f"article {article_id!r} has no story label")
    if article_id in earlier:
        raise ValueError(f"article id {article_id!r} repeats")
    published_at = str(record["published_at"])
    if datetime.fromisoformat(published_at.replace("Z", "+00:00")).tzinfo is None:
        raise ValueError(f"article {article_id!r}: published_at {published_at!r} has no zone")
    links = tuple(_link(value, article_id, body, earlier) for value in record.get("links") or ())
    return StoryDocument(
        id=article_id,
        title=record.get("title"),
        body=body,
        source=record.get("source"),
        published_at=published_at,
        story=story,
        links=links,
        composed=bool(record.get("composed", False)),
    )


def _link(value: dict[str, Any], article_id: str, body: str, earlier: dict[str, str]) -> GoldLink:
    kind = value["kind"]
    if kind not in LINK_KINDS:
        raise ValueError(f"link kind {kind!r} is not one of {', '.join(LINK_KINDS)}")
    other = str(value["other_article"])
    if other not in earlier:
        raise ValueError(f"a link of {article_id!r} names {other!r}, which is not an earlier article of the file")
    return GoldLink(
        kind=kind,
        article=article_id,
        span=_quoted(str(value["content"]), body, article_id),
        other_article=other,
        other_span=_quoted(str(value["other_content"]), earlier[other], other),
    )


def _quoted(content: str, body: str, article_id: str) -> tuple[int, int]:
    """The span of ``content`` in ``body``: it must occur there, and only once."""
    count = body.count(content) if content else 0
    if count != 1:
        where = "does not occur in" if count == 0 else f"occurs {count} times in"
        raise ValueError(f"link content {content!r} {where} the body of {article_id!r}")
    start = body.index(content)
    return start, start + len(content)
