"""``newsflow enrich``: enrich files offline, no Kafka, with the worker's own code."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from workers.cli.output import open_output
from workers.cli.progress import progress_bar, say
from workers.inputs.exceptions import InputError
from workers.inputs.files import SUFFIXES, InputTally, check_article, count_inputs, read_inputs
from workers.settings import Settings

if TYPE_CHECKING:
    from workers.pipeline.enrich import Enricher

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "enrich",
        help="enrich articles from files offline (no Kafka)",
        description="Enrich articles offline with the same code as the stream worker and write "
        "one enriched article (the articles.enriched value) a line. Inputs: .txt (one article, "
        "id = file stem), .json (one article), .jsonl (one a line), a directory of those, or - "
        "(JSON lines on stdin). An input that cannot be read or is not a valid article is "
        "reported on stderr, one line naming it, and the others go on. Exit codes: 0 every "
        "input enriched; 1 some input failed, or none was found; 2 usage or configuration "
        "error (e.g. the -o directory does not exist). When the reader of stdout goes away "
        "(| head), enrich stops quietly with 0, as every newsflow command does.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="input files, directories or -")
    p.add_argument("-o", "--output", metavar="OUT", help="write here instead of stdout")
    p.add_argument("--model", help="spaCy pipeline to use (overrides NEWSFLOW_SPACY_MODEL)")
    p.add_argument("--quiet", action="store_true", help="no progress bar (none is drawn when stderr is no terminal)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Enrich every input of ``args.paths``; returns the exit code.

    Raises:
        NewsflowError: ``[E603]`` the output file cannot be opened; a setting or the
            spaCy model is wrong.
        BrokenPipeError: the reader of stdout went away; ``main()`` stops quietly.
    """
    from workers.nlp.pipeline import load_pipeline
    from workers.pipeline.enrich import Enricher  # spaCy and the gazetteer are heavy: import only here

    settings = settings.with_overrides(spacy_model=args.model)
    out = open_output(args.output)
    try:
        enricher = Enricher(load_pipeline(settings.spacy_model))
        tally = _enrich_all(args, settings, enricher, out)
        out.flush()  # here, so that a closed pipe raises BrokenPipeError in main(), which exits 0
    finally:
        if args.output:
            out.close()
    say(f"newsflow enrich: {tally.done} enriched, {tally.failed} failed")
    if tally.nothing_found:
        say(
            f"newsflow enrich: warning: [E309] no article found in {' '.join(args.paths)} "
            f"(inputs are {', '.join(SUFFIXES)} files, directories of them, or - for JSON lines on stdin)"
        )
    return tally.exit_code


def _enrich_all(args: argparse.Namespace, settings: Settings, enricher: Enricher, out: IO[bytes]) -> InputTally:
    from workers.pipeline.events import encode

    tally = InputTally()
    own_output = Path(args.output) if args.output else None
    total = None if args.quiet else count_inputs(args.paths, exclude=own_output)
    with progress_bar("enrich", total=total, quiet=args.quiet) as bar:

        def failed(error: InputError) -> None:
            tally.failed += 1
            say(f"newsflow enrich: {error}")
            bar.update(1)

        for item in read_inputs(args.paths, on_error=failed, exclude=own_output):
            try:
                article = check_article(item, max_body_bytes=settings.max_body_bytes)
            except InputError as error:
                failed(error)
                continue
            out.write(encode(enricher(article)) + b"\n")
            tally.done += 1
            bar.update(1)
    return tally
