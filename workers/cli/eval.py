"""``newsflow eval``: score the pipeline and stock spaCy against gold standards."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from workers.evaluation import (
    DEFAULT_THRESHOLDS,
    NewsflowSystem,
    StockSpacySystem,
    System,
    default_gold_paths,
    evaluate,
    format_report,
    load_gold,
    to_json,
)
from workers.nlp.pipeline import load_pipeline
from workers.settings import Settings


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "eval",
        help="score entities and claims against gold standards, ours and stock spaCy's",
        description="Run the enrichment and stock spaCy (the same model, raw doc.ents) on gold "
        "files and print entity precision/recall/F1 (exact span and label, overall and per "
        "label) and claim precision/recall/F1 as the SFU Gender Gap Tracker scores quotes "
        "(content overlap above each threshold), with the share of matches whose claimant, "
        "cue and stance are right. Without paths: the gold files in seeds/eval/.",
    )
    p.add_argument("paths", nargs="*", metavar="GOLD", help="gold files (.json or .jsonl); default: seeds/eval/")
    p.add_argument("--model", help="spaCy pipeline to use (overrides NEWSFLOW_SPACY_MODEL)")
    p.add_argument(
        "--threshold",
        type=float,
        action="append",
        metavar="T",
        help=f"claim overlap threshold, repeatable (default: {' and '.join(map(str, DEFAULT_THRESHOLDS))})",
    )
    p.add_argument("--json", action="store_true", help="print the scores as one JSON object instead")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    settings = settings.with_overrides(spacy_model=args.model)
    paths = [Path(p) for p in args.paths] or default_gold_paths()
    gold_sets = [load_gold(path) for path in paths]
    nlp = load_pipeline(settings.spacy_model)
    systems: list[System] = [NewsflowSystem(nlp), StockSpacySystem(nlp)]
    evaluation = evaluate(gold_sets, systems, tuple(args.threshold or DEFAULT_THRESHOLDS))
    if args.json:
        print(json.dumps(to_json(evaluation), indent=2))
    else:
        sys.stdout.write(f"model: {settings.spacy_model}\n\n" + format_report(evaluation))
    return 0
