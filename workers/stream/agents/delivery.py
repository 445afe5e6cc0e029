"""Publish records until Kafka acknowledges them, telling passing errors from final ones.

Errors are told apart by the Kafka client's own marking (``retriable`` on aiokafka's
errors, found through Faust's wrapping):

* *passing*: a broker away, a partition without a leader or without enough in-sync
  replicas, a timeout. The records not yet acknowledged, and only those, are sent
  again with backoff, but only until ``timeout`` seconds (``NEWSFLOW_PUBLISH_TIMEOUT_SECONDS``)
  have passed since the batch was first sent (one deadline for all its rounds); then :class:`DeliveryTimedOut` [E604]
  ends the worker (exit 70, nothing committed), so the orchestrator restarts it, the
  alerts fire, and an input that keeps killing workers meets the poison-pill guard.
  The producer itself is given the same timeout (``producer_request_timeout``,
  :mod:`workers.stream.app`): with its idempotent retries it re-sends a batch without
  ever writing it twice, which a re-send of ours cannot promise (to the broker it is a
  new record), so most passing errors never reach this loop.
* *final*: any other error of the Kafka client about a record (too large, an invalid
  topic, a refused authorization, a policy). Retrying it would stall the partition for
  good: it is handed back to the caller, which dead-letters the input it came from.
* *neither*: an error that is not the Kafka client's (a ``TypeError``: a bug in our
  code), or one that says the producer itself is broken (closed, fenced, out of
  sequence). No retry can answer it and no input is to blame:
  :class:`UnexpectedPublishError` [E605] ends the worker (exit 70, nothing committed).

Records sent again after a failed attempt are counted (``on_resend``,
``newsflow_records_resent_total``): a record sent again after the first attempt timed
out may be in Kafka twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from aiokafka import errors

from workers.exceptions import Reason
from workers.pipeline.events import OutputRecord
from workers.pipeline.process import InputRecord, Outcome, RecordProcessor
from workers.stream.exceptions import DeliveryImpossible, DeliveryTimedOut, UnexpectedPublishError

__all__ = ["Failure", "Publisher", "deliver", "permanent_reason"]

log = logging.getLogger(__name__)

#: Backoff between attempts to send records while Kafka refuses them.
RETRY_DELAYS = (0.5, 1.0, 2.0, 5.0, 10.0)

_TOO_LARGE = (errors.MessageSizeTooLargeError, errors.RecordTooLargeError, errors.RecordListTooLargeError)
#: Not marked retriable by aiokafka 0.14, yet what a broker that is away (or starting)
#: gives: a send that waited ``request_timeout`` for room in the buffer or for a topic's
#: metadata (KafkaTimeoutError), a broker or replica not available yet.
_PASSING_UNMARKED = (
    errors.KafkaTimeoutError,
    errors.KafkaUnavailableError,
    errors.BrokerNotAvailableError,
    errors.ReplicaNotAvailableError,
)
#: The producer itself is broken (or misconfigured): every record would fail alike, so
#: the worker restarts rather than dead-letter the stream.
_PRODUCER_BROKEN = (
    errors.ProducerClosed,
    errors.ProducerFenced,
    errors.OutOfOrderSequenceNumber,
    errors.UnknownProducerId,
    errors.InvalidProducerEpoch,
    errors.IllegalStateError,
    errors.KafkaConfigurationError,
    errors.IncompatibleBrokerVersion,
    errors.UnsupportedVersionError,
)

#: Sends one record and returns the future of its acknowledgement.
Send = Callable[[OutputRecord], Awaitable[Awaitable[object]]]


def kafka_error(exc: BaseException) -> errors.KafkaError | None:
    """The Kafka client's error in ``exc`` or what caused it (Faust wraps the client's)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, errors.KafkaError):
            return seen
        seen = seen.__cause__
    return None


def permanent_reason(exc: BaseException) -> Reason | None:
    """``output_too_large`` or ``output_rejected`` when ``exc`` can never pass by
    retrying; None when it may (see the module docstring).

    Raises:
        UnexpectedPublishError: ``exc`` is not the Kafka client refusing a record.
    """
    error = kafka_error(exc)
    if error is None or type(error) is errors.KafkaError or isinstance(error, _PRODUCER_BROKEN):
        # type(...) is KafkaError: aiokafka's sender task died ("Unexpected error during
        # batch delivery"), and every later send fails with a copy of it.
        raise UnexpectedPublishError(
            f"[E605] publishing failed with {_describe(exc)}: not Kafka refusing a record but "
            f"{'a bug in the worker' if error is None else 'a broken producer'}; not retried, nothing committed, "
            "the worker exits 70 to be restarted"
        ) from exc
    if isinstance(error, _TOO_LARGE):
        return "output_too_large"
    if error.retriable or isinstance(error, _PASSING_UNMARKED):
        return None
    return "output_rejected"


@dataclass(frozen=True, slots=True)
class Failure:
    """A record Kafka refused for good."""

    index: int
    record: OutputRecord
    reason: Reason
    error: str


class Publisher:
    """Sends batches of records with retries; see the module docstring.

    Args:
        send: sends one record (``topic.send``), returning its delivery future.
        timeout: seconds a batch may take from its first send until every record is
            acknowledged or refused for good.
        on_retry: called once per failed attempt (a metric).
        on_resend: called with the number of records sent again after a failed attempt.
        delays: backoff between attempts, the last one repeated.
        clock: monotonic seconds; injectable for tests.
    """

    def __init__(
        self,
        send: Send,
        *,
        timeout: float,
        on_retry: Callable[[], None] = lambda: None,
        on_resend: Callable[[int], None] = lambda n: None,
        delays: Sequence[float] = RETRY_DELAYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._send = send
        self.timeout = timeout
        self._on_retry = on_retry
        self._on_resend = on_resend
        self._delays = tuple(delays)
        self._clock = clock

    def deadline(self) -> float:
        """The deadline of a batch whose first send is now (on ``clock``)."""
        return self._clock() + self.timeout

    async def publish(self, records: Sequence[OutputRecord], *, deadline: float | None = None) -> list[Failure]:
        """Send ``records`` until each is acknowledged or refused for good.

        Args:
            deadline: when to give up (on ``clock``), shared by the rounds of one batch;
                ``timeout`` seconds from now by default.

        Returns:
            The records refused for good, with their index in ``records``.

        Raises:
            DeliveryTimedOut: records still unacknowledged at the deadline.
            UnexpectedPublishError: an error that is not Kafka refusing a record.
        """
        pending = list(range(len(records)))
        failures: list[Failure] = []
        attempt = 0
        deadline = self.deadline() if deadline is None else deadline
        last: BaseException | None = None
        while pending:
            remaining = deadline - self._clock()
            try:
                async with asyncio.timeout(max(remaining, 0.0)):
                    results = await self._attempt([records[i] for i in pending])
            except TimeoutError:
                raise self._timed_out(len(pending), len(records), attempt + 1, last) from last
            retry = []
            for i, result in zip(pending, results, strict=True):
                if not isinstance(result, BaseException):
                    continue
                if isinstance(result, asyncio.CancelledError):
                    raise result
                reason = permanent_reason(result)
                if reason is not None:
                    failures.append(Failure(i, records[i], reason, _describe(result)))
                else:
                    retry.append((i, result))
            pending = [i for i, _ in retry]
            if pending:
                last = retry[0][1]
                self._on_retry()
                delay = self._delays[min(attempt, len(self._delays) - 1)]
                attempt += 1
                remaining = deadline - self._clock()
                if remaining <= delay:
                    raise self._timed_out(len(pending), len(records), attempt, last) from last
                log.warning(
                    "%d of %d records not acknowledged (%r); attempt %d, sending them again in %.1f s "
                    "(giving up in %.0f s)",
                    len(pending),
                    len(records),
                    last,
                    attempt,
                    delay,
                    remaining,
                )
                await asyncio.sleep(delay)
                self._on_resend(len(pending))
        return sorted(failures, key=lambda f: f.index)

    def _timed_out(self, pending: int, total: int, attempts: int, last: BaseException | None) -> DeliveryTimedOut:
        why = f"the last error: {_describe(last)}" if last is not None else "no acknowledgement and no error came back"
        return DeliveryTimedOut(
            f"[E604] {pending} of {total} records not acknowledged by Kafka within {self.timeout:g} s "
            f"(NEWSFLOW_PUBLISH_TIMEOUT_SECONDS) after {attempts} attempt(s); {why}. Nothing of the batch "
            "is committed; the worker exits 70 to be restarted"
        )

    async def _attempt(self, records: Sequence[OutputRecord]) -> list[object]:
        """Each record's acknowledgement, or the error that refused it, in order.

        The records are handed to the client one after the other (a send returns as soon
        as the record is queued) and their delivery futures awaited together: no task per
        record, which cost more than the send itself in a batch of thousands. A send that
        fails with a passing error before queueing (a topic without metadata, a full
        buffer: each after a wait) stands for the rest of its topic in this attempt, so
        an attempt waits once per topic, not once per record.
        """
        deliveries: list[Awaitable[object] | BaseException] = []
        stalled: dict[str, BaseException] = {}
        for record in records:
            if record.topic in stalled:
                deliveries.append(stalled[record.topic])
                continue
            try:
                deliveries.append(await self._send(record))
            except Exception as exc:  # noqa: BLE001 - as gather(return_exceptions=True) below: sorted by publish()
                deliveries.append(exc)
                if permanent_reason(exc) is None:
                    stalled[record.topic] = exc
        acks = iter(
            await asyncio.gather(*(d for d in deliveries if not isinstance(d, BaseException)), return_exceptions=True)
        )
        return [d if isinstance(d, BaseException) else next(acks) for d in deliveries]


async def deliver(
    publisher: Publisher,
    processor: RecordProcessor,
    records: Sequence[InputRecord],
    outcomes: Sequence[Outcome],
    *,
    deadline: float | None = None,
) -> tuple[list[Outcome], list[OutputRecord]]:
    """Publish every outcome's records, an article's event after its claims and entities.

    An input one of whose records Kafka refuses for good is given the outcome
    :meth:`~workers.pipeline.process.RecordProcessor.output_failed` decides instead (a dead
    letter), and that is published in the next round; its article event, if not sent
    yet, never is. What an input had published before stays published.

    Every round shares ``deadline`` (see :meth:`Publisher.publish`): one batch, one bound.

    Returns:
        The outcomes as published, and every record Kafka acknowledged.

    Raises:
        DeliveryImpossible: Kafka refused even a dead letter without the input's value.
        DeliveryTimedOut, UnexpectedPublishError: from :meth:`Publisher.publish`.
    """
    enriched = processor.settings.topic_enriched
    deadline = publisher.deadline() if deadline is None else deadline
    final = list(outcomes)
    todo = {i: list(outcome.outputs) for i, outcome in enumerate(final)}
    published: list[OutputRecord] = []
    while todo:
        now = {i: rest[:-1] if len(rest) > 1 and rest[-1].topic == enriched else rest for i, rest in todo.items()}
        sent = [(i, record) for i, head in now.items() for record in head]
        failures = await publisher.publish([record for _, record in sent], deadline=deadline)
        refused: dict[int, Failure] = {}
        for failure in failures:
            refused.setdefault(sent[failure.index][0], failure)
        failed = {failure.index for failure in failures}
        published += [record for n, (_, record) in enumerate(sent) if n not in failed]
        later: dict[int, list[OutputRecord]] = {}
        for i, head in now.items():
            if i in refused:
                final[i] = _instead(processor, records[i], final[i], refused[i])
                later[i] = list(final[i].outputs)
            elif len(head) < len(todo[i]):
                later[i] = todo[i][len(head) :]
        todo = later
    return final, published


def _instead(processor: RecordProcessor, record: InputRecord, outcome: Outcome, failure: Failure) -> Outcome:
    size = len(failure.record.value or b"")
    what = f"{failure.record.topic} refused a record of {size} bytes for good ({failure.error})"
    instead = processor.output_failed(record, outcome, failure.record, failure.reason, failure.error)
    if instead is None:
        raise DeliveryImpossible(f"[E602] {what}, even a dead letter without the input's value")
    log.error("%s: dead-lettering its input %s[%d]@%d", what, record.topic, record.partition, record.offset)
    return instead


def _describe(exc: BaseException) -> str:
    """The error at the root of ``exc`` (Faust wraps the client's)."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
