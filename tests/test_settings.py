from __future__ import annotations

import pytest

from workers.exceptions import ConfigError
from workers.settings import Settings


def test_defaults_name_the_documented_topics() -> None:
    s = Settings(data_dir="/tmp/x")
    assert s.all_topics == ("articles.raw", "articles.enriched", "claims", "entities", "articles.dlq")
    assert s.partitions == 6


def test_environment_overrides_and_coerces_integers() -> None:
    s = Settings.from_env({"NEWSFLOW_PARTITIONS": "3", "NEWSFLOW_TOPIC_RAW": "in", "HOME": "/x"})
    assert (s.partitions, s.topic_raw) == (3, "in")


def test_unknown_variable_is_an_error() -> None:
    with pytest.raises(ConfigError, match="E103"):
        Settings.from_env({"NEWSFLOW_PARTITONS": "3"})


def test_non_integer_is_an_error() -> None:
    with pytest.raises(ConfigError, match="E104"):
        Settings.from_env({"NEWSFLOW_PARTITIONS": "many"})


def test_non_positive_partitions_is_an_error() -> None:
    with pytest.raises(ConfigError, match="E101"):
        Settings(partitions=0)


def test_with_overrides_ignores_none() -> None:
    s = Settings(data_dir="/tmp/x").with_overrides(partitions=None, topic_raw="in")
    assert (s.partitions, s.topic_raw) == (6, "in")


def test_isolated_copy_suffixes_every_topic_and_the_group() -> None:
    s = Settings(data_dir="/tmp/x").isolated("t1")
    assert s.all_topics == ("articles.raw-t1", "articles.enriched-t1", "claims-t1", "entities-t1", "articles.dlq-t1")
    assert (s.group_id, s.dedup_changelog_topic) == ("newsflow-enricher-t1", "newsflow-enricher-t1-dedup-changelog")
