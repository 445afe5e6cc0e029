"""GUM's ``attribution-positive`` relations as gold claims (rules: docs/gum.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from workers.evaluation.gum.conllu import Document, Mention, token_span
from workers.evaluation.gum.entities import named_range

__all__ = ["BELIEF_CUES", "SPEECH_CUES", "claims"]

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
_CLAUSE_MARKS: Final = frozenset({",", ";", ":", "-", "\u2014", "\u2013"})
_QUOTE_MARKS: Final = frozenset("\"'\u201c\u201d\u2018\u2019\u00ab\u00bb`")


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
        claimant = token_span(doc, c_first, c_last)
        if mention is not None:
            resolved = _resolved_name(doc, mention)
            human = mention.etype in {"person", "organization"}
    belief = lemma in BELIEF_CUES
    claim: dict[str, Any] = {
        "claimant": claimant,
        "claimant_resolved": resolved,
        "cue": {**token_span(doc, cue_first, cue_last), "lemma": lemma},
        "content": token_span(doc, first, last),
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
            if toks[last - 1].form in _QUOTE_MARKS:
                last -= 1  # 'a Santorum'.: the full stop after the closing mark is not quoted
                continue
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
            named = named_range(doc, other)
            if named is not None:
                return str(token_span(doc, *named)["text"])
    return None
