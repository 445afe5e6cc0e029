"""Named GUM mentions as CoNLL-labelled entities (rules: docs/gum.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from workers.evaluation.gum.conllu import Document, Mention, Token

__all__ = ["ENTITY_LABELS", "PERSON_TITLES", "named_entities", "named_range"]

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


def named_range(doc: Document, mention: Mention) -> tuple[int, int] | None:
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
        named = named_range(doc, mention)
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
