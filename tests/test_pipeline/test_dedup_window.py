"""The duplicate index's window: entries older than stream time - window are ignored by
lookups and taken off the expiry queue, oldest first, a few per check, by deletions
(tombstones on the changelog) of every key that still points at them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from tests.test_pipeline.test_dedup import OTHER, STORY
from workers.models import EnrichedArticle, Processing
from workers.pipeline.dedup import BANDS, ROWS, DuplicateIndex, Fingerprint, fingerprint, index_time
from workers.state.store import ChangelogStore

START = datetime(2025, 1, 1, tzinfo=UTC)
WINDOW = timedelta(days=30)


def day(n: float) -> datetime:
    return START + timedelta(days=n)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ChangelogStore]:
    s = ChangelogStore(tmp_path / "index")
    yield s
    s.close()


def windowed(store: ChangelogStore, **kwargs: int) -> DuplicateIndex:
    return DuplicateIndex(store, window=WINDOW, **kwargs)


def distinct(n: int) -> Fingerprint:
    """A fingerprint of its own: random signature values (seeded), its own content."""
    values = np.random.default_rng(n).integers(0, 2**32, size=BANDS * ROWS, dtype=np.uint64)
    return Fingerprint(f"content-{n}", values.astype("<u8").tobytes())


def keys_of(store: ChangelogStore, article_id: str) -> set[bytes]:
    """Every key naming the article, or pointing at it."""
    me = article_id.encode()
    return {k for k, v in store.snapshot().items() if v == me or k == b"s:" + me or k.endswith(b":" + me)}


def test_a_copy_inside_the_window_is_flagged(store: ChangelogStore) -> None:
    index = windowed(store)
    index.check_and_remember("a", fingerprint(STORY), day(0))
    dup = index.check_and_remember("b", fingerprint(STORY), day(29))
    assert dup is not None and dup.id == "a"


def test_a_copy_after_the_window_is_not_flagged_and_becomes_the_original(store: ChangelogStore) -> None:
    index = windowed(store, expire_per_check=0)  # nothing expired: the lookup alone ignores "a"
    index.check_and_remember("a", fingerprint(STORY), day(0))
    assert index.check_and_remember("b", fingerprint(STORY), day(31)) is None
    dup = index.check_and_remember("c", fingerprint(STORY.replace("six months", "seven months")), day(32))
    assert dup is not None and dup.id == "b"


def test_expiry_deletes_every_key_of_the_article_as_tombstones_for_the_changelog(store: ChangelogStore) -> None:
    index = windowed(store)
    index.check_and_remember("a", fingerprint(STORY), day(0))
    written = {k for k, v in store.take_pending() if v is not None}
    assert len(written) == 1 + BANDS + 2  # x:, b: each band, s:, t:
    index.check_and_remember("other", fingerprint(OTHER), day(31))
    tombstones = {k for k, v in store.take_pending() if v is None}
    assert tombstones == written
    assert keys_of(store, "a") == set()


def test_expiry_is_oldest_first_and_at_most_expire_per_check_articles(store: ChangelogStore) -> None:
    index = windowed(store, expire_per_check=2)
    for n in range(6):
        index.check_and_remember(f"old-{n}", distinct(n), day(n))
    index.check_and_remember("new-1", distinct(100), day(40))
    assert [bool(keys_of(store, f"old-{n}")) for n in range(6)] == [False, False, True, True, True, True]
    index.check_and_remember("new-2", distinct(101), day(40))
    assert [bool(keys_of(store, f"old-{n}")) for n in range(6)] == [False] * 4 + [True] * 2
    assert index.expire(10) == 2 and index.expire(10) == 0
    assert keys_of(store, "new-1") and keys_of(store, "new-2")


def test_a_newer_article_keeps_a_band_it_shares_with_an_older_one_that_expires(store: ChangelogStore) -> None:
    older = distinct(1)
    values = np.frombuffer(distinct(2).signature, dtype="<u8").copy()
    values[:ROWS] = np.frombuffer(older.signature, dtype="<u8")[:ROWS]  # band 0 shared, the rest not
    newer = Fingerprint("content-newer", values.astype("<u8").tobytes())
    copy_values = values.copy()
    copy_values[ROWS::ROWS] += 1  # one value off in every other band: found through band 0 only
    copy = Fingerprint("content-copy", copy_values.astype("<u8").tobytes())

    index = windowed(store)
    index.check_and_remember("older", older, day(0))
    assert index.check_and_remember("newer", newer, day(20)) is None  # 8 of 64 values alike
    index.check_and_remember("later", distinct(3), day(31))  # "older" expires
    assert keys_of(store, "older") == set()
    dup = index.check_and_remember("copy", copy, day(32))
    assert dup is not None and (dup.id, dup.kind) == ("newer", "near")


def test_a_newer_copy_indexed_after_the_first_one_expired_survives_its_expiry(store: ChangelogStore) -> None:
    index = windowed(store, expire_per_check=0)
    index.check_and_remember("first", fingerprint(STORY), day(0))
    assert index.check_and_remember("second", fingerprint(STORY), day(40)) is None  # "first" ignored
    assert index.expire(10) == 1  # "first" leaves; the keys "second" took stay
    dup = index.check_and_remember("third", fingerprint(STORY), day(41))
    assert dup is not None and (dup.id, dup.kind) == ("second", "exact")


def test_an_article_older_than_the_window_is_checked_but_neither_indexed_nor_moves_time(
    store: ChangelogStore,
) -> None:
    index = windowed(store)
    index.check_and_remember("fresh", fingerprint(STORY), day(100))
    dup = index.check_and_remember("archive-copy", fingerprint(STORY), day(10))
    assert dup is not None and dup.id == "fresh"
    assert index.check_and_remember("archive", fingerprint(OTHER), day(10)) is None
    assert keys_of(store, "archive") == set() and index.now == int(day(100).timestamp())
    assert keys_of(store, "fresh")


def test_a_replayed_article_keeps_its_first_time(store: ChangelogStore) -> None:
    index = windowed(store)
    index.check_and_remember("a", fingerprint(STORY), day(0))
    index.check_and_remember("a", fingerprint(STORY), day(25))  # re-fed, enriched again later
    index.check_and_remember("other", fingerprint(OTHER), day(31))
    assert keys_of(store, "a") == set()


def test_a_restarted_index_takes_stream_time_from_the_queue(store: ChangelogStore) -> None:
    windowed(store).check_and_remember("new", fingerprint(OTHER), day(40))
    index = windowed(store)
    index.check_and_remember("archive", fingerprint(STORY), day(5))
    assert index.now == int(day(40).timestamp()) and keys_of(store, "archive") == set()


def test_without_a_window_a_copy_years_later_is_flagged() -> None:
    index = DuplicateIndex({})
    index.check_and_remember("a", fingerprint(STORY), day(0))
    dup = index.check_and_remember("b", fingerprint(STORY), day(3650))
    assert dup is not None and dup.id == "a"


def test_a_window_needs_an_ordered_store_and_the_articles_time(store: ChangelogStore) -> None:
    with pytest.raises(TypeError, match="scan"):
        DuplicateIndex({}, window=WINDOW)
    with pytest.raises(ValueError, match="time"):
        windowed(store).check_and_remember("a", fingerprint(STORY))


def enriched(published_at: str | None, processed_at: str = "2025-03-01T12:00:00.000Z") -> EnrichedArticle:
    processing = Processing("v", "m", "1", processed_at)
    article = EnrichedArticle("e", "a", "body", None, None, None, None, None, (), (), (), processing)
    return replace(article, published_at=published_at)


def test_the_articles_time_is_its_publication_never_after_it_was_enriched() -> None:
    processed = datetime(2025, 3, 1, 12, tzinfo=UTC)
    assert index_time(enriched("2025-02-27T08:30:00+01:00")) == datetime(2025, 2, 27, 7, 30, tzinfo=UTC)
    assert index_time(enriched("2025-02-27")) == datetime(2025, 2, 27, tzinfo=UTC)
    assert index_time(enriched("2125-01-01T00:00:00Z")) == processed  # from the future
    assert index_time(enriched(None)) == processed
