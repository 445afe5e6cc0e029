"""Planning a resume from the stage's changelog: checkpoints, journal, fences."""

from __future__ import annotations

from workers.stories.stage.journal import (
    Fence,
    JournalRecord,
    StateLog,
    checkpoint_records,
    fence_key,
    journal_key,
    manifest_key,
    plan_resume,
)


class Log:
    """A changelog being written: each write goes to the replica at the next offset."""

    def __init__(self) -> None:
        self.state = StateLog()
        self.offset = 0

    def put(self, key: bytes, value: bytes | None) -> None:
        self.state.apply([(self.offset, key, value)])
        self.offset += 1

    def fence(self, epoch: int, from_seq: int) -> None:
        self.put(fence_key(epoch), Fence(epoch, from_seq).encode())

    def journal(self, seq: int, epoch: int, *inputs: tuple[int, int]) -> None:
        self.put(journal_key(seq), JournalRecord(seq, epoch, inputs).encode())

    def checkpoint(self, data: bytes, slot: str, seq: int, epoch: int, offsets: dict[int, int]) -> None:
        chunks, manifest = checkpoint_records(data, slot=slot, seq=seq, epoch=epoch, offsets=offsets, chunk_bytes=4)
        for key, value in chunks:
            self.put(key, value)
        self.put(manifest_key(slot), manifest.encode())


def test_an_empty_changelog_resumes_from_nothing_at_the_start() -> None:
    plan = plan_resume(StateLog())
    assert (plan.checkpoint, plan.journal, plan.offsets, plan.seq, plan.epoch) == (None, (), {}, 0, 0)


def test_the_journal_is_replayed_in_order_and_gives_the_next_offsets() -> None:
    log = Log()
    log.fence(1, 1)
    log.journal(1, 1, (0, 0), (1, 0))
    log.journal(2, 1, (1, 1), (0, 1))
    plan = plan_resume(log.state)
    assert [r.seq for r in plan.journal] == [1, 2] and plan.journal[1].inputs == ((1, 1), (0, 1))
    assert plan.offsets == {0: 2, 1: 2} and plan.seq == 2 and plan.epoch == 1


def test_a_checkpoint_split_in_chunks_is_read_back_and_only_the_journal_after_it_replayed() -> None:
    log = Log()
    log.fence(1, 1)
    log.journal(1, 1, (0, 0))
    log.journal(2, 1, (0, 1))
    log.checkpoint(b"state after two batches", "A", 2, 1, {0: 2})
    log.journal(3, 1, (0, 2))
    plan = plan_resume(log.state)
    assert plan.checkpoint is not None and plan.checkpoint.data == b"state after two batches"
    assert [r.seq for r in plan.journal] == [3] and plan.offsets == {0: 3}


def test_a_checkpoint_whose_chunks_were_overwritten_falls_back_to_the_other_slot() -> None:
    log = Log()
    log.fence(1, 1)
    log.journal(1, 1, (0, 0))
    log.checkpoint(b"older state", "A", 1, 1, {0: 1})
    log.journal(2, 1, (0, 1))
    log.checkpoint(b"newer state", "B", 2, 1, {0: 2})
    log.put(b"chunk/B/000001", b"garbage")
    plan = plan_resume(log.state)
    assert plan.checkpoint is not None and plan.checkpoint.data == b"older state"
    assert [r.seq for r in plan.journal] == [2] and any("slot B" in why for why in plan.skipped)


def test_a_batch_written_by_a_fenced_member_after_the_take_over_does_not_count() -> None:
    log = Log()
    log.fence(1, 1)
    log.journal(1, 1, (0, 0))
    log.fence(2, 2)  # another member took over after sequence 1
    log.journal(2, 1, (0, 1))  # the old member, not knowing yet
    log.journal(2, 2, (1, 0))
    plan = plan_resume(log.state)
    assert [(r.seq, r.epoch) for r in plan.journal] == [(1, 1), (2, 2)]
    assert plan.offsets == {0: 1, 1: 1}


def test_a_fenced_members_batch_written_before_the_new_members_own_is_void_too() -> None:
    log = Log()
    log.fence(1, 1)
    log.fence(2, 1)
    log.journal(1, 1, (0, 0))  # late write of the old member
    plan = plan_resume(log.state)
    assert plan.journal == () and plan.offsets == {}


def test_a_tombstone_removes_a_key_from_the_replica() -> None:
    log = Log()
    log.journal(1, 1, (0, 0))
    log.put(journal_key(1), None)
    assert log.state.items(b"journal/") == {} and log.state.position == 2


def test_a_checkpoint_written_right_after_a_take_over_before_any_batch_counts() -> None:
    log = Log()
    log.fence(1, 1)
    log.journal(1, 1, (0, 0))
    log.fence(2, 2)
    log.checkpoint(b"state at 1", "A", 1, 2, {0: 1})
    plan = plan_resume(log.state)
    assert plan.checkpoint is not None and plan.checkpoint.data == b"state at 1" and plan.journal == ()
