"""Bring predicted entities into the label scheme of a gold file.

The pipeline and stock spaCy both speak OntoNotes. Against OntoNotes gold the labels
stay; numeric types (CARDINAL, ORDINAL, QUANTITY, MONEY, PERCENT) are left out on
both sides, since the pipeline never emits them as entities. Against CoNLL gold
(wikigold) the labels are mapped and numeric, date and time types dropped; and since
wikigold's tags are IO-encoded, two same-type entities with only whitespace between
them are one entity in the gold, so predictions are merged the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from workers.evaluation.gold import Scheme

__all__ = ["CONLL_MAP", "NUMERIC_LABELS", "LabelledSpan", "project"]

#: OntoNotes -> CoNLL; absent labels are dropped.
CONLL_MAP: Final = MappingProxyType(
    {
        "PERSON": "PER",
        "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
        "ORG": "ORG",
        "NORP": "MISC", "EVENT": "MISC", "WORK_OF_ART": "MISC", "LAW": "MISC",
        "LANGUAGE": "MISC", "PRODUCT": "MISC",
    }
)  # fmt: skip
NUMERIC_LABELS: Final = frozenset({"CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"})


@dataclass(frozen=True, slots=True, order=True)
class LabelledSpan:
    """An entity mention as scored: exact offsets and a label."""

    start: int
    end: int
    label: str


def project(spans: Iterable[LabelledSpan], scheme: Scheme, text: str, *, gold: bool = False) -> set[LabelledSpan]:
    """``spans`` as they are compared with gold of ``scheme``.

    Gold goes through this too (``gold=True``): CoNLL gold stays as it is, numeric
    types are dropped from OntoNotes gold.
    """
    if scheme == "ontonotes":
        return {s for s in spans if s.label not in NUMERIC_LABELS}
    if gold:
        return set(spans)
    mapped = sorted(
        LabelledSpan(s.start, s.end, CONLL_MAP.get(s.label, s.label))
        for s in spans
        if s.label in CONLL_MAP or s.label in CONLL_MAP.values()
    )
    merged: list[LabelledSpan] = []
    for span in mapped:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.label == span.label
            and last.end <= span.start
            and not text[last.end : span.start].strip()
        ):
            merged[-1] = LabelledSpan(last.start, span.end, span.label)
        else:
            merged.append(span)
    return set(merged)
