"""``newsflow enrich``: enrich files offline, no Kafka, with the worker's own code."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from workers.decode import decode_article
from workers.enrich import Enricher
from workers.events import encode
from workers.exceptions import InvalidArticle
from workers.inputs import read_inputs
from workers.nlp.pipeline import load_pipeline
from workers.settings import Settings


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "enrich",
        help="enrich articles from files offline (no Kafka)",
        description="Enrich articles offline with the same code as the stream worker and write "
        "one enriched article (the articles.enriched value) a line. Inputs: .txt (one article, "
        "id = file stem), .json (one article), .jsonl (one a line), a directory of those, or - "
        "(JSON lines on stdin). Invalid inputs are reported on stderr and skipped; the exit "
        "code is 1 if any was invalid.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="input files, directories or -")
    p.add_argument("-o", "--output", metavar="OUT", help="write here instead of stdout")
    p.add_argument("--model", help="spaCy pipeline to use (overrides NEWSFLOW_SPACY_MODEL)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    settings = settings.with_overrides(spacy_model=args.model)
    enricher = Enricher(load_pipeline(settings.spacy_model))
    out = open(args.output, "wb") if args.output else sys.stdout.buffer  # noqa: SIM115 - closed below
    invalid = written = 0
    try:
        for item in read_inputs(args.paths):
            try:
                article = decode_article(item.value, max_body_bytes=settings.max_body_bytes)
            except InvalidArticle as exc:
                invalid += 1
                print(f"newsflow enrich: {item.origin}: {exc.reason}: {exc.message}", file=sys.stderr)
                continue
            out.write(encode(enricher(article)) + b"\n")
            written += 1
    finally:
        if args.output:
            out.close()
    print(f"newsflow enrich: {written} enriched, {invalid} invalid", file=sys.stderr)
    return 1 if invalid else 0
