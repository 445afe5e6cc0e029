"""``newsflow tail``'s Kafka conventions against the real broker: partitions, offsets,
times, keys, consumer groups, JSON lines (one value a line, as jq reads them), -b after
the command."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import orjson
import pytest
from kafka import KafkaProducer

from tests.integration.conftest import settings_env
from workers.cli import main
from workers.kafka.client import client_config
from workers.settings import Settings

#: Three records a partition, one second apart from an hour ago: (partition, key, value).
RECORDS = [(p, f"k{p}-{i}", {"p": p, "i": i}) for p in range(3) for i in range(3)]
BASE_MS = (int(time.time()) - 3600) * 1000


def timestamp(partition: int, index: int) -> int:
    return BASE_MS + (index * 3 + partition) * 1000


@pytest.fixture
def topic(pipeline_settings: Settings) -> str:
    """The test's raw topic (3 partitions) with RECORDS on it, plus one value that is not JSON on partition 2."""
    producer = KafkaProducer(**client_config(pipeline_settings, acks="all"))
    try:
        for partition, key, value in RECORDS:
            index = int(value["i"])
            producer.send(
                pipeline_settings.topic_raw,
                key=key.encode(),
                value=orjson.dumps(value),
                partition=partition,
                timestamp_ms=timestamp(partition, index),
            )
        producer.send(pipeline_settings.topic_raw, key=None, value=b"not json\n\xff", partition=2)
        producer.flush()
    finally:
        producer.close()
    return pipeline_settings.topic_raw


def tail(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, list[str], str]:
    """Run ``newsflow tail ARGS`` in this process; (exit code, stdout lines, stderr)."""
    for name, value in settings_env(settings).items():
        if name.startswith("NEWSFLOW_"):
            monkeypatch.setenv(name, value)
    code = main(["tail", *args])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def values(lines: list[str]) -> list[object]:
    return [orjson.loads(line) for line in lines]


def test_partition_reads_only_that_partition(
    pipeline_settings: Settings, topic: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines, _ = tail(
        pipeline_settings, monkeypatch, capsys, topic, "-p", "1", "-o", "beginning", "--json", "--max", "3"
    )
    assert code == 0
    assert values(lines) == [{"p": 1, "i": 0}, {"p": 1, "i": 1}, {"p": 1, "i": 2}]


def test_offset_n_starts_at_that_offset(
    pipeline_settings: Settings, topic: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, lines, _ = tail(
        pipeline_settings,
        monkeypatch,
        capsys,
        topic,
        "--partition",
        "0",
        "--offset",
        "1",
        "--json",
        "--idle-timeout",
        "2",
    )
    assert values(lines) == [{"p": 0, "i": 1}, {"p": 0, "i": 2}]


def test_negative_offset_reads_the_last_records_of_each_partition(
    pipeline_settings: Settings, topic: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, lines, _ = tail(pipeline_settings, monkeypatch, capsys, topic, "--offset", "-1", "--json", "--idle-timeout", "2")
    assert sorted(map(str, values(lines))) == sorted(map(str, [{"p": 0, "i": 2}, {"p": 1, "i": 2}, "not json\n\ufffd"]))


def test_a_time_starts_at_the_first_record_at_or_after_it(
    pipeline_settings: Settings, topic: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    since = timestamp(0, 2)  # the last round of RECORDS, and the late non-JSON value
    _, lines, _ = tail(
        pipeline_settings, monkeypatch, capsys, topic, "--offset", f"@{since}", "--json", "--idle-timeout", "2"
    )
    late = [v for v in values(lines) if isinstance(v, dict)]
    assert sorted(late, key=str) == sorted([{"p": p, "i": 2} for p in range(3)], key=str)
    assert len(lines) == 4


def test_key_prints_key_tab_value_and_json_key_an_object(
    pipeline_settings: Settings, topic: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, text, _ = tail(
        pipeline_settings, monkeypatch, capsys, topic, "-p", "0", "-o", "beginning", "--key", "--max", "1"
    )
    _, json, _ = tail(
        pipeline_settings, monkeypatch, capsys, topic, "-p", "2", "-o", "-1", "--key", "--json", "--max", "1"
    )
    assert text == ['k0-0\t{"p":0,"i":0}']
    assert values(json) == [{"key": None, "value": "not json\n\ufffd"}]


def test_a_group_commits_what_it_printed_and_resumes_there(
    pipeline_settings: Settings, topic: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    group = f"{pipeline_settings.group_id}-tail"
    args = (topic, "--group", group, "--offset", "beginning", "--json")
    _, first, _ = tail(pipeline_settings, monkeypatch, capsys, *args, "--max", "4")
    _, rest, _ = tail(pipeline_settings, monkeypatch, capsys, *args, "--idle-timeout", "3")
    _, again, _ = tail(pipeline_settings, monkeypatch, capsys, *args, "--idle-timeout", "3")
    assert len(first) == 4 and len(rest) == len(RECORDS) + 1 - 4
    assert sorted(first + rest) == sorted(set(first + rest))  # nothing twice
    assert again == []


def test_a_partition_the_topic_lacks_is_e408(
    pipeline_settings: Settings, topic: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines, err = tail(pipeline_settings, monkeypatch, capsys, topic, "--partition", "7", "--max", "1")
    assert code == 2 and lines == []
    assert err.startswith(f"newsflow: error: [E408] topic {topic!r} has no partition 7 (it has 0..2); leave out")
    assert err.count("\n") == 1


def test_bootstrap_servers_after_the_command_override_the_environment(
    pipeline_settings: Settings, topic: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        nowhere = Settings(bootstrap_servers=f"127.0.0.1:{s.getsockname()[1]}", data_dir=pipeline_settings.data_dir)
    elsewhere = nowhere.with_overrides(topic_raw=topic, connect_timeout_seconds=2)
    code, lines, _ = tail(
        elsewhere,
        monkeypatch,
        capsys,
        topic,
        "-b",
        pipeline_settings.bootstrap_servers,
        "-o",
        "beginning",
        "--max",
        "1",
    )
    assert code == 0 and len(lines) == 1


#: What jq does with ``jq -c type``, in Python: one JSON value a line, strictly (a line
#: that is not one JSON value exits non-zero), its type printed. Python, not jq, so the
#: test needs nothing the project does not install and cannot be skipped.
JSON_LINES_READER = """
import json, sys
names = {dict: "object", list: "array", str: "string", int: "number", float: "number", bool: "boolean"}
for line in sys.stdin:
    print(names.get(type(json.loads(line)), "null"))
"""


def test_json_output_pipes_into_a_json_lines_reader(pipeline_settings: Settings, topic: str) -> None:
    env = settings_env(pipeline_settings)
    tail_cmd = [sys.executable, "-m", "workers", "tail", topic, "--json", "-o", "beginning", "--idle-timeout", "2"]
    with subprocess.Popen(tail_cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as producer:
        reader = subprocess.run(
            [sys.executable, "-c", JSON_LINES_READER],
            stdin=producer.stdout,
            capture_output=True,
            timeout=120,
            env=os.environ,
        )
        assert producer.stdout is not None
        producer.stdout.close()
        producer.wait(timeout=60)
        err = producer.stderr.read().decode() if producer.stderr else ""
    assert reader.returncode == 0, reader.stderr
    assert sorted(reader.stdout.decode().split()) == ["object"] * len(RECORDS) + ["string"]
    assert err.strip() == f"{len(RECORDS) + 1} records"


def test_a_reader_that_goes_away_ends_tail_quietly(pipeline_settings: Settings, topic: str) -> None:
    command = [sys.executable, "-m", "workers", "tail", topic, "--json", "-o", "beginning"]  # no idle timeout
    with subprocess.Popen(
        command, env=settings_env(pipeline_settings), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as tailing:
        assert tailing.stdout is not None and tailing.stderr is not None
        first = tailing.stdout.readline()
        tailing.stdout.close()  # like `| head -1`
        producer = KafkaProducer(**client_config(pipeline_settings, acks="all"))
        try:
            producer.send(topic, value=b'{"late": true}').get(timeout=30)  # something to write into the closed pipe
        finally:
            producer.close()
        code = tailing.wait(timeout=60)
        err = tailing.stderr.read().decode()
    assert orjson.loads(first) is not None
    assert code == 0 and err == "", err
