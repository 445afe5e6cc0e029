"""Replication and min.insync.replicas: 1 and 1 on a single broker, 3 and 2 on a cluster."""

from __future__ import annotations

import pytest

from workers.exceptions import ConfigError
from workers.settings import Settings


def test_a_single_broker_is_the_default() -> None:
    settings = Settings(data_dir="/x")
    assert (settings.replication_factor, settings.min_insync_replicas) == (1, 1)


def test_a_cluster_takes_both_from_the_environment() -> None:
    settings = Settings.from_env({"NEWSFLOW_REPLICATION_FACTOR": "3", "NEWSFLOW_MIN_INSYNC_REPLICAS": "2"})
    assert (settings.replication_factor, settings.min_insync_replicas) == (3, 2)


def test_min_insync_replicas_above_the_replication_factor_is_e126() -> None:
    with pytest.raises(ConfigError, match=r"\[E126\] NEWSFLOW_MIN_INSYNC_REPLICAS \(or --min-insync-replicas\) is 2"):
        Settings.from_env({"NEWSFLOW_MIN_INSYNC_REPLICAS": "2"})


def test_lowering_the_replication_factor_below_min_insync_replicas_is_e126() -> None:
    cluster = Settings(data_dir="/x", replication_factor=3, min_insync_replicas=2)
    with pytest.raises(ConfigError, match=r"\[E126\]"):
        cluster.with_overrides(replication_factor=1)


def test_min_insync_replicas_of_zero_is_e101() -> None:
    with pytest.raises(ConfigError, match=r"\[E101\] NEWSFLOW_MIN_INSYNC_REPLICAS"):
        Settings.from_env({"NEWSFLOW_MIN_INSYNC_REPLICAS": "0"})
