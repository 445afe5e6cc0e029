"""Lookups over one parsed article that every claim rule needs, built once.

Paragraphs (newline-separated) are hard limits for the claim rules: no claimant or
content crosses one. Everything here is built in one linear pass; lookups are
constant or logarithmic.

A paragraph may open with a dateline: a place in capitals, optionally a region
and an agency in brackets, then a dash ("NAIROBI —", "LONDON (Reuters) -",
"NAIROBI, Kenya (AP) —"). It says where the story was filed; nobody in it speaks.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Final

from spacy.attrs import IDX
from spacy.tokens import Doc, Token

from workers.models import Entity
from workers.nlp.doctext import doc_text
from workers.nlp.quotes import Quotations

__all__ = ["ArticleIndex"]

#: A dateline at a paragraph's start: a place in capitals (its first word of three
#: letters or more), optionally ", Region" and "(Agency)", then a dash; a hyphen
#: needs a space before it ("US-China" is no dateline).
_DATELINE: Final = re.compile(
    r"^[ \t]*[A-Z]{3,}(?:[ .'][A-Z]+)*\.?(?:,[ \t]+[A-Z][\w.']*(?:[ \t][A-Z][\w.']*)*)?"
    r"(?:[ \t]*\([^()\n]{1,40}\))?(?:[ \t]*[\u2014\u2013]|[ \t]+--?)[ \t]*",
    re.MULTILINE,
)


class ArticleIndex:
    """One article's text, quotations, paragraphs and entity positions.

    Args:
        doc: The parsed article.
        entities: Its entities (from :func:`workers.nlp.entities.group_entities`).
    """

    def __init__(self, doc: Doc, entities: Sequence[Entity]) -> None:
        self.doc = doc
        self.text = doc_text(doc)
        self.quotes = Quotations(self.text)
        self.newlines = [i for i, ch in enumerate(self.text) if ch == "\n"]
        #: Paragraph start -> end of its dateline, for the paragraphs that have one.
        self.datelines = {m.start(): m.end() for m in _DATELINE.finditer(self.text)}
        self.token_starts: list[int] = doc.to_array(IDX).tolist()  # no Token objects
        self.entity_at: list[Entity | None] = [None] * len(doc)
        self.by_id = {e.id: e for e in entities}
        # A speaker spaCy did not tag ("Rathbun wrote") is still found by name; a
        # name two entities share maps to None.
        self.by_name: dict[str, Entity | None] = {}
        mentions: list[tuple[int, Entity]] = []
        for entity in entities:
            names = {entity.name.casefold()}
            if entity.label == "PERSON":
                names.add(entity.name.split()[-1].casefold())
            for m in entity.mentions:
                mentions.append((m.start, entity))
                names.add(m.text.casefold())
                span = doc.char_span(m.start, m.end, alignment_mode="expand")
                for tok in span if span is not None else ():
                    self.entity_at[tok.i] = entity
            for name in names:
                known = self.by_name.setdefault(name, entity)
                if known is not None and known.id != entity.id:
                    self.by_name[name] = None
        mentions.sort(key=lambda pair: (pair[0], pair[1].id))
        self.mention_starts = [start for start, _ in mentions]
        self.mention_entities = [entity for _, entity in mentions]

    def paragraph(self, char: int) -> tuple[int, int]:
        """The [start, end) of the paragraph holding ``char``."""
        i = bisect_left(self.newlines, char)
        start = self.newlines[i - 1] + 1 if i > 0 else 0
        end = self.newlines[i] if i < len(self.newlines) else len(self.text)
        return start, end

    def dateline_end(self, char: int) -> int:
        """Where the dateline of the paragraph holding ``char`` ends (its start if
        it has none)."""
        start = self.paragraph(char)[0]
        return self.datelines.get(start, start)

    def in_dateline(self, char: int) -> bool:
        """Whether ``char`` lies in its paragraph's dateline."""
        return char < self.dateline_end(char)

    def token_at(self, char: int) -> Token | None:
        """The token that starts at or covers ``char``."""
        i = bisect_right(self.token_starts, char) - 1
        return self.doc[i] if i >= 0 else None

    def mentions_before(self, char: int, floor: int) -> list[tuple[int, Entity]]:
        """Entity mentions starting in [floor, char), nearest first."""
        found = []
        i = bisect_left(self.mention_starts, char) - 1
        while i >= 0 and self.mention_starts[i] >= floor:
            found.append((self.mention_starts[i], self.mention_entities[i]))
            i -= 1
        return found
