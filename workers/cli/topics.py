"""``newsflow topics``: create and list the pipeline's topics."""

from __future__ import annotations

import argparse
from typing import Any

from workers.kafka.admin import create_topics, describe_topics
from workers.kafka.client import wait_for_broker
from workers.settings import Settings


def add_parser(sub: Any) -> None:
    p = sub.add_parser("topics", help="create or list topics", description="Manage the pipeline's topics.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = actions.add_parser(
        "create",
        help="create the pipeline's topics that are missing",
        description="Create the five pipeline topics, articles.raw, articles.enriched, claims, entities "
        "and articles.dlq (names from NEWSFLOW_TOPIC_RAW, _ENRICHED, _CLAIMS, _ENTITIES, _DLQ), and the "
        "story stage's three, stories, claim-links and trends (NEWSFLOW_TOPIC_STORIES, _CLAIM_LINKS, "
        "_TRENDS), with --partitions partitions each; and three changelogs, compacted, one partition "
        "each: the workers' duplicate index, <group>-dedup-changelog, and poison-pill guard, "
        "<group>-poison-changelog (<group>: NEWSFLOW_GROUP_ID, newsflow-enricher), and the story "
        "stage's state, <stories group>-changelog (NEWSFLOW_STORIES_GROUP_ID, newsflow-stories). "
        "Existing topics are left as they are; prints each topic's name and whether it was created or "
        "existed.",
    )
    create.add_argument(
        "--partitions",
        type=int,
        metavar="N",
        help="partitions of each pipeline topic (NEWSFLOW_PARTITIONS; default 6); the changelogs always have 1",
    )
    create.add_argument(
        "--replication-factor",
        type=int,
        metavar="N",
        help="replicas of each partition (NEWSFLOW_REPLICATION_FACTOR; default 1, 3 on a cluster)",
    )
    create.add_argument(
        "--min-insync-replicas",
        type=int,
        metavar="N",
        help="min.insync.replicas of every topic created, changelogs too (NEWSFLOW_MIN_INSYNC_REPLICAS; "
        "default 1, 2 on a three-broker cluster; at most the replication factor)",
    )
    create.set_defaults(run=run_create)
    listing = actions.add_parser(
        "list",
        help="list topics with their partition counts",
        description="List every non-internal topic with its partition count.",
    )
    listing.set_defaults(run=run_list)


def run_create(args: argparse.Namespace, settings: Settings) -> int:
    settings = settings.with_overrides(
        partitions=args.partitions,
        replication_factor=args.replication_factor,
        min_insync_replicas=args.min_insync_replicas,
    )
    wait_for_broker(settings)
    for name, partitions in create_topics(settings).items():
        print(f"{name}: {'exists' if partitions is None else f'created ({partitions} partitions)'}")
    return 0


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    wait_for_broker(settings)
    for topic in describe_topics(settings):
        print(f"{topic.name}\t{topic.partitions}")
    return 0
