"""Fixtures for the pure core: the poison-pill guard's changelog without Kafka."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from workers.pipeline.inflight import InFlightGuard
from workers.state.store import Change, ChangelogStore


class FakeChangelog:
    """Stands in for the guard's changelog topic: the changes written, in log order,
    and whether each write waited for Kafka."""

    def __init__(self) -> None:
        self.log: list[tuple[bytes, bytes | None]] = []
        self.writes: list[tuple[list[tuple[bytes, bytes | None]], bool]] = []

    def write(self, changes: Sequence[tuple[bytes, bytes | None]], *, wait: bool) -> None:
        self.log += changes
        self.writes.append((list(changes), wait))

    def replicate(self, store: ChangelogStore) -> None:
        """Apply the whole log to ``store``, as a worker's replica does."""
        store.apply(Change(0, offset, key, value) for offset, (key, value) in enumerate(self.log))


@pytest.fixture
def changelog() -> FakeChangelog:
    return FakeChangelog()


@pytest.fixture
def start_guard(tmp_path: Path, changelog: FakeChangelog) -> Iterator[Callable[[], InFlightGuard]]:
    """Factory: the guard of a newly started worker (its own replica, caught up with
    the changelog, and a new incarnation), all writing to ``changelog``."""
    stores: list[ChangelogStore] = []

    def start() -> InFlightGuard:
        store = ChangelogStore(tmp_path / f"guard-{len(stores)}")
        stores.append(store)
        changelog.replicate(store)
        return InFlightGuard(store, changelog)

    yield start
    for store in stores:
        store.close()
