"""The one-active assignor: every partition to one member, the same one while it lives."""

from __future__ import annotations

from types import SimpleNamespace

import orjson

from workers.stories.stage.assignor import OneActiveAssignor, choose_active


def said(active: bool, since: int) -> bytes:
    return orjson.dumps({"active": active, "since": since})


def test_the_member_holding_the_partitions_keeps_them_when_an_older_one_joins() -> None:
    assert choose_active([("a", said(False, 1)), ("b", said(True, 5))]) == "b"


def test_without_a_holder_the_member_started_first_gets_them() -> None:
    assert choose_active([("b", said(False, 9)), ("a", said(False, 3)), ("c", b"")]) == "a"


def test_members_that_say_nothing_are_ordered_by_member_id() -> None:
    assert choose_active([("m-2", b""), ("m-1", b"not json")]) == "m-1"


def test_the_assignment_gives_every_partition_to_one_member_and_none_to_the_rest() -> None:
    assignor = OneActiveAssignor(lambda: False)
    members = [
        SimpleNamespace(member_id="x", metadata=SimpleNamespace(topics=["t"], user_data=said(False, 2))),
        SimpleNamespace(member_id="y", metadata=SimpleNamespace(topics=["t"], user_data=said(True, 7))),
    ]
    cluster = SimpleNamespace(partitions_for_topic=lambda topic: {0, 1, 2})
    assignment = assignor.assign(cluster, members)
    assert assignment["y"].partitions() and [tp.partition for tp in assignment["y"].partitions()] == [0, 1, 2]
    assert assignment["x"].partitions() == []


def test_a_member_tells_whether_it_holds_the_partitions_when_it_joins() -> None:
    holds = [False]
    assignor = OneActiveAssignor(lambda: holds[0])
    holds[0] = True
    assert orjson.loads(assignor.metadata({"t"}).user_data)["active"] is True
