"""The Faust app's producer settings follow the worker's size limits and publish timeout."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from workers.settings import Settings
from workers.stream.app import PRODUCER_BATCH_BYTES, PRODUCER_REQUEST_HEADROOM, create_app


def test_producer_batches_stay_under_the_smallest_output_topic_limit(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    assert create_app(settings).conf.producer_max_batch_size == PRODUCER_BATCH_BYTES
    assert create_app(settings, smallest_topic_limit=2000).conf.producer_max_batch_size == 2000
    assert create_app(settings, smallest_topic_limit=10**7).conf.producer_max_batch_size == PRODUCER_BATCH_BYTES


def test_the_producer_takes_any_record_the_worker_s_own_size_check_lets_through(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(max_message_bytes=300_000)
    assert create_app(settings).conf.producer_max_request_size == 300_000 + PRODUCER_REQUEST_HEADROOM


def test_the_producer_retries_on_its_own_for_as_long_as_the_publish_timeout(
    make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PRODUCER_REQUEST_TIMEOUT", raising=False)
    assert make_settings().publish_timeout_seconds == 300.0
    assert create_app(make_settings(publish_timeout_seconds=42.0)).conf.producer_request_timeout == 42.0
