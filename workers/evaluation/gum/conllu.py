"""GUM's CoNLL-U read into words with exact offsets, mentions, discourse units and quotations.

The text is rebuilt from the words: a space after each unless ``SpaceAfter=No``, a
multi-word token written once with its words at their offsets inside it, a new line
for ``# newpar`` and a space between the other sentences.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["Document", "Mention", "Token", "parse_conllu", "token_span"]

_QUOTE_TAGS: Final = frozenset({"q", "quote"})
_MENTION = re.compile(r"\(([^()]+)(\))?|(\d+)\)")


@dataclass(slots=True)
class Token:
    """One syntactic word, with its offsets in the rebuilt text."""

    index: int
    form: str
    lemma: str
    upos: str
    xpos: str
    head: int  # document index of the head, -1 for the root
    deprel: str
    misc: dict[str, str]
    start: int = 0
    end: int = 0
    in_quote: bool = False
    sentence: int = 0

    @property
    def proper(self) -> bool:
        """A proper noun by either tag set (GUM tags the "United" of "United States"
        VERB but NNP)."""
        return self.upos == "PROPN" or self.xpos in {"NNP", "NNPS"}

    @property
    def predicate(self) -> bool:
        """A word that can head a reporting clause: a verb or an adjective ("sure")."""
        return self.upos in {"VERB", "AUX", "ADJ"} and not self.proper

    def lower(self) -> str:
        """The word in lower case."""
        return self.form.lower()


@dataclass(slots=True)
class Mention:
    """One ``Entity=`` mention: document token indices, inclusive."""

    group: str
    etype: str
    first: int
    last: int
    minspan: tuple[int, ...]


@dataclass(slots=True)
class Document:
    """One GUM document as parsed."""

    id: str
    meta: dict[str, str]
    text: str
    tokens: list[Token]
    mentions: list[Mention] = field(default_factory=list)
    units: list[tuple[int, str, int]] = field(default_factory=list)  # (start token, relation, target unit)
    quotes: list[tuple[int, int]] = field(default_factory=list)


def parse_conllu(lines: Iterable[str]) -> list[Document]:
    """Parse CoNLL-U lines holding one or more GUM documents."""
    docs: list[Document] = []
    builder: _Builder | None = None
    for raw in lines:
        line = raw.rstrip("\n")
        if line.startswith("# newdoc id = "):
            if builder is not None:
                docs.append(builder.finish())
            builder = _Builder(line.split("= ", 1)[1])
        elif builder is None or not line.strip():
            continue
        elif line.startswith("#"):
            builder.comment(line)
        else:
            builder.row(line.split("\t"))
    if builder is not None:
        docs.append(builder.finish())
    return docs


class _Builder:
    def __init__(self, doc_id: str) -> None:
        self.doc = Document(doc_id, {}, "", [])
        self.parts: list[str] = []
        self.length = 0
        self.space = False
        self.newpar = False
        self.sentence_base = 0
        self.sentences = 0
        self.heads: list[int] = []
        self.mwt: tuple[int, int, int] | None = None  # last word id, start offset, end offset
        self.open_mentions: dict[str, list[tuple[int, list[str]]]] = {}
        self.open_quotes: list[int] = []

    def comment(self, line: str) -> None:
        if line.startswith("# meta::"):
            key, _, value = line[len("# meta::") :].partition(" = ")
            self.doc.meta[key] = value
        elif line.strip() == "# newpar":
            self.newpar = True
        elif line.startswith("# sent_id"):
            self.sentence_base = len(self.doc.tokens)
            self.sentences += 1

    def _emit(self, form: str, space_after: bool) -> tuple[int, int]:
        if self.length:
            sep = "\n" if self.newpar else (" " if self.space else "")
            self.parts.append(sep)
            self.length += len(sep)
        self.newpar = False
        start = self.length
        self.parts.append(form)
        self.length += len(form)
        self.space = space_after
        return start, self.length

    def row(self, cols: list[str]) -> None:
        ident, form = cols[0], cols[1]
        misc = dict(m.split("=", 1) for m in cols[9].split("|") if "=" in m)
        if "-" in ident:
            last = int(ident.split("-")[1])
            start, end = self._emit(form, misc.get("SpaceAfter") != "No")
            self.mwt = (last, start, end)
            self.mwt_cursor = start
            return
        if "." in ident:
            return
        word_id = int(ident)
        if self.mwt is not None and word_id <= self.mwt[0]:
            last, m_start, m_end = self.mwt
            text = self.parts[-1]
            offset = self.mwt_cursor - m_start
            if text[offset : offset + len(form)] == form:
                start, end = self.mwt_cursor, self.mwt_cursor + len(form)
                self.mwt_cursor = end
            else:
                start, end = m_start, m_end
            if word_id == last:
                self.mwt = None
        else:
            start, end = self._emit(form, misc.get("SpaceAfter") != "No")
        head = int(cols[6]) if cols[6].isdigit() else 0
        index = len(self.doc.tokens)
        token = Token(index, form, cols[2], cols[3], cols[4], -1, cols[7], misc, start, end, sentence=self.sentences)
        self.heads.append(self.sentence_base + head - 1 if head else -1)
        self.doc.tokens.append(token)
        self._markup(token)
        self._entities(index, misc.get("Entity", ""))
        discourse = misc.get("Discourse")
        if discourse:
            self._unit(index, discourse.split(";")[0])

    def _markup(self, token: Token) -> None:
        closes = 0
        for closing, tag in re.findall(r"<(/?)(\w+)", token.misc.get("XML", "")):
            if tag not in _QUOTE_TAGS:
                continue
            if closing:
                closes += 1
            else:
                self.open_quotes.append(token.index)
        token.in_quote = bool(self.open_quotes)
        for _ in range(closes):
            if self.open_quotes:
                self.doc.quotes.append((self.open_quotes.pop(), token.index))

    def _entities(self, index: int, value: str) -> None:
        for match in _MENTION.finditer(value):
            fields, single, closing = match.groups()
            if closing is not None:
                stack = self.open_mentions.get(closing)
                if stack:
                    self._mention(*stack.pop(), index)
                continue
            parts = fields.split("-", 7)
            if single:
                self._mention(index, parts, index)
            else:
                self.open_mentions.setdefault(parts[0], []).append((index, parts))

    def _mention(self, first: int, parts: list[str], last: int) -> None:
        minspan: tuple[int, ...] = ()
        if len(parts) > 5:
            minspan = tuple(
                first + int(p) - 1 for p in parts[5].split(",") if p.isdigit() and first + int(p) - 1 <= last
            )
        self.doc.mentions.append(Mention(parts[0], parts[1] if len(parts) > 1 else "", first, last, minspan))

    def _unit(self, index: int, value: str) -> None:
        relation, _, rest = value.partition(":")
        ids = rest.split(":", 1)[0]
        target = int(ids.split("->")[1]) if "->" in ids else 0
        self.doc.units.append((index, relation, target))

    def finish(self) -> Document:
        for token, head in zip(self.doc.tokens, self.heads, strict=True):
            token.head = head
        self.doc.text = "".join(self.parts)
        self.doc.mentions.sort(key=lambda m: (m.first, -m.last))
        return self.doc


def token_span(doc: Document, first: int, last: int, **extra: Any) -> dict[str, Any]:
    """The text span from word ``first`` to word ``last`` (inclusive) as a gold span."""
    start, end = doc.tokens[first].start, doc.tokens[last].end
    return {"text": doc.text[start:end], "start": start, "end": end, **extra}
