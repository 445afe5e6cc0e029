"""``newsflow eval``: score the pipeline and stock spaCy against gold standards.

A gold file whose lines carry ``story`` is a story set: its articles are enriched, then
the stories stage runs over them in file order, with its baselines, and the report
gives story clustering and claim links (:mod:`workers.evaluation.story_runs`).

Which sets are scored follows ``seeds/eval/sets.json``: without paths the development
sets, with ``--blind`` the blind sets only; given paths are scored with the status
the manifest gives them ("unlabelled" when it does not list them). The shipped
manifest lists no blind set (held-out measurement happens on data the project does
not hold), so ``--blind`` without ``--sets`` exits 1 and says so.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from workers.evaluation import (
    BLIND_WARNING,
    DEFAULT_THRESHOLDS,
    NO_BLIND_SET,
    evaluate,
    format_report,
    load_gold,
    load_manifest,
    select,
    to_json,
)
from workers.evaluation.report import not_scored
from workers.evaluation.story_gold import is_story_file, load_story_gold
from workers.settings import Settings


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "eval",
        help="score entities and claims against gold standards, ours and stock spaCy's",
        description="Run the enrichment and stock spaCy (the same model, raw doc.ents) on gold "
        "files and print entity precision/recall/F1 (exact span and label, overall and per "
        "label) and claim precision/recall/F1 as the SFU Gender Gap Tracker scores quotes "
        "(content overlap above each threshold), overall and by kind, narrow and broad, with "
        "the share of matches whose claimant, cue, stance and kind are right. Each set is "
        "labelled development or blind by seeds/eval/sets.json. A gold file whose lines carry 'story' "
        "is a story set: the stories stage runs over its articles in order, and story clustering (BCubed "
        "and pairwise P/R/F1) and claim links by kind are scored, with baselines. Without paths: the "
        "development sets; blind sets only with --blind.",
    )
    p.add_argument(
        "paths",
        nargs="*",
        metavar="GOLD",
        help="gold files (.json or .jsonl), scored with the status the manifest gives them; "
        "default: the development sets of the manifest",
    )
    p.add_argument(
        "--blind",
        action="store_true",
        help="score the blind sets of the manifest only (once, at the end: not while tuning); "
        "the shipped manifest has none, so give one that lists held-out data with --sets",
    )
    p.add_argument("--sets", metavar="FILE", help="the manifest of gold sets (default: seeds/eval/sets.json)")
    p.add_argument("--model", help="spaCy pipeline to use (overrides NEWSFLOW_SPACY_MODEL)")
    p.add_argument(
        "--threshold",
        type=float,
        action="append",
        metavar="T",
        help=f"claim overlap threshold, repeatable (default: {' and '.join(map(str, DEFAULT_THRESHOLDS))})",
    )
    p.add_argument(
        "--constructions",
        action="store_true",
        help="also give claim recall by the construction that attributes each gold claim (cue before or "
        "after the content, with words between, a continuation, 'according to', a noun cue), read off the "
        "gold alone, and how much more each would find if claims marked broad counted (the JSON always has it)",
    )
    p.add_argument(
        "--story-grid",
        action="store_true",
        help="for story sets (gold files whose lines carry 'story'), also print the clustering at every "
        "entity weight and threshold, with and without the time window, and the claim links on the gold "
        "stories at every pair of link thresholds (the JSON always has them)",
    )
    p.add_argument("--json", action="store_true", help="print the scores as one JSON object instead")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.blind and args.paths:
        print("newsflow eval: error: give gold paths or --blind, not both", file=sys.stderr)
        return 2
    manifest = load_manifest(Path(args.sets) if args.sets else None)
    selection = select(manifest, [Path(p) for p in args.paths], blind=args.blind)
    if not selection.scored:
        wanted = "blind" if args.blind else "development"
        if selection.missing:
            reasons = not_scored(selection)
        elif args.blind:
            reasons = [NO_BLIND_SET]
        else:
            reasons = [f"the manifest lists no {wanted} set."]
        print(f"newsflow eval: no {wanted} set to score ({manifest.path}):", *reasons, file=sys.stderr)
        return 1
    if any(e.status == "blind" for e in selection.scored):
        print(f"newsflow eval: {BLIND_WARNING}", file=sys.stderr)
    story_entries = [e for e in selection.scored if is_story_file(e.path)]
    story_sets = [load_story_gold(e.path, status=e.status, why=e.why) for e in story_entries]
    gold_sets = [load_gold(e.path, status=e.status, why=e.why) for e in selection.scored if e not in story_entries]
    from workers.evaluation.story_runs import evaluate_story_set  # scikit-learn: only here
    from workers.evaluation.systems import NewsflowSystem, StockSpacySystem, System, story_articles  # spaCy
    from workers.nlp.pipeline import load_pipeline

    settings = settings.with_overrides(spacy_model=args.model)
    nlp = load_pipeline(settings.spacy_model)
    systems: list[System] = [NewsflowSystem(nlp), StockSpacySystem(nlp)]
    evaluation = evaluate(gold_sets, systems, tuple(args.threshold or DEFAULT_THRESHOLDS))
    stories = tuple(evaluate_story_set(s, story_articles(s.documents, nlp)) for s in story_sets)
    evaluation = replace(evaluation, stories=stories)
    if args.json:
        print(json.dumps(to_json(evaluation, selection), indent=2))
    else:
        sys.stdout.write(
            f"model: {settings.spacy_model}\n\n"
            + format_report(evaluation, selection, constructions=args.constructions, story_grid=args.story_grid)
        )
    return 0
