"""Read articles from files for ``newsflow enrich`` and ``newsflow feed``.

Formats, chosen by file name: ``.txt`` (one article a file, id = file stem), ``.json``
(one article), ``.jsonl`` (one article a line) and ``-`` (JSON lines on stdin). Values
are yielded as the bytes that would go on ``articles.raw``, unvalidated, so that a bad
line can still be fed (and end on the dead-letter topic) or reported by ``enrich``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from workers.exceptions import NewsflowError

__all__ = ["InputArticle", "count_inputs", "read_inputs"]

SUFFIXES = (".txt", ".json", ".jsonl")


@dataclass(frozen=True, slots=True)
class InputArticle:
    """One article as read: where it came from, its key (the id when known), its value."""

    origin: str
    key: bytes | None
    value: bytes


def read_inputs(paths: Iterable[str]) -> Iterator[InputArticle]:
    """Yield every article in ``paths`` (files, directories of them, or ``-``).

    Raises:
        NewsflowError: a path does not exist or has an unknown suffix.
    """
    for name in paths:
        if name == "-":
            yield from _lines(sys.stdin.buffer, "<stdin>")
            continue
        path = Path(name)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES):
                yield from _read_file(child)
        elif path.exists():
            yield from _read_file(path)
        else:
            raise NewsflowError(f"[E301] no such file or directory: {name}")


def count_inputs(paths: Iterable[str]) -> int | None:
    """How many articles ``paths`` hold, for progress reports; None for stdin."""
    paths = list(paths)
    if "-" in paths:
        return None
    return sum(1 for _ in read_inputs(paths))


def _read_file(path: Path) -> Iterator[InputArticle]:
    if path.suffix == ".txt":
        body = path.read_text(encoding="utf-8")
        yield InputArticle(str(path), path.stem.encode(), orjson.dumps({"id": path.stem, "body": body}))
    elif path.suffix == ".json":
        value = path.read_bytes()
        yield InputArticle(str(path), _key_of(value), value)
    elif path.suffix == ".jsonl":
        with path.open("rb") as f:
            yield from _lines(f, str(path))
    else:
        raise NewsflowError(f"[E302] {path}: unknown format; expected one of {', '.join(SUFFIXES)}")


def _lines(stream: Iterable[bytes], origin: str) -> Iterator[InputArticle]:
    for number, line in enumerate(stream, start=1):
        value = line.rstrip(b"\r\n")
        if value.strip():
            yield InputArticle(f"{origin}:{number}", _key_of(value), value)


def _key_of(value: bytes) -> bytes | None:
    """The article id as key, so one article always lands in one partition."""
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError:
        return None
    article_id = data.get("id") if isinstance(data, dict) else None
    return article_id.encode() if isinstance(article_id, str) and article_id else None
