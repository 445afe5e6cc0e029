"""Evaluation of the enrichment against gold standards: ``newsflow eval``.

The public front door: read the manifest of gold sets and pick what to score
(:func:`load_manifest`, :func:`select`), load gold files (:func:`load_gold`), run
systems on them and score (:func:`evaluate`), and format the result
(:func:`format_report`). The development sets listed in ``seeds/eval/sets.json``
are the defaults (:func:`default_gold_paths`); a manifest's blind sets are scored on
request, and the shipped one lists none (the project holds no held-out data).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from workers.evaluation.evaluate import DEFAULT_THRESHOLDS, Evaluation, evaluate
from workers.evaluation.exceptions import GoldError
from workers.evaluation.gold import GoldSet, load_gold
from workers.evaluation.manifest import (
    Manifest,
    Selection,
    SetEntry,
    Status,
    default_gold_paths,
    load_manifest,
    select,
)
from workers.evaluation.report import BLIND_WARNING, NO_BLIND_SET, format_report, to_json

if TYPE_CHECKING:
    from workers.evaluation.systems import NewsflowSystem, StockSpacySystem, System


def __getattr__(name: str) -> Any:
    """The scoring systems load spaCy and the gazetteer: imported on first use (PEP 562),
    so that a ``newsflow`` command that does not score pays nothing for them at start."""
    if name in ("NewsflowSystem", "StockSpacySystem", "System"):
        return getattr(importlib.import_module("workers.evaluation.systems"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BLIND_WARNING",
    "DEFAULT_THRESHOLDS",
    "NO_BLIND_SET",
    "Evaluation",
    "GoldError",
    "GoldSet",
    "Manifest",
    "NewsflowSystem",
    "Selection",
    "SetEntry",
    "Status",
    "StockSpacySystem",
    "System",
    "default_gold_paths",
    "evaluate",
    "format_report",
    "load_gold",
    "load_manifest",
    "select",
    "to_json",
]
