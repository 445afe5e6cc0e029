"""Read articles from files for ``newsflow enrich`` and ``newsflow feed``.

Formats, chosen by file name: ``.txt`` (one article a file, id = file stem), ``.json``
(one article), ``.jsonl`` (one article a line) and ``-`` (JSON lines on stdin). Values
are yielded as the bytes that would go on ``articles.raw``, unvalidated;
:func:`check_article` validates one with the worker's own rules and says what is wrong
in the user's words.

One bad input never stops a run: with ``on_error``, :func:`read_inputs` reports an
unreadable file (or a directory with nothing to read) and goes on with the rest.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from workers.exceptions import InvalidArticle, Reason
from workers.inputs.exceptions import InputError
from workers.models import RawArticle
from workers.pipeline.decode import decode_article

__all__ = ["SUFFIXES", "InputArticle", "InputTally", "check_article", "count_inputs", "read_inputs"]

SUFFIXES = (".txt", ".json", ".jsonl")
STDIN = "<stdin>"

#: One code per kind of bad input (docs/error-codes.md lists them).
_CODES: dict[Reason, str] = {
    "invalid_utf8": "E303",
    "invalid_json": "E304",
    "not_an_object": "E304",
    "empty_body": "E305",
    "body_too_large": "E306",
    "missing_body": "E307",
    "invalid_body": "E307",
    "invalid_field": "E307",
    "invalid_published_at": "E307",
}


@dataclass(frozen=True, slots=True)
class InputArticle:
    """One article as read: where it came from, its key (the id when known), its value."""

    origin: str
    key: bytes | None
    value: bytes


@dataclass(slots=True)
class InputTally:
    """How a run over inputs went: articles done and inputs that failed."""

    done: int = 0
    failed: int = 0

    @property
    def nothing_found(self) -> bool:
        """No input at all: neither an article nor a failure to report."""
        return not self.done and not self.failed

    @property
    def exit_code(self) -> int:
        """0 when every input went through; 1 when one failed or none was found."""
        return 1 if self.failed or self.nothing_found else 0


OnError = Callable[[InputError], None]


def read_inputs(
    paths: Iterable[str], *, on_error: OnError | None = None, exclude: Path | None = None
) -> Iterator[InputArticle]:
    """Yield every article in ``paths`` (files, directories of them, or ``-``).

    Args:
        paths: files, directories (read recursively, in name order) or ``-`` for stdin.
        on_error: called with each input that cannot be read, and the run goes on;
            without it the first such input raises.
        exclude: a file never to read in a directory: the command's own output, which
            would otherwise be read back while it grows and never end.

    Raises:
        InputError: (without ``on_error``) a path does not exist, has an unknown suffix,
            cannot be read, is a ``.txt`` that is not UTF-8 text, or is a directory
            holding no ``.txt``, ``.json`` or ``.jsonl`` file.
    """
    report = on_error or _raise
    for name in paths:
        if name == "-":
            yield from _lines(sys.stdin.buffer, STDIN)
            continue
        path = Path(name)
        if path.is_dir():
            children = _files_in(path, exclude)
            if not children:
                report(
                    InputError(
                        "E309",
                        name,
                        f"no article here: only {', '.join(SUFFIXES)} files are read "
                        "(rename or convert the files, or pass other paths)",
                    )
                )
            for child in children:
                yield from _read_file(child, report)
        elif path.exists():
            yield from _read_file(path, report)
        else:
            report(InputError("E301", name, "no such file or directory"))


def count_inputs(paths: Iterable[str], *, exclude: Path | None = None) -> int | None:
    """How many articles ``paths`` hold, for progress bars; None when stdin is one.

    Counts without parsing: a ``.jsonl`` file's non-blank lines, one for any other file.
    Unreadable paths count nothing (reading them reports them).
    """
    paths = list(paths)
    if "-" in paths:
        return None
    total = 0
    for name in paths:
        path = Path(name)
        files = _files_in(path, exclude) if path.is_dir() else [path]
        for file in files:
            try:
                if file.suffix == ".jsonl":
                    with file.open("rb") as f:
                        total += sum(1 for line in f if line.strip())
                elif file.suffix in SUFFIXES:
                    total += 1
            except OSError:
                continue
    return total


def check_article(item: InputArticle, *, max_body_bytes: int) -> RawArticle:
    """Validate one input with the worker's rules.

    Args:
        item: as read by :func:`read_inputs`.
        max_body_bytes: the largest body accepted (``NEWSFLOW_MAX_BODY_BYTES``).

    Returns:
        The article, as the worker would enrich it.

    Raises:
        InputError: the input would be dead-lettered; the message says why, where and
            what to do, and ``reason`` is the dead-letter reason.
    """
    try:
        return decode_article(item.value, max_body_bytes=max_body_bytes)
    except InvalidArticle as exc:
        raise InputError(_CODES.get(exc.reason, "E307"), item.origin, _explain(item, exc), exc.reason) from None


def _explain(item: InputArticle, exc: InvalidArticle) -> str:
    """The decoder's message with what to do about it, for whoever ran the command."""
    if exc.reason in ("invalid_json", "not_an_object") and item.origin.startswith(STDIN):
        return (
            f'{exc.message}; stdin takes JSON lines, one object with a "body" a line '
            '(e.g. {"id": "a1", "body": "Text."}); to enrich a text file, pass its path instead of -'
        )
    hint = {
        "invalid_utf8": "save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)",
        "invalid_json": 'a .jsonl file holds one JSON object with a "body" a line, a .json file one object',
        "not_an_object": 'an article is a JSON object with its text in "body"',
        "empty_body": "give the article some text, or leave the file out",
        "body_too_large": "split the article, or raise NEWSFLOW_MAX_BODY_BYTES",
        "missing_body": 'an article is a JSON object with its text in "body"',
        "invalid_field": "see schemas/ for the raw article's fields",
        "invalid_published_at": "use an ISO 8601 date, e.g. 2024-12-05 or 2024-12-05T10:00:00Z",
    }.get(exc.reason)
    return f"{exc.message}; {hint} ({exc.reason})" if hint else f"{exc.message} ({exc.reason})"


def _files_in(directory: Path, exclude: Path | None) -> list[Path]:
    """The readable files under ``directory``, in name order, but ``exclude``."""
    skip = exclude.resolve() if exclude is not None else None
    return sorted(p for p in directory.rglob("*") if p.suffix in SUFFIXES and p.is_file() and p.resolve() != skip)


def _read_file(path: Path, report: OnError) -> Iterator[InputArticle]:
    origin = str(path)
    if path.suffix not in SUFFIXES:
        report(InputError("E302", origin, f"unknown format; expected one of {', '.join(SUFFIXES)}"))
        return
    try:
        if path.suffix == ".jsonl":
            with path.open("rb") as f:
                yield from _lines(f, origin)
            return
        raw = path.read_bytes()
    except OSError as exc:
        report(
            InputError("E308", origin, f"cannot read it: {exc.strerror or exc} (check the path and its permissions)")
        )
        return
    if path.suffix == ".json":
        yield InputArticle(origin, _key_of(raw), raw)
        return
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        what = "binary data" if b"\x00" in raw else "text in another encoding"
        report(
            InputError(
                "E303",
                origin,
                f"not UTF-8 ({what}: byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                "save it as UTF-8 (e.g. iconv -f latin1 -t utf-8) or leave it out",
                "invalid_utf8",
            )
        )
        return
    yield InputArticle(origin, path.stem.encode(), orjson.dumps({"id": path.stem, "body": body}))


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


def _raise(error: InputError) -> None:
    raise error
