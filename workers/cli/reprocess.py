"""``newsflow reprocess``: re-feed stored articles that an older pipeline version enriched."""

from __future__ import annotations

import argparse
from typing import Any

import orjson

from workers.cli.argtypes import positive_int
from workers.cli.progress import progress_bar, say
from workers.exceptions import ModelLoadError
from workers.settings import Settings

_DESCRIPTION = """\
After an upgrade (rules, lexicons, gazetteer data, spaCy or the model: anything that
changes the pipeline version, see `newsflow --version`), re-enrich what the store holds:
read the articles in PostgreSQL (NEWSFLOW_DATABASE_URL) whose pipeline_version is not
the running one, and produce their raw input (id, title, body, url, source,
published_at as received, and the language tag unless it is en) onto the input topic
(NEWSFLOW_TOPIC_RAW, articles.raw), keyed by article id, waiting for the broker's
acknowledgement (acks=all). The workers enrich them again and the sink replaces their
rows: of an article's events it keeps the newest (by processed_at), so nothing older
comes back.

The running version is the one this installation computes for NEWSFLOW_SPACY_MODEL
(what its workers put in their events); run the command where the upgraded workers
run, once every worker runs the new version, or name the version with
--pipeline-version. Articles stored without their body (flag body_omitted) are skipped
and counted: re-feed those from articles.raw. A second run before the workers have
caught up re-feeds the same articles again (harmless: the sink keeps the newest).

Prints a progress bar on a terminal and one summary line at the end (with --json: one
JSON object). Exit 0 when the run completed, 2 with a one-line error when PostgreSQL
(E910) or Kafka (E401) cannot be reached.
"""

_EPILOG = """\
examples:
  newsflow reprocess --dry-run
  newsflow reprocess --limit 1000
  newsflow reprocess --pipeline-version 0.1.0+cf24f32ee825 --to articles.raw-staging

settings: NEWSFLOW_DATABASE_URL (or --database-url), NEWSFLOW_SPACY_MODEL,
NEWSFLOW_BOOTSTRAP_SERVERS (or -b/--bootstrap-servers), NEWSFLOW_TOPIC_RAW, and
NEWSFLOW_SECURITY_PROTOCOL, NEWSFLOW_SASL_* and NEWSFLOW_SSL_* for SASL and TLS."""


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "reprocess",
        help="re-feed stored articles that an older pipeline version enriched",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--database-url", metavar="URL", help="libpq URL of the store (NEWSFLOW_DATABASE_URL)")
    p.add_argument(
        "--pipeline-version",
        metavar="V",
        help="re-feed the articles not enriched by V (default: this installation's version, `newsflow --version`)",
    )
    p.add_argument("--to", metavar="TOPIC", help="topic to feed (default: NEWSFLOW_TOPIC_RAW, articles.raw)")
    p.add_argument("--limit", type=positive_int, metavar="N", help="re-feed at most N articles (by article id)")
    p.add_argument("--dry-run", action="store_true", help="print what would be re-fed; produce nothing")
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    p.add_argument("--quiet", action="store_true", help="no progress bar (none is drawn when stderr is no terminal)")
    p.set_defaults(run=run)


def running_version(settings: Settings) -> str:
    """The pipeline version a worker of this installation puts in its events.

    Raises:
        ModelLoadError: the configured spaCy model is not installed here.
    """
    from workers.nlp.pipeline import installed_model_info  # spaCy: only here
    from workers.pipeline.version import pipeline_version

    if settings.passthrough:
        return pipeline_version("none", "0").version
    info = installed_model_info(settings.spacy_model)
    if info is None:
        raise ModelLoadError(
            f"[E201] cannot tell the running pipeline version: the spaCy pipeline {settings.spacy_model!r} "
            "is not installed here. Install it, or name the version with --pipeline-version"
        )
    return pipeline_version(info.name, info.version).version


def run(args: argparse.Namespace, settings: Settings) -> int:
    # psycopg and kafka-python: only here
    from workers.kafka.client import wait_for_broker
    from workers.kafka.feed import feed_articles
    from workers.sink.reprocess import count_outdated, outdated_articles, raw_input

    settings = settings.with_overrides(database_url=args.database_url)
    version = args.pipeline_version or running_version(settings)
    topic = args.to or settings.topic_raw
    timeout = max(1, round(settings.connect_timeout_seconds))
    counts = count_outdated(settings.database_url, version, connect_timeout=timeout)
    todo = counts.outdated if args.limit is None else min(args.limit, counts.outdated + counts.without_body)
    skipped: list[str] = []

    def inputs() -> Any:
        for article in outdated_articles(settings.database_url, version, limit=args.limit, connect_timeout=timeout):
            record = raw_input(article)
            if record is None:
                skipped.append(article.article_id)
                say(f"skipped {article.article_id}: stored without its body (body_omitted); feed it from articles.raw")
                continue
            if args.dry_run and not args.json:
                say(f"would re-feed {article.article_id} (enriched by {article.pipeline_version}) to {topic}")
            yield record

    sent = 0
    with progress_bar("reprocess", total=todo, quiet=args.quiet or args.dry_run) as bar:
        if args.dry_run:
            for _ in inputs():
                sent += 1
        else:
            wait_for_broker(settings)
            sent = feed_articles(inputs(), settings, topic=topic, on_progress=lambda n: bar.update(1)).sent
    summary = {
        "refed": sent,
        "skipped_without_body": len(skipped),
        "current": counts.current,
        "pipeline_version": version,
        "target": topic,
        "dry_run": args.dry_run,
    }
    if args.json:
        print(orjson.dumps(summary).decode())
    else:
        verb = "would re-feed" if args.dry_run else "re-fed"
        print(
            f"reprocess: {verb} {sent} articles to {topic} (enriched by a pipeline version other than {version}); "
            f"{counts.current} already at it; {len(skipped)} stored without their body skipped"
        )
    return 0
