from __future__ import annotations

import zlib

import numpy as np
from datasketch import MinHash

from workers.ids import _recent, _RecentHashes, content_hash
from workers.pipeline.dedup import NUM_PERM, DuplicateIndex, _WordHashes, fingerprint, shingle_hashes

STORY = (
    "The city council voted on Tuesday to close the old harbour bridge for repairs that are "
    "expected to last six months, the mayor said. Engineers found cracks in two supporting "
    "columns last year. Drivers will be diverted through the tunnel, and a ferry will run "
    "every twenty minutes during rush hour. Shop owners near the bridge said they feared "
    "losing customers, while cyclists welcomed the plan for a temporary lane."
)
OTHER = (
    "Heavy snow closed schools across the northern region on Monday, and the weather service "
    "warned of more storms later in the week. Power lines were down in several villages and "
    "crews worked through the night. Officials urged residents to stay home and check on "
    "elderly neighbours, and trains ran on a reduced timetable."
)


def test_same_content_under_another_id_is_an_exact_duplicate() -> None:
    index = DuplicateIndex({})
    assert index.check_and_remember("a", fingerprint(STORY)) is None
    dup = index.check_and_remember("b", fingerprint("  " + STORY.replace(" ", "  ")))
    assert dup is not None and (dup.id, dup.kind, dup.similarity) == ("a", "exact", 1.0)


def test_lightly_edited_copy_is_a_near_duplicate() -> None:
    index = DuplicateIndex({})
    index.check_and_remember("a", fingerprint(STORY))
    edited = STORY.replace("six months", "seven months")
    dup = index.check_and_remember("b", fingerprint(edited))
    assert dup is not None and dup.id == "a" and dup.kind == "near" and 0.8 <= dup.similarity < 1.0


def test_different_story_is_not_a_duplicate() -> None:
    index = DuplicateIndex({})
    index.check_and_remember("a", fingerprint(STORY))
    assert index.check_and_remember("b", fingerprint(OTHER)) is None


def test_replayed_article_is_not_its_own_duplicate() -> None:
    index = DuplicateIndex({})
    index.check_and_remember("a", fingerprint(STORY))
    assert index.check_and_remember("a", fingerprint(STORY)) is None


def test_first_article_stays_the_original_for_later_copies() -> None:
    index = DuplicateIndex({})
    for article_id in ("a", "b", "c"):
        index.check_and_remember(article_id, fingerprint(STORY))
    dup = index.check_and_remember("d", fingerprint(STORY))
    assert dup is not None and dup.id == "a"


def test_fingerprint_is_deterministic() -> None:
    assert fingerprint(STORY) == fingerprint(STORY)


def test_duplicates_are_not_added_to_the_index() -> None:
    store: dict[bytes, bytes] = {}
    index = DuplicateIndex(store)
    index.check_and_remember("a", fingerprint(STORY))
    size = len(store)
    index.check_and_remember("b", fingerprint(STORY))
    index.check_and_remember("c", fingerprint(STORY.replace("six months", "seven months")))
    assert len(store) == size


def test_signature_is_datasketchs_minhash_of_the_shingles() -> None:
    # Indexes written before hold datasketch's signatures: the fast path must match them
    # (the last text has more shingles than are permuted at once).
    many = " ".join(f"w{i}" for i in range(20_000))
    for text in (STORY, OTHER, "", "one", "Ünïcödé ﬁ straße İstanbul 123", "word " * 100, many):
        reference = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=int)
        reference.update_batch(shingle_hashes(text))
        assert fingerprint(text).signature == reference.hashvalues.astype("<u8").tobytes(), text[:20]
        assert np.frombuffer(fingerprint(text).signature, dtype="<u8").max() <= 0xFFFFFFFF


def test_word_hashes_are_crc32_of_each_word_even_after_the_memo_is_cleared() -> None:
    memo = _WordHashes(limit=2)
    words = ["alpha", "beta", "gamma", "alpha", "straße"]
    assert [memo[w] for w in words] == [zlib.crc32(w.encode("utf-8")) for w in words]
    assert len(memo) <= 2


def test_content_hash_given_is_used_as_is() -> None:
    assert fingerprint(STORY, content="given").content == "given"
    assert fingerprint(STORY).signature == fingerprint(STORY, content="given").signature


# The content-hash memo of workers/ids.py, here with its second user (tests/test_ids.py
# is not this change's file).
def test_remembered_content_hash_is_the_computed_one() -> None:
    text = STORY + " (remembered)"
    first = content_hash(text)
    assert _recent.get(text) == first
    assert content_hash(text) == first == content_hash(" ".join(text.split()) + "  ")


def test_content_hash_memo_drops_the_oldest_beyond_its_characters() -> None:
    memo = _RecentHashes(max_chars=10)
    memo.put("aaaa", "1")
    memo.put("bbbb", "2")
    memo.put("cccc", "3")  # 12 characters: "aaaa" goes
    memo.put("x" * 11, "4")  # longer than the memo: not kept
    assert [memo.get(t) for t in ("aaaa", "bbbb", "cccc", "x" * 11)] == [None, "2", "3", None]
