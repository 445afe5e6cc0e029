"""Every Prometheus metric of the pipeline, declared in one place.

Names follow ``newsflow_<what>_<unit>`` in base units (seconds, bytes), counters end in
``_total``, and labels have low cardinality: topic, partition, stage, reason; never an
article id. Faust's built-in Prometheus sensor is not used: it reports milliseconds and
can crash on a rebalance.

Tests build :class:`PipelineMetrics` on a fresh ``CollectorRegistry``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Literal, get_args

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info

from workers.exceptions import Reason

__all__ = [
    "FAILURE_REASONS",
    "METRIC_NAMES",
    "SINK_ERROR_KINDS",
    "SINK_OUTCOMES",
    "SINK_TABLES",
    "STAGES",
    "STORIES_OUTCOMES",
    "PipelineMetrics",
    "SinkMetrics",
    "Stage",
    "StoriesMetrics",
]

PREFIX = "newsflow"

#: The timed steps of processing one article (``geo``, the gazetteer lookups, runs inside
#: ``entities``; ``publish`` is the wait for Kafka's acknowledgement).
Stage = Literal["decode", "nlp", "entities", "claims", "geo", "dedup", "publish"]
STAGES: tuple[Stage, ...] = ("decode", "nlp", "entities", "claims", "geo", "dedup", "publish")
#: Why processing went wrong besides a dead letter (``failures_total{reason}``).
FAILURE_REASONS = (
    "publish_failed",
    "dedup_failed",
    "dedup_replica_failed",
    "poison_replica_failed",
    "lag_probe_failed",
)

# Latency buckets from 1 ms to 2 min: an article takes milliseconds in spaCy's small
# model, seconds under backlog, and end-to-end latency includes queueing in Kafka.
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
_COUNT_BUCKETS = (0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144)
_BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128)


class PipelineMetrics:
    """The metrics of one worker process.

    Args:
        registry: where to register; a fresh ``CollectorRegistry()`` in tests.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        p = PREFIX
        self.consumed = Counter(
            f"{p}_records_consumed_total", "Records read from an input topic.", ["topic"], registry=registry
        )
        self.produced = Counter(
            f"{p}_records_produced_total",
            "Records acknowledged by Kafka on an output topic.",
            ["topic"],
            registry=registry,
        )
        self.enriched = Counter(f"{p}_articles_enriched_total", "Articles enriched and published.", registry=registry)
        self.dead_letters = Counter(
            f"{p}_dead_letters_total",
            "Inputs routed to the dead-letter topic, by reason.",
            ["reason"],
            registry=registry,
        )
        self.failures = Counter(
            f"{p}_failures_total",
            "Errors while processing, by reason (a failed input also counts as a dead letter).",
            ["reason"],
            registry=registry,
        )
        self.records_resent = Counter(
            f"{p}_records_resent_total",
            "Output records sent again after an attempt Kafka did not acknowledge (each may be in Kafka twice).",
            registry=registry,
        )
        self.duplicates = Counter(
            f"{p}_duplicates_total",
            "Articles flagged as duplicates, by kind (exact, near).",
            ["kind"],
            registry=registry,
        )
        self.stage_seconds = Histogram(
            f"{p}_stage_duration_seconds",
            "Time spent in one processing stage per article.",
            ["stage"],
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.end_to_end_seconds = Histogram(
            f"{p}_end_to_end_latency_seconds",
            "From the input record's Kafka timestamp to its outputs being acknowledged.",
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.batch_size = Histogram(
            f"{p}_batch_size_articles",
            "Articles per batch handed to the NLP.",
            buckets=_BATCH_BUCKETS,
            registry=registry,
        )
        self.entities_per_article = Histogram(
            f"{p}_article_entities",
            "Distinct entities per enriched article.",
            buckets=_COUNT_BUCKETS,
            registry=registry,
        )
        self.claims_per_article = Histogram(
            f"{p}_article_claims",
            "Claims per enriched article.",
            buckets=_COUNT_BUCKETS,
            registry=registry,
        )
        self.lag = Gauge(
            f"{p}_consumer_lag_messages",
            "Log-end offset minus committed offset, per assigned input partition.",
            ["topic", "partition"],
            registry=registry,
        )
        self.dedup_replica_lag = Gauge(
            f"{p}_dedup_replica_lag_records",
            "Changelog records of the duplicate index not yet applied to this worker's replica.",
            registry=registry,
        )
        self.assigned_partitions = Gauge(
            f"{p}_assigned_partitions", "Input partitions assigned to this worker.", registry=registry
        )
        self.rebalances = Counter(
            f"{p}_rebalances_total", "Consumer group rebalances seen by this worker.", registry=registry
        )
        self.ready = Gauge(
            f"{p}_worker_ready", "1 when the model is loaded and partitions are assigned.", registry=registry
        )
        self.last_processed = Gauge(
            f"{p}_last_processed_timestamp_seconds",
            "Unix time at which this worker last finished an input.",
            registry=registry,
        )
        self.build = Info(f"{p}_build", "Versions of the pipeline, its model and its libraries.", registry=registry)

    def start_series(self, *, input_topic: str, output_topics: Iterable[str]) -> None:
        """Create every labelled series at zero before the first event.

        A series that appears with its first increment is invisible to ``rate()`` and
        ``increase()`` for that increment, so an alert on the first dead letter of a
        reason could never fire.
        """
        self.consumed.labels(topic=input_topic)
        for topic in output_topics:
            self.produced.labels(topic=topic)
        for reason in get_args(Reason):
            self.dead_letters.labels(reason=reason)
        for reason in FAILURE_REASONS:
            self.failures.labels(reason=reason)
        for kind in ("exact", "near"):
            self.duplicates.labels(kind=kind)
        for stage in STAGES:
            self.stage_seconds.labels(stage=stage)

    @contextmanager
    def time_stage(self, stage: str, articles: int = 1) -> Iterator[None]:
        """Observe the ``with`` block's duration as ``stage``, per article.

        A stage run once for a batch of ``articles`` (the NLP, through ``nlp.pipe``)
        records its duration divided by the batch size, once per article, so the
        histogram stays "seconds per article" whatever the batching.
        """
        began = time.perf_counter()
        try:
            yield
        finally:
            per_article = (time.perf_counter() - began) / max(1, articles)
            child = self.stage_seconds.labels(stage=stage)
            for _ in range(max(1, articles)):
                child.observe(per_article)

    def set_lag(self, topic: str, lags: dict[int, int]) -> None:
        """Replace the lag series of ``topic`` with ``lags`` (partition -> messages).

        Partitions no longer assigned disappear instead of reporting a stale value.
        """
        for labels in list(self.lag._metrics):
            if labels[0] == topic and int(labels[1]) not in lags:
                self.lag.remove(*labels)
        for partition, lag in lags.items():
            self.lag.labels(topic=topic, partition=str(partition)).set(lag)


#: The tables the sink writes (``sink_rows_written_total{table}``).
SINK_TABLES = (
    "articles",
    "entities",
    "article_entities",
    "mentions",
    "claims",
    "dead_letters",
    "stories",
    "story_articles",
    "claim_links",
    "trends",
)
#: What became of an event the sink read (``sink_events_total{outcome}``; the story
#: stage's events count alike, a story event by its article's membership): written anew,
#: replacing an earlier version, the same version again (written once), older than the
#: stored version (left alone), or a dead-letter row (from ``articles.dlq``, or a record
#: the sink could not read or the database refused).
SINK_OUTCOMES = ("new", "replaced", "duplicate", "stale", "dead_letter")
#: What went wrong with the database (``sink_database_errors_total{kind}``): unreachable,
#: another sink had moved a partition's offset, a row refused for good, anything else.
SINK_ERROR_KINDS = ("unavailable", "stale_offsets", "rejected", "other")
# A transaction of up to a few thousand events: milliseconds to seconds.
_TRANSACTION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class SinkMetrics:
    """The metrics of one ``newsflow sink`` process.

    Args:
        registry: where to register; a fresh ``CollectorRegistry()`` in tests.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        p = f"{PREFIX}_sink"
        self.rows_written = Counter(
            f"{p}_rows_written_total", "Rows the sink inserted or updated, by table.", ["table"], registry=registry
        )
        self.events = Counter(
            f"{p}_events_total", "Events the sink read and committed, by outcome.", ["outcome"], registry=registry
        )
        self.transaction_seconds = Histogram(
            f"{p}_transaction_duration_seconds",
            "Duration of one committed batch transaction (rows and offsets).",
            buckets=_TRANSACTION_BUCKETS,
            registry=registry,
        )
        self.batch_size = Histogram(
            f"{p}_batch_size_events",
            "Events per committed transaction.",
            buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000),
            registry=registry,
        )
        self.database_errors = Counter(
            f"{p}_database_errors_total",
            "Failed database operations, by kind (each retried; nothing is skipped).",
            ["kind"],
            registry=registry,
        )
        self.lag = Gauge(
            f"{p}_lag_messages",
            "Partition's high watermark minus the next offset the sink stored, per assigned partition.",
            ["topic", "partition"],
            registry=registry,
        )
        self.assigned_partitions = Gauge(
            f"{p}_assigned_partitions", "Input partitions assigned to this sink.", registry=registry
        )
        self.last_commit = Gauge(
            f"{p}_last_commit_timestamp_seconds",
            "Unix time of this sink's last committed transaction.",
            registry=registry,
        )
        for table in SINK_TABLES:
            self.rows_written.labels(table=table)
        for outcome in SINK_OUTCOMES:
            self.events.labels(outcome=outcome)
        for kind in SINK_ERROR_KINDS:
            self.database_errors.labels(kind=kind)

    def set_lag(self, lags: dict[tuple[str, int], int]) -> None:
        """Replace the lag series with ``lags`` ((topic, partition) -> messages)."""
        wanted = {(topic, str(partition)) for topic, partition in lags}
        for labels in list(self.lag._metrics):
            if labels not in wanted:
                self.lag.remove(*labels)
        for (topic, partition), lag in lags.items():
            self.lag.labels(topic=topic, partition=str(partition)).set(lag)


#: What became of an article the story stage read (``stories_articles_total{outcome}``):
#: it opened a story, joined one, joined its original's as a copy, was dead-lettered
#: (unreadable), or was placed again from the journal after a restart or take-over.
STORIES_OUTCOMES = ("new", "joined", "duplicate", "dead_lettered", "replayed")
# A batch of the story stage: milliseconds (a few articles) to seconds (a full batch).
_STORIES_BATCH_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class StoriesMetrics:
    """The metrics of one ``newsflow stories`` stage process (active or standby).

    Args:
        registry: where to register; a fresh ``CollectorRegistry()`` in tests.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        p = f"{PREFIX}_stories"
        self.articles = Counter(
            f"{p}_articles_total", "Articles the story stage read, by outcome.", ["outcome"], registry=registry
        )
        self.links = Counter(f"{p}_links_total", "Claim links published, by kind.", ["kind"], registry=registry)
        self.trends = Counter(f"{p}_trends_total", "Trend events published.", registry=registry)
        self.open = Gauge(f"{p}_open", "Stories open in the active stage's state.", registry=registry)
        self.state_bytes = Gauge(
            f"{p}_state_bytes", "Size of the last checkpoint of the stage's state (compressed).", registry=registry
        )
        self.checkpoint_seconds = Histogram(
            f"{p}_checkpoint_seconds",
            "Time to write one checkpoint of the stage's state.",
            buckets=_STORIES_BATCH_BUCKETS,
            registry=registry,
        )
        self.active = Gauge(
            f"{p}_active", "1 on the member that holds the input partitions, 0 on a standby.", registry=registry
        )
        self.batch_seconds = Histogram(
            f"{p}_batch_seconds",
            "Time to take one batch: journal, assign, publish, commit.",
            buckets=_STORIES_BATCH_BUCKETS,
            registry=registry,
        )
        self.takeover_seconds = Gauge(
            f"{p}_takeover_seconds",
            "How long the last take-over of the partitions took: catch up, restore, replay.",
            registry=registry,
        )
        self.lag = Gauge(
            f"{p}_lag_messages",
            "Partition's high watermark minus the stage's position, per held input partition.",
            ["topic", "partition"],
            registry=registry,
        )
        self.assigned_partitions = Gauge(
            f"{p}_assigned_partitions", "Input partitions held by this stage process.", registry=registry
        )
        self.ready = Gauge(
            f"{p}_ready", "1 once the stage has caught up with its changelog (active or standby).", registry=registry
        )
        for outcome in STORIES_OUTCOMES:
            self.articles.labels(outcome=outcome)
        for kind in ("corroborates", "contradicts"):
            self.links.labels(kind=kind)

    def set_lag(self, topic: str, lags: dict[int, int]) -> None:
        """Replace the lag series with ``lags`` (partition -> messages)."""
        for labels in list(self.lag._metrics):
            if int(labels[1]) not in lags:
                self.lag.remove(*labels)
        for partition, lag in lags.items():
            self.lag.labels(topic=topic, partition=str(partition)).set(lag)


#: Every metric family name as Prometheus exposes it, for checking dashboards and alerts.
def _names() -> frozenset[str]:
    registry = CollectorRegistry()
    metrics = PipelineMetrics(registry)
    metrics.build.info({})
    SinkMetrics(registry)
    StoriesMetrics(registry)
    names: set[str] = set()
    for family in registry.collect():
        names.update(sample.name for sample in family.samples)
        names.add(family.name)
    # Histogram series exist once observed; list their standard suffixes up front.
    for family in registry.collect():
        if family.type == "histogram":
            names.update({f"{family.name}_bucket", f"{family.name}_sum", f"{family.name}_count"})
        if family.type == "counter":
            names.add(f"{family.name}_total")
    return frozenset(names)


METRIC_NAMES: frozenset[str] = _names()
