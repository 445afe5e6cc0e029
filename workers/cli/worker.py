"""``newsflow worker``: run a stream worker."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from workers.kafka.client import wait_for_broker
from workers.settings import Settings


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "worker",
        help="run a stream worker (articles.raw -> enriched events)",
        description="Consume articles.raw in the consumer group NEWSFLOW_GROUP_ID, enrich each "
        "article and publish to articles.enriched, claims and entities; invalid inputs go to "
        "articles.dlq. Articles that copy an earlier one are flagged (duplicate_of) from an "
        "index kept in --data-dir and replicated through the topic <group>-dedup-changelog; "
        "a starting worker brings its copy up to date before it takes any input. Runs until "
        "SIGINT or SIGTERM, then finishes the article in flight and commits. Start more "
        "workers (up to the partition count, each with its own data dir) to scale out.",
    )
    p.add_argument("--model", help="spaCy pipeline (overrides NEWSFLOW_SPACY_MODEL)")
    p.add_argument(
        "--log-level", choices=("debug", "info", "warning", "error"), help="(NEWSFLOW_LOG_LEVEL; default info)"
    )
    p.add_argument("--data-dir", help="local state: the duplicate index (overrides NEWSFLOW_DATA_DIR)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from workers.stream.worker import run_worker  # Faust and spaCy are heavy: import only here

    settings = settings.with_overrides(spacy_model=args.model, log_level=args.log_level, data_dir=args.data_dir)
    print(
        f"waiting for Kafka at {settings.bootstrap_servers} (up to {settings.connect_timeout_seconds:g} s, "
        "--connect-timeout / NEWSFLOW_CONNECT_TIMEOUT_SECONDS)",
        file=sys.stderr,
        flush=True,
    )
    wait_for_broker(settings)
    run_worker(settings)
    return 0
