"""Admin requests ride out a broker that died but is still in the cluster's metadata."""

from __future__ import annotations

from typing import Any

import pytest
from kafka.errors import KafkaConnectionError

from workers.exceptions import KafkaUnavailable
from workers.kafka import admin
from workers.settings import Settings


class FlakyAdmin:
    """A stand-in for KafkaAdminClient whose first ``failures`` clients hit a dead broker."""

    failures = 0
    made = 0
    closed = 0

    def __init__(self, **_config: Any) -> None:
        type(self).made += 1
        self.dead = type(self).made <= type(self).failures

    def list_topics(self) -> list[str]:
        if self.dead:
            raise KafkaConnectionError("111 ECONNREFUSED")
        return ["articles.raw", "__consumer_offsets"]

    def describe_topics(self, names: list[str]) -> list[dict[str, Any]]:
        return [{"name": n, "partitions": [{}, {}]} for n in names]

    def close(self) -> None:
        type(self).closed += 1


@pytest.fixture
def flaky(monkeypatch: pytest.MonkeyPatch) -> type[FlakyAdmin]:
    monkeypatch.setattr(admin, "KafkaAdminClient", FlakyAdmin)
    monkeypatch.setattr(admin, "_ADMIN_RETRY_PAUSE", 0.0)
    FlakyAdmin.made = FlakyAdmin.closed = 0
    return FlakyAdmin


def test_a_request_that_hits_a_dead_broker_is_sent_again_with_a_fresh_client(flaky: type[FlakyAdmin]) -> None:
    flaky.failures = 2
    topics = admin.describe_topics(Settings(data_dir="/x"))
    assert topics == [admin.TopicInfo("articles.raw", 2)]
    assert (flaky.made, flaky.closed) == (3, 3)


def test_a_broker_that_keeps_refusing_is_e434(flaky: type[FlakyAdmin], monkeypatch: pytest.MonkeyPatch) -> None:
    flaky.failures = 10**6
    monkeypatch.setattr(admin, "ADMIN_RETRY_SECONDS", 0.05)
    with pytest.raises(KafkaUnavailable, match=r"\[E434\] admin requests to 127.0.0.1:9092 kept failing"):
        admin.describe_topics(Settings(data_dir="/x"))
    assert flaky.made == flaky.closed > 1
