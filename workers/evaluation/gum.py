"""Convert GUM's CoNLL-U (entities, attribution relations, quote markup) into gold records.

GUM (Zeldes 2017, github amir-zeldes/gum; annotations CC BY 4.0, Wikinews texts CC BY
2.5) annotates its documents independently of this project. This module turns one
GUM ``.conllu`` document into the project's gold format (see
:mod:`workers.evaluation.gold`): the text is rebuilt from the tokens with their
``SpaceAfter`` so every offset is exact (code points, end exclusive); named mentions
of the ``Entity=`` layer become CoNLL-labelled entities; ``attribution-positive``
relations of the ``Discourse=`` layer become claims. The rules, and what cannot be
converted, are written down in ``docs/gum.md``.

Run ``python -m workers.evaluation.gum DEP_DIR --genre news -o FILE`` (``--help``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

__all__ = ["convert_document", "main", "parse_conllu"]

#: GUM entity type -> CoNLL label; ``time`` is dropped as CoNLL drops dates.
ENTITY_LABELS: Final = {
    "person": "PER",
    "place": "LOC",
    "organization": "ORG",
    "event": "MISC",
    "object": "MISC",
    "abstract": "MISC",
    "substance": "MISC",
    "animal": "MISC",
    "plant": "MISC",
}
#: Verbs of saying: an attribution with one of these cues is a narrow claim.
SPEECH_CUES: Final = frozenset(
    {
        "say", "tell", "add", "claim", "confirm", "deny", "note", "comment", "conclude", "reason",
        "reply", "state", "explain", "announce", "report", "write", "continue", "insist", "argue",
        "warn", "admit", "acknowledge", "mention", "declare", "respond", "answer", "assert", "remark",
        "stress", "maintain", "testify", "reveal", "allege", "quip", "joke", "recall",
        "according to",
    }
)  # fmt: skip
#: Verbs of believing: the claim is a ``belief`` and broad.
BELIEF_CUES: Final = frozenset(
    {
        "believe", "think", "know", "hope", "want", "expect", "feel", "fear", "doubt", "suspect",
        "assume", "consider", "wonder", "guess", "imagine", "suppose", "realize", "realise",
        "understand", "worry", "sure", "convinced", "aware", "estimate", "predict",
    }
)  # fmt: skip
#: Words before a person's name that OntoNotes leaves out of the PERSON span.
PERSON_TITLES: Final = frozenset(
    {
        "president", "vice", "ambassador", "minister", "prime", "secretary", "senator", "sen", "rep",
        "representative", "governor", "general", "gen", "king", "queen", "prince", "princess", "pope",
        "chancellor", "judge", "justice", "mayor", "dr", "mr", "mrs", "ms", "miss", "professor", "prof",
        "chief", "director", "ceo", "chairman", "chairwoman", "sir", "lord", "lady", "saint", "st",
        "captain", "capt", "colonel", "col", "lieutenant", "lt", "sergeant", "sgt", "commander",
        "admiral", "member", "spokesman", "spokeswoman", "officer", "coach", "detective", "inspector",
        "bishop", "father", "rabbi", "imam", "sheikh", "emir",
    }
)  # fmt: skip
_CLAUSE_MARKS: Final = frozenset({",", ";", ":", "-", "\u2014", "\u2013"})
_QUOTE_TAGS: Final = frozenset({"q", "quote"})
_QUOTE_MARKS: Final = frozenset("\"'\u201c\u201d\u2018\u2019\u00ab\u00bb`")
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


# --- conversion --------------------------------------------------------------------


def convert_document(doc: Document, *, genre: str) -> dict[str, Any]:
    """The gold record of one parsed GUM document."""
    record: dict[str, Any] = {
        "id": f"gum-{genre}-{doc.id.rsplit('_', 1)[-1]}",
        "source": f"GUM {doc.id} (CC BY 4.0 annotation; Wikinews text CC BY 2.5)",
        "title": doc.meta.get("title"),
        "published_at": doc.meta.get("dateCreated"),
        "url": doc.meta.get("sourceURL"),
        "text": doc.text,
        "entities": [_span(doc, a, b, label=label) for a, b, label in named_entities(doc)],
        "claims": claims(doc),
    }
    return record


def _span(doc: Document, first: int, last: int, **extra: Any) -> dict[str, Any]:
    start, end = doc.tokens[first].start, doc.tokens[last].end
    return {"text": doc.text[start:end], "start": start, "end": end, **extra}


def _named_range(doc: Document, mention: Mention) -> tuple[int, int] | None:
    """The token range of a mention's name, if it is named: the mention's head word
    is a proper noun, and the name is the run of proper nouns around it (bridged by
    "of", "the", "and", adjectives and numbers) inside the mention's minimal span, up
    to a coordinated name, without a person's leading titles."""
    toks = doc.tokens
    heads = [i for i in range(mention.first, mention.last + 1) if not mention.first <= toks[i].head <= mention.last]
    if not heads or not toks[heads[0]].proper:
        return None
    head = heads[0]
    low, high = (min(mention.minspan), max(mention.minspan)) if mention.minspan else (mention.first, mention.last)
    if mention.etype == "person":
        first, last = _person_name(toks, head, low, high)
    else:
        first = last = head
        i = head - 1
        while i >= low and (toks[i].proper or _bridges(toks[i])):
            if toks[i].proper:
                first = i
            i -= 1
        i = head + 1
        while i <= high and toks[i].deprel != "conj" and (toks[i].proper or toks[i].upos == "NUM" or _bridges(toks[i])):
            if toks[i].proper or toks[i].upos == "NUM":
                last = i
            i += 1
    if mention.etype == "person":
        titles = [j for j in range(first, last) if toks[j].form.lower().rstrip(".") in PERSON_TITLES]
        if titles:
            first = titles[-1] + 1
    return first, last


def _person_name(toks: Sequence[Token], head: int, low: int, high: int) -> tuple[int, int]:
    """A person's name: the proper nouns joined to the head word by ``flat`` or
    ``compound`` ("Hamdullah Mohib", not "United States Hamdullah Mohib")."""
    name = {head}
    first = last = head
    while first - 1 >= low and _joins(toks[first - 1], name):
        first -= 1
        name.add(first)
    while last + 1 <= high and _joins(toks[last + 1], name):
        last += 1
        name.add(last)
    while (
        last + 2 <= high
        and toks[last + 1].xpos == "HYPH"
        and toks[last].end == toks[last + 1].start
        and toks[last + 1].end == toks[last + 2].start
    ):
        last += 2  # "Lee Cheuk-yan": a hyphenated word is one
    return first, last


def _joins(token: Token, name: set[int]) -> bool:
    return (
        (token.proper or token.xpos == "HYPH")
        and token.head in name
        and (token.deprel.split(":")[0] in {"flat", "compound"} or token.deprel == "nmod:desc")
    )


def _bridges(token: Token) -> bool:
    """A word that may stand inside a name between proper nouns."""
    if token.upos in {"ADJ", "NUM"} or token.xpos == "HYPH":
        return True
    return token.lower() in {"of", "the", "and", "&", "for", "de"}


def named_entities(doc: Document) -> list[tuple[int, int, str]]:
    """Named mentions as (first token, last token, CoNLL label), outermost only."""
    found: list[tuple[int, int, str]] = []
    for mention in doc.mentions:
        label = ENTITY_LABELS.get(mention.etype)
        named = _named_range(doc, mention)
        if label is None or named is None:
            continue
        first, last = named
        if label == "PER" and first == last and doc.tokens[first].xpos == "NNPS":
            label = "MISC"  # "Americans", "Afghans": a nationality, as CoNLL tags it
        found.append((first, last, label))
    found.sort(key=lambda e: (e[0], -e[1]))
    kept: list[tuple[int, int, str]] = []
    for entity in found:
        if kept and entity[0] <= kept[-1][1]:
            continue  # nested in (or crossing) an earlier name: CoNLL names are flat
        kept.append(entity)
    return kept


def _unit_tokens(doc: Document) -> list[tuple[int, int]]:
    starts = [u[0] for u in doc.units]
    if not starts:
        return []
    ends = [*(s - 1 for s in starts[1:]), len(doc.tokens) - 1]
    return list(zip(starts, ends, strict=True))


def claims(doc: Document) -> list[dict[str, Any]]:
    """One claim for each ``attribution-positive`` relation (see docs/gum.md)."""
    spans = _unit_tokens(doc)
    result = []
    for number, (_, relation, target) in enumerate(doc.units, start=1):
        if relation != "attribution-positive" or not 0 < target <= len(spans):
            continue
        claim = _claim(doc, spans, number, target)
        if claim is not None:
            result.append(claim)
    return _one_per_content(result)


def _one_per_content(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One claim per content span: GUM nests "'I think X,' she said" as two relations
    on X; the narrow one (the saying) is kept, else the first."""
    kept: dict[tuple[int, int], dict[str, Any]] = {}
    for claim in found:
        key = (claim["content"]["start"], claim["content"]["end"])
        if key not in kept or (kept[key].get("broad") and not claim.get("broad")):
            kept[key] = claim
    return [c for c in found if kept[(c["content"]["start"], c["content"]["end"])] is c]


def _content_range(doc: Document, spans: Sequence[tuple[int, int]], target: int, source: int) -> tuple[int, int]:
    """The attributed unit with its same-unit pieces, then the units after it in its
    sentence that hang from it (purpose, elaboration, cause ...), up to the source."""
    relation, parent = doc.units[target - 1][1], doc.units[target - 1][2]
    root = parent if relation.startswith("same-unit") and parent else target
    members = {root} | {n for n, u in enumerate(doc.units, 1) if u[1].startswith("same-unit") and u[2] == root}
    first, last = min(spans[p - 1][0] for p in members), max(spans[p - 1][1] for p in members)
    sentence = doc.tokens[last].sentence
    number = max(members) + 1
    while number <= len(spans) and number != source and doc.tokens[spans[number - 1][0]].sentence == sentence:
        unit_relation, unit_target = doc.units[number - 1][1], doc.units[number - 1][2]
        if unit_target not in members or unit_relation.startswith("attribution"):
            break
        members.add(number)
        last = spans[number - 1][1]
        number += 1
    return first, last


def _claim(doc: Document, spans: Sequence[tuple[int, int]], source_unit: int, target: int) -> dict[str, Any] | None:
    source = spans[source_unit - 1]
    first, last = _content_range(doc, spans, target, source_unit)
    while first < last and doc.tokens[last].upos == "PUNCT" and not doc.tokens[last].in_quote:
        last -= 1  # the sentence's full stop after a closing quotation mark
    kind = "indirect"
    for q_first, q_last in doc.quotes:
        source_inside = q_first <= source[0] <= q_last
        if q_first <= first and last <= q_last and not source_inside:
            first, last, kind = q_first, q_last, "direct"
            break
        if first <= q_first and q_last <= last and (q_first, q_last) != (first, last):
            kind = "mixed"
    if kind == "indirect" and all(
        doc.tokens[i].in_quote for i in range(first, last + 1) if doc.tokens[i].upos != "PUNCT"
    ):
        kind = "direct"
    first, last = _trim(doc, first, last, kind)
    if first > last:
        return None
    cue = _cue(doc, source)
    if cue is None:
        return None
    cue_first, cue_last, lemma, cue_root = cue
    holder = _claimant_head(doc, cue_root, lemma, source)
    claimant: dict[str, Any] | None = None
    resolved: str | None = None
    human = True
    if holder is not None:
        mention = _holder_mention(doc, holder)
        c_first, c_last = (mention.first, mention.last) if mention else (holder, holder)
        claimant = _span(doc, c_first, c_last)
        if mention is not None:
            resolved = _resolved_name(doc, mention)
            human = mention.etype in {"person", "organization"}
    belief = lemma in BELIEF_CUES
    claim: dict[str, Any] = {
        "claimant": claimant,
        "claimant_resolved": resolved,
        "cue": {**_span(doc, cue_first, cue_last), "lemma": lemma},
        "content": _span(doc, first, last),
        "kind": "belief" if belief and kind == "indirect" else kind,
        "stance": {"deny": "deny", "confirm": "confirm"}.get(lemma, "assert"),
    }
    if belief or lemma not in SPEECH_CUES or not human:
        claim["broad"] = True
    return claim


def _trim(doc: Document, first: int, last: int, kind: str) -> tuple[int, int]:
    """Quotation marks, a comma before the closing mark, and for reported speech a
    leading "that" and the final full stop are not part of the content."""
    toks = doc.tokens
    while first <= last and (
        toks[first].upos == "PUNCT"
        or (kind != "direct" and toks[first].lemma == "that" and toks[first].deprel == "mark")
    ):
        first += 1
    while first <= last and toks[last].upos == "PUNCT":
        if kind == "direct" and toks[last].form in ".?!" and last > first:
            break
        if toks[last].form not in _QUOTE_MARKS and kind == "direct" and toks[last].form not in _CLAUSE_MARKS:
            break
        last -= 1
    return first, last


def _cue(doc: Document, source: tuple[int, int]) -> tuple[int, int, str, int] | None:
    """The reporting cue of a source unit: "according to", else the unit's head word."""
    tokens = doc.tokens[source[0] : source[1] + 1]
    for token in tokens:
        if token.lower() == "according":
            nxt = token.index + 1
            end = nxt if nxt <= source[1] and doc.tokens[nxt].form.lower() == "to" else token.index
            return token.index, end, "according to", token.head
    inside = [t for t in tokens if not source[0] <= t.head <= source[1]]
    inside_predicates = [t for t in inside if t.predicate]
    if not inside_predicates and not any(t.upos in {"VERB", "AUX"} and not t.proper for t in tokens):
        return None  # "Image: United States Navy.": a credit or heading, no reporting cue
    verbs = inside_predicates or [t for t in tokens if t.upos in {"VERB", "AUX"} and not t.proper]
    root = verbs[0] if verbs else tokens[0]
    return root.index, root.index, root.lemma.lower(), root.index


def _claimant_head(doc: Document, cue: int, lemma: str, source: tuple[int, int]) -> int | None:
    if lemma == "according to":
        return cue if cue >= 0 else None
    for anchor in (cue, doc.tokens[cue].head):
        if anchor < 0:
            break
        for token in doc.tokens:
            if token.head == anchor and token.deprel in {"nsubj", "obl:agent"}:
                return token.index
        if doc.tokens[anchor].deprel not in {"conj", "advcl", "xcomp", "acl", "acl:relcl"}:
            break
    return None


def _holder_mention(doc: Document, head: int) -> Mention | None:
    low, high = _subtree(doc, head)
    inside = [m for m in doc.mentions if m.first <= head <= m.last and low <= m.first and m.last <= high]
    return max(inside, key=lambda m: m.last - m.first) if inside else None


def _subtree(doc: Document, head: int) -> tuple[int, int]:
    members = {head}
    changed = True
    while changed:
        changed = False
        for token in doc.tokens:
            if token.head in members and token.index not in members:
                members.add(token.index)
                changed = True
    return min(members), max(members)


def _resolved_name(doc: Document, mention: Mention) -> str | None:
    """The first named mention of the claimant's coreference chain."""
    for other in doc.mentions:
        if other.group == mention.group:
            named = _named_range(doc, other)
            if named is not None:
                return str(_span(doc, *named)["text"])
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Convert every ``GUM_<genre>_*.conllu`` of a directory into one gold ``.jsonl``."""
    parser = argparse.ArgumentParser(
        prog="python -m workers.evaluation.gum",
        description="Convert GUM's CoNLL-U (dep/) into newsflow gold records (rules: docs/gum.md).",
    )
    parser.add_argument("dep_dir", type=Path, help="GUM's dep/ directory of .conllu files")
    parser.add_argument("--genre", default="news", help="GUM genre to convert: news, interview ... (default news)")
    parser.add_argument("-o", "--output", type=Path, help="gold .jsonl to write (default: standard output)")
    args = parser.parse_args(argv)
    paths = sorted(args.dep_dir.glob(f"GUM_{args.genre}_*.conllu"))
    if not paths:
        parser.error(f"no GUM_{args.genre}_*.conllu in {args.dep_dir}")
    lines: list[str] = []
    for path in paths:
        with path.open(encoding="utf-8") as f:
            lines.extend(json.dumps(convert_document(d, genre=args.genre), ensure_ascii=False) for d in parse_conllu(f))
    out = "".join(line + "\n" for line in lines)
    if args.output is None:
        sys.stdout.write(out)
    else:
        args.output.write_text(out, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
