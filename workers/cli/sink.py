"""``newsflow sink``: write articles.enriched and articles.dlq into PostgreSQL."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from workers.cli.argtypes import positive_int
from workers.settings import Settings


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be 0..65535 (0: no metrics server)")
    return value


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "sink",
        help="write enriched articles, dead letters and stories into PostgreSQL (exactly once in effect)",
        description="Consume articles.enriched and articles.dlq (NEWSFLOW_TOPIC_ENRICHED, NEWSFLOW_TOPIC_DLQ) "
        "and the story stage's stories, claim-links and trends (NEWSFLOW_TOPIC_STORIES, "
        "NEWSFLOW_TOPIC_CLAIM_LINKS, NEWSFLOW_TOPIC_TRENDS; each read once it exists) "
        "in the consumer group NEWSFLOW_SINK_GROUP_ID and write them into the PostgreSQL database "
        "NEWSFLOW_DATABASE_URL: articles, entities (one row per entity id), mentions, claims, dead "
        "letters, stories, story membership, claim links and trends. The schema is migrated at start. "
        "Each batch of up to NEWSFLOW_SINK_BATCH_MAX_EVENTS "
        "events is one transaction that also stores the partitions' next offsets, and the sink seeks "
        "to them when it is given partitions: a sink killed at any point and restarted writes every "
        "article once. An article enriched again (other content or pipeline version) replaces its "
        "rows. While the database is away the sink retries the same batch and never skips one. Start "
        "more sinks in the same group to share the partitions. Runs until SIGINT or SIGTERM. Local "
        "database: deploy/local/postgres.sh start.",
    )
    p.add_argument("--database-url", metavar="URL", help="libpq URL of the owner role (NEWSFLOW_DATABASE_URL)")
    p.add_argument("--group-id", metavar="NAME", help="consumer group (NEWSFLOW_SINK_GROUP_ID; default newsflow-sink)")
    p.add_argument(
        "--batch-max-events",
        type=positive_int,
        metavar="N",
        help="most events in one transaction (NEWSFLOW_SINK_BATCH_MAX_EVENTS; default 500)",
    )
    p.add_argument(
        "--metrics-port",
        type=_port,
        metavar="PORT",
        help="serve Prometheus /metrics on this port, 0 for none (NEWSFLOW_METRICS_PORT; default 9400)",
    )
    p.add_argument("--migrate-only", action="store_true", help="apply the schema migrations and exit (no Kafka needed)")
    p.add_argument(
        "--log-level", choices=("debug", "info", "warning", "error"), help="(NEWSFLOW_LOG_LEVEL; default info)"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from workers.sink.runner import migrate_only, run_sink  # psycopg and kafka-python: only here

    settings = settings.with_overrides(
        database_url=args.database_url,
        sink_group_id=args.group_id,
        sink_batch_max_events=args.batch_max_events,
        metrics_port=args.metrics_port,
        log_level=args.log_level,
    )
    if args.migrate_only:
        applied = migrate_only(settings)
        print(f"schema up to date ({len(applied)} migration(s) applied now: {applied})", file=sys.stderr)
        return 0
    run_sink(settings)
    return 0
