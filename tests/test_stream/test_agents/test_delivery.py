"""Publishing with retries: passing errors are retried for the unacknowledged records
only; final ones dead-letter their input, and the rest of the batch goes on."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from aiokafka import errors
from faust.exceptions import ProducerSendError

from workers.pipeline.enrich import Enricher
from workers.pipeline.events import OutputRecord
from workers.pipeline.process import InputRecord, RecordProcessor
from workers.settings import Settings
from workers.stream.agents.delivery import Publisher, deliver, permanent_reason
from workers.stream.exceptions import DeliveryImpossible, DeliveryTimedOut, UnexpectedPublishError

#: Publish timeout of the tests that are not about it: never reached.
TIMEOUT = 3600.0
BODY = "The mayor of Boston said on Monday that the bridge would reopen. Critics denied it."


class FakeKafka:
    """Acknowledges every record, except those ``refuse`` answers with an error for."""

    def __init__(self, refuse: Callable[[OutputRecord, int], BaseException | None] = lambda r, n: None) -> None:
        self.refuse = refuse
        self.attempts: list[OutputRecord] = []
        self.acknowledged: list[OutputRecord] = []

    async def send(self, record: OutputRecord) -> asyncio.Future[Any]:
        self.attempts.append(record)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        error = self.refuse(record, sum(r == record for r in self.attempts))
        if error is None:
            self.acknowledged.append(record)
            future.set_result(None)
        else:
            future.set_exception(error)
        return future


def wrapped(error: BaseException) -> BaseException:
    """As Faust raises the client's errors."""
    try:
        raise ProducerSendError("Error while sending") from error
    except ProducerSendError as exc:
        return exc


def test_errors_that_never_pass_are_told_from_those_that_may() -> None:
    assert permanent_reason(errors.MessageSizeTooLargeError()) == "output_too_large"
    assert permanent_reason(wrapped(errors.RecordTooLargeError())) == "output_too_large"
    assert permanent_reason(wrapped(errors.TopicAuthorizationFailedError())) == "output_rejected"
    assert permanent_reason(errors.InvalidTopicError()) == "output_rejected"
    for passing in (errors.NotEnoughReplicasError(), errors.KafkaTimeoutError(), errors.KafkaConnectionError()):
        assert permanent_reason(wrapped(passing)) is None


def test_the_clients_own_retriable_marking_decides_what_passes() -> None:
    # Every error aiokafka marks retriable passes; one it does not mark is final,
    # whether or not a list here names it.
    kafka_errors = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.KafkaError)]
    retriable = [c for c in kafka_errors if c.retriable]
    assert errors.RequestTimedOutError in retriable and errors.NotLeaderForPartitionError in retriable
    for error in retriable:
        assert permanent_reason(wrapped(error())) is None, error
    for final in (errors.InvalidTimestampError, errors.UnknownError, errors.InvalidRequiredAcksError):
        assert not final.retriable
        assert permanent_reason(wrapped(final())) == "output_rejected", final


@pytest.mark.parametrize(
    "error",
    [TypeError("unsupported operand"), ValueError("bad"), errors.ProducerClosed(), errors.KafkaError("sender died")],
    ids=["TypeError", "ValueError", "ProducerClosed", "bare KafkaError"],
)
def test_an_error_that_is_not_kafka_refusing_a_record_is_neither_retried_nor_dead_lettered(
    error: BaseException,
) -> None:
    with pytest.raises(UnexpectedPublishError, match="E605"):
        permanent_reason(wrapped(error))


@pytest.mark.asyncio
async def test_a_bug_during_publish_ends_the_publish_at_once_without_a_retry() -> None:
    records = [OutputRecord("t", b"k", b"v")]
    kafka = FakeKafka(lambda r, n: TypeError("'NoneType' object is not subscriptable"))
    retries: list[int] = []
    publisher = Publisher(kafka.send, timeout=TIMEOUT, on_retry=lambda: retries.append(1), delays=(0.0,))
    with pytest.raises(UnexpectedPublishError, match=r"\[E605\].*TypeError.*a bug in the worker"):
        await publisher.publish(records)
    assert (len(kafka.attempts), retries) == (1, [])


class FakeClock:
    """Monotonic seconds that move only when the publisher sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.asyncio
async def test_passing_errors_are_retried_only_until_the_publish_timeout_then_e604(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = FakeClock()

    async def sleep(delay: float) -> None:
        clock.now += delay

    monkeypatch.setattr("workers.stream.agents.delivery.asyncio.sleep", sleep)
    records = [OutputRecord("t", f"k{i}".encode(), b"v") for i in range(3)]
    kafka = FakeKafka(lambda r, n: wrapped(errors.NotEnoughReplicasError()) if r.key != b"k0" else None)
    resent: list[int] = []
    publisher = Publisher(kafka.send, timeout=30.0, on_resend=resent.append, delays=(1.0, 2.0, 5.0), clock=clock)
    with pytest.raises(DeliveryTimedOut, match=r"\[E604\] 2 of 3 records not acknowledged .* within 30 s") as caught:
        await publisher.publish(records)
    assert "NotEnoughReplicasError" in str(caught.value) and "exits 70" in str(caught.value)
    # Backoff 1, 2, then 5 s: after the 8th attempt 28 s have passed, and 5 s more would
    # pass the timeout, so the publisher gives up then instead of sleeping past it.
    assert "after 8 attempt(s)" in str(caught.value)
    assert clock.now == 28.0
    assert [r.key for r in kafka.acknowledged] == [b"k0"]
    assert resent == [2] * 7 and len(kafka.attempts) == 3 + 2 * 7


@pytest.mark.asyncio
async def test_the_rounds_of_one_batch_share_one_publish_deadline(
    processor: RecordProcessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock()

    async def sleep(delay: float) -> None:
        clock.now += delay

    monkeypatch.setattr("workers.stream.agents.delivery.asyncio.sleep", sleep)
    records = inputs("a1")
    outcomes = processor.process_batch(records)

    def refuse(record: OutputRecord, n: int) -> BaseException | None:
        # Claims pass on the third try (3 s of backoff); the article event never does.
        if record.topic == "articles.enriched" or (record.topic == "claims" and n < 3):
            return errors.NotEnoughReplicasError()
        return None

    publisher = Publisher(FakeKafka(refuse).send, timeout=10.0, delays=(1.0, 2.0, 5.0), clock=clock)
    with pytest.raises(DeliveryTimedOut, match="E604"):
        await deliver(publisher, processor, records, outcomes)
    # A deadline per round would have let the article event's round run to 3 + 10 s.
    assert clock.now <= 10.0


@pytest.mark.asyncio
async def test_acknowledgements_that_never_come_end_in_e604_at_the_publish_timeout() -> None:
    loop = asyncio.get_running_loop()

    async def send(record: OutputRecord) -> asyncio.Future[Any]:
        return loop.create_future()  # the client retries on its own, and never answers

    with pytest.raises(DeliveryTimedOut, match=r"\[E604\] 1 of 1 records .*no acknowledgement and no error"):
        await Publisher(send, timeout=0.05).publish([OutputRecord("t", b"k", b"v")])


@pytest.mark.asyncio
async def test_records_sent_again_are_counted() -> None:
    records = [OutputRecord("t", f"k{i}".encode(), b"v") for i in range(4)]
    kafka = FakeKafka(lambda r, n: errors.RequestTimedOutError() if r.key in (b"k1", b"k2") and n == 1 else None)
    resent: list[int] = []
    await Publisher(kafka.send, timeout=TIMEOUT, on_resend=resent.append, delays=(0.0,)).publish(records)
    assert resent == [2] and len(kafka.attempts) == 6


@pytest.mark.asyncio
async def test_a_retry_sends_again_only_the_records_not_acknowledged() -> None:
    records = [OutputRecord("t", f"k{i}".encode(), b"v") for i in range(5)]
    kafka = FakeKafka(lambda r, n: errors.NotEnoughReplicasError() if r.key == b"k3" and n < 3 else None)
    retries: list[int] = []
    publisher = Publisher(kafka.send, timeout=TIMEOUT, on_retry=lambda: retries.append(1), delays=(0.0,))
    assert await publisher.publish(records) == []
    assert sorted(r.key for r in kafka.acknowledged) == sorted(r.key for r in records)  # each once
    assert [r.key for r in kafka.attempts].count(b"k3") == 3 and len(kafka.attempts) == 7
    assert len(retries) == 2


@pytest.mark.asyncio
async def test_a_record_refused_for_good_is_handed_back_not_retried() -> None:
    records = [OutputRecord("t", b"ok", b"v"), OutputRecord("t", b"big", b"v")]
    kafka = FakeKafka(lambda r, n: wrapped(errors.MessageSizeTooLargeError()) if r.key == b"big" else None)
    [failure] = await Publisher(kafka.send, timeout=TIMEOUT, delays=(0.0,)).publish(records)
    assert (failure.index, failure.reason, len(kafka.attempts)) == (1, "output_too_large", 2)
    assert "MessageSizeTooLargeError" in failure.error


@pytest.mark.asyncio
async def test_a_send_that_raises_before_queueing_counts_like_a_refused_delivery() -> None:
    # aiokafka raises from send() itself for a record over max_request_size (never
    # passes), and when a topic's metadata does not come in time (may pass).
    records = [OutputRecord(topic, f"k{i}".encode(), b"v") for i, topic in enumerate("aabba")]
    calls: list[bytes | None] = []
    kafka = FakeKafka()
    gone = {"b"}

    async def send(record: OutputRecord) -> asyncio.Future[Any]:
        calls.append(record.key)
        if record.key == b"k1":
            raise errors.MessageSizeTooLargeError()
        if record.topic in gone:
            gone.clear()  # back for the next attempt
            raise errors.KafkaTimeoutError()
        return await kafka.send(record)

    [failure] = await Publisher(send, timeout=TIMEOUT, delays=(0.0,)).publish(records)
    assert (failure.index, failure.reason) == (1, "output_too_large")
    assert [r.key for r in kafka.acknowledged] == [b"k0", b"k4", b"k2", b"k3"]
    # The topic without metadata was tried once in the first attempt, not once a record.
    assert calls == [b"k0", b"k1", b"k2", b"k4", b"k2", b"k3"]


@pytest.fixture
def processor(enricher: Enricher, make_settings: Callable[..., Settings]) -> RecordProcessor:
    return RecordProcessor(enricher, make_settings(dedup_enabled=False), clock=lambda: "2024-12-05T12:00:00Z")


def inputs(*ids: str) -> list[InputRecord]:
    return [
        InputRecord("articles.raw", 0, n, i.encode(), orjson.dumps({"id": i, "body": BODY})) for n, i in enumerate(ids)
    ]


@pytest.mark.asyncio
async def test_an_article_whose_event_is_refused_is_dead_lettered_and_its_batch_goes_on(
    processor: RecordProcessor,
) -> None:
    records = inputs("a1", "a2", "a3")
    outcomes = processor.process_batch(records)

    def refuse(record: OutputRecord, n: int) -> BaseException | None:
        if record.topic == "articles.enriched" and record.key == b"a2":
            return wrapped(errors.MessageSizeTooLargeError())
        return None

    kafka = FakeKafka(refuse)
    final, published = await deliver(
        Publisher(kafka.send, timeout=TIMEOUT, delays=(0.0,)), processor, records, outcomes
    )
    assert [o.status for o in final] == ["enriched", "dead_letter", "enriched"]
    assert final[1].reason == "output_too_large"
    letter = orjson.loads(final[1].outputs[0].value)
    assert (letter["offset"], letter["article_id"], letter["value"]) == (1, "a2", records[1].value.decode())
    enriched = [r.key for r in kafka.acknowledged if r.topic == "articles.enriched"]
    assert sorted(enriched) == [b"a1", b"a3"]
    assert len(kafka.acknowledged) == len(set(kafka.acknowledged)) == len(published)  # nothing published twice


@pytest.mark.asyncio
async def test_an_article_event_waits_for_its_claims_and_is_not_sent_when_one_is_refused(
    processor: RecordProcessor,
) -> None:
    records = inputs("a1")
    outcomes = processor.process_batch(records)
    kafka = FakeKafka(lambda r, n: errors.TopicAuthorizationFailedError() if r.topic == "claims" else None)
    final, _ = await deliver(Publisher(kafka.send, timeout=TIMEOUT, delays=(0.0,)), processor, records, outcomes)
    assert final[0].reason == "output_rejected"
    assert [r.topic for r in kafka.acknowledged if r.topic in ("articles.enriched", "articles.dlq")] == ["articles.dlq"]


@pytest.mark.asyncio
async def test_a_dead_letter_refused_for_good_goes_out_without_the_value_then_gives_up(
    processor: RecordProcessor,
) -> None:
    records = [InputRecord("articles.raw", 0, 9, b"k", b"not json")]
    outcomes = processor.process_batch(records)
    kafka = FakeKafka(lambda r, n: errors.MessageSizeTooLargeError() if b"not json" in r.value else None)
    final, _ = await deliver(Publisher(kafka.send, timeout=TIMEOUT, delays=(0.0,)), processor, records, outcomes)
    letter = orjson.loads(final[0].outputs[0].value)
    assert (letter["value"], letter["key"], letter["value_omitted"], letter["reason"]) == (
        "",
        None,
        True,
        "invalid_json",
    )
    assert final[0].outputs[0].key == b"articles.raw:0:9"

    refusing = FakeKafka(lambda r, n: errors.TopicAuthorizationFailedError())
    with pytest.raises(DeliveryImpossible, match="E602"):
        await deliver(
            Publisher(refusing.send, timeout=TIMEOUT, delays=(0.0,)),
            processor,
            records,
            processor.process_batch(records),
        )
