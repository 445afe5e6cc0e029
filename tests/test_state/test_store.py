"""The changelog-replicated store: staged writes, log-order replication, restarts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from workers.exceptions import ConfigError
from workers.state.store import Change, ChangelogStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ChangelogStore]:
    s = ChangelogStore(tmp_path / "index")
    yield s
    s.close()


def test_own_write_is_readable_at_once_and_handed_out_once_for_the_changelog(store: ChangelogStore) -> None:
    store[b"k1"] = b"a"
    store[b"k2"] = b"b"
    assert (store.get(b"k1"), b"k2" in store, b"k3" in store) == (b"a", True, False)
    assert store.take_pending() == [(b"k1", b"a"), (b"k2", b"b")]
    assert store.take_pending() == []
    assert store.staged_count == 2


def test_a_staged_write_leaves_the_stage_when_the_log_shows_it(store: ChangelogStore) -> None:
    store[b"k"] = b"mine"
    assert store.apply([Change(0, 7, b"k", b"mine")]) == 1
    assert store.staged_count == 0
    assert store.get(b"k") == b"mine"
    assert store.applied_offsets() == {0: 7}


def test_another_workers_earlier_write_does_not_hide_ours_until_ours_is_in_the_log(store: ChangelogStore) -> None:
    store[b"k"] = b"mine"
    store.apply([Change(0, 3, b"k", b"theirs")])  # written before ours reached the log
    assert store.get(b"k") == b"mine" and store.staged_count == 1
    store.apply([Change(0, 4, b"k", b"mine")])
    assert store.get(b"k") == b"mine" and store.staged_count == 0


def test_replica_follows_log_order_for_writes_of_others(store: ChangelogStore) -> None:
    store.apply([Change(0, 0, b"k", b"first"), Change(0, 1, b"k", b"second"), Change(0, 2, b"gone", b"x")])
    store.apply([Change(0, 3, b"gone", None)])
    assert store.snapshot() == {b"k": b"second"}
    assert store.applied_offsets() == {0: 3}


def test_applied_records_and_offsets_survive_a_reopen_but_staged_writes_do_not(tmp_path: Path) -> None:
    first = ChangelogStore(tmp_path / "index")
    first.apply([Change(0, 0, b"a", b"1"), Change(1, 5, b"b", b"2")])
    first[b"c"] = b"never published"
    first.close()
    again = ChangelogStore(tmp_path / "index")
    try:
        assert again.snapshot() == {b"a": b"1", b"b": b"2"}
        assert again.applied_offsets() == {0: 0, 1: 5}
        assert again.take_pending() == []
    finally:
        again.close()


def test_reset_forgets_everything(store: ChangelogStore) -> None:
    store.apply([Change(0, 0, b"a", b"1")])
    store[b"b"] = b"2"
    store.reset()
    assert (store.snapshot(), store.applied_offsets(), store.take_pending()) == ({}, {}, [])


def test_a_second_process_on_the_same_directory_gets_a_clear_error(store: ChangelogStore) -> None:
    with pytest.raises(ConfigError, match=r"\[E107\].*NEWSFLOW_DATA_DIR"):
        ChangelogStore(store.path)


def test_a_staged_deletion_hides_the_key_at_once_and_goes_out_as_a_tombstone(store: ChangelogStore) -> None:
    store.apply([Change(0, 1, b"k", b"theirs")])
    del store[b"k"]
    assert (store.get(b"k"), b"k" in store, store.snapshot()) == (None, False, {})
    assert store.take_pending() == [(b"k", None)]
    assert store.apply([Change(0, 2, b"k", None)]) == 1  # the tombstone, back from the log
    assert (store.staged_count, store.get(b"k")) == (0, None)


def test_scan_lists_a_prefix_in_key_order_with_staged_writes_and_deletions_on_top(store: ChangelogStore) -> None:
    store.apply([Change(0, i, key, b"log") for i, key in enumerate([b"a:9", b"t:1", b"t:3", b"t:5", b"u:0"])])
    store[b"t:2"] = b"staged"
    store[b"t:5"] = b"rewritten"
    del store[b"t:3"]
    assert store.scan(b"t:", limit=10) == [(b"t:1", b"log"), (b"t:2", b"staged"), (b"t:5", b"rewritten")]
    assert store.scan(b"t:", limit=2) == [(b"t:1", b"log"), (b"t:2", b"staged")]
    assert store.scan(b"t:", after=b"t:2", limit=10) == [(b"t:5", b"rewritten")]
    assert store.scan(b"v:", limit=10) == []


def test_last_is_the_greatest_key_of_a_prefix_not_deleted(store: ChangelogStore) -> None:
    assert store.last(b"t:") is None
    store.apply([Change(0, i, key, b"v") for i, key in enumerate([b"t:1", b"t:3", b"u:0"])])
    assert store.last(b"t:") == b"t:3"
    del store[b"t:3"]
    assert store.last(b"t:") == b"t:1"
    store[b"t:2"] = b"v"
    assert store.last(b"t:") == b"t:2"
