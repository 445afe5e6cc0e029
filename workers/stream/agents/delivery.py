"""Publish records until Kafka acknowledges them, telling passing errors from final ones.

A broker that is away, a partition without enough in-sync replicas, a timeout: these
pass, and the records are sent again, with backoff, for as long as it takes (the worker
stalls, its lag grows and alerts fire, and no input is committed meanwhile). A record
too large for its topic, an invalid topic, a refused authorization: these never pass,
and retrying them would stall the partition for good. They are handed back to the
caller, which dead-letters the input they came from.

Only the records that were not acknowledged are sent again: a retry never repeats a
record Kafka already has.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from aiokafka import errors

from workers.exceptions import Reason
from workers.pipeline.events import OutputRecord
from workers.pipeline.process import InputRecord, Outcome, RecordProcessor
from workers.stream.exceptions import DeliveryImpossible

__all__ = ["Failure", "Publisher", "deliver", "permanent_reason"]

log = logging.getLogger(__name__)

#: Backoff between attempts to send records while Kafka refuses them.
RETRY_DELAYS = (0.5, 1.0, 2.0, 5.0, 10.0)

_TOO_LARGE = (errors.MessageSizeTooLargeError, errors.RecordTooLargeError, errors.RecordListTooLargeError)
_REJECTED = (
    errors.InvalidTopicError,
    errors.TopicAuthorizationFailedError,
    errors.ClusterAuthorizationFailedError,
    errors.PolicyViolationError,
    errors.CorruptRecordException,
    errors.UnsupportedForMessageFormatError,
)

#: Sends one record and returns the future of its acknowledgement.
Send = Callable[[OutputRecord], Awaitable[Awaitable[object]]]


def permanent_reason(exc: BaseException) -> Reason | None:
    """``output_too_large`` or ``output_rejected`` when ``exc`` (or what caused it: Faust
    wraps the client's errors) can never pass by retrying; None when it may."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, _TOO_LARGE):
            return "output_too_large"
        if isinstance(seen, _REJECTED):
            return "output_rejected"
        seen = seen.__cause__
    return None


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
        on_retry: called once per failed attempt (a metric).
        delays: backoff between attempts, the last one repeated.
    """

    def __init__(
        self,
        send: Send,
        *,
        on_retry: Callable[[], None] = lambda: None,
        delays: Sequence[float] = RETRY_DELAYS,
    ) -> None:
        self._send = send
        self._on_retry = on_retry
        self._delays = tuple(delays)

    async def publish(self, records: Sequence[OutputRecord]) -> list[Failure]:
        """Send ``records`` until each is acknowledged or refused for good.

        Returns:
            The records refused for good, with their index in ``records``.
        """
        pending = list(range(len(records)))
        failures: list[Failure] = []
        attempt = 0
        while pending:
            results = await self._attempt([records[i] for i in pending])
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
                self._on_retry()
                delay = self._delays[min(attempt, len(self._delays) - 1)]
                attempt += 1
                log.warning(
                    "%d of %d records not acknowledged (%r); attempt %d, sending them again in %.1f s",
                    len(pending),
                    len(records),
                    retry[0][1],
                    attempt,
                    delay,
                )
                await asyncio.sleep(delay)
        return sorted(failures, key=lambda f: f.index)

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
    publisher: Publisher, processor: RecordProcessor, records: Sequence[InputRecord], outcomes: Sequence[Outcome]
) -> tuple[list[Outcome], list[OutputRecord]]:
    """Publish every outcome's records, an article's event after its claims and entities.

    An input one of whose records Kafka refuses for good is given the outcome
    :meth:`~workers.pipeline.process.RecordProcessor.output_failed` decides instead (a dead
    letter), and that is published in the next round; its article event, if not sent
    yet, never is. What an input had published before stays published.

    Returns:
        The outcomes as published, and every record Kafka acknowledged.

    Raises:
        DeliveryImpossible: Kafka refused even a dead letter without the input's value.
    """
    enriched = processor.settings.topic_enriched
    final = list(outcomes)
    todo = {i: list(outcome.outputs) for i, outcome in enumerate(final)}
    published: list[OutputRecord] = []
    while todo:
        now = {i: rest[:-1] if len(rest) > 1 and rest[-1].topic == enriched else rest for i, rest in todo.items()}
        sent = [(i, record) for i, head in now.items() for record in head]
        failures = await publisher.publish([record for _, record in sent])
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
    what = f"{failure.record.topic} refused a record of {len(failure.record.value)} bytes for good ({failure.error})"
    instead = processor.output_failed(record, outcome, failure.record, failure.reason, failure.error)
    if instead is None:
        raise DeliveryImpossible(f"[E602] {what}, even a dead letter without the input's value")
    log.error("%s: dead-lettering its input %s[%d]@%d", what, record.topic, record.partition, record.offset)
    return instead


def _describe(exc: BaseException) -> str:
    """The error at the root of ``exc`` (Faust wraps the client's)."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return f"{type(exc).__name__}: {exc}"
