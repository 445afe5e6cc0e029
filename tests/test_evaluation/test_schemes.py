"""Behaviour of projecting predictions into a gold set's label scheme."""

from __future__ import annotations

from workers.evaluation.schemes import LabelledSpan, project


def test_ontonotes_scheme_keeps_labels_and_drops_numeric_types() -> None:
    spans = [LabelledSpan(0, 4, "GPE"), LabelledSpan(5, 8, "QUANTITY")]
    assert project(spans, "ontonotes", "Hama 200 km") == {LabelledSpan(0, 4, "GPE")}


def test_conll_scheme_maps_labels_and_drops_dates() -> None:
    spans = [LabelledSpan(0, 4, "GPE"), LabelledSpan(5, 9, "NORP"), LabelledSpan(10, 15, "DATE")]
    assert project(spans, "conll", "Hama Arab today") == {LabelledSpan(0, 4, "LOC"), LabelledSpan(5, 9, "MISC")}


def test_conll_scheme_merges_same_type_neighbours_like_io_tags() -> None:
    text = "Windsor Vermont , Canada"
    spans = [LabelledSpan(0, 7, "GPE"), LabelledSpan(8, 15, "GPE"), LabelledSpan(18, 24, "GPE")]
    assert project(spans, "conll", text) == {LabelledSpan(0, 15, "LOC"), LabelledSpan(18, 24, "LOC")}


def test_conll_gold_is_left_as_it_is() -> None:
    spans = [LabelledSpan(0, 7, "LOC"), LabelledSpan(8, 15, "LOC")]
    assert project(spans, "conll", "Windsor Vermont", gold=True) == set(spans)
