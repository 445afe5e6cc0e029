"""Evaluation of the enrichment against gold standards: ``newsflow eval``.

The public front door: load gold files (:func:`load_gold`), run systems on them and
score (:func:`evaluate`), and format the result (:func:`format_report`). The gold
sets shipped in ``seeds/eval/`` are the defaults (:func:`default_gold_paths`).
"""

from __future__ import annotations

from workers.evaluation.evaluate import DEFAULT_THRESHOLDS, Evaluation, evaluate
from workers.evaluation.exceptions import GoldError
from workers.evaluation.gold import GoldSet, default_gold_paths, load_gold
from workers.evaluation.report import format_report, to_json
from workers.evaluation.systems import NewsflowSystem, StockSpacySystem, System

__all__ = [
    "DEFAULT_THRESHOLDS",
    "Evaluation",
    "GoldError",
    "GoldSet",
    "NewsflowSystem",
    "StockSpacySystem",
    "System",
    "default_gold_paths",
    "evaluate",
    "format_report",
    "load_gold",
    "to_json",
]
