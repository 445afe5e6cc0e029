from __future__ import annotations

import socket

import orjson
import pytest

from workers.cli import main
from workers.cli.tail import json_line, text_line
from workers.kafka.tail import TailRecord


def record(value: bytes | None, key: bytes | None = None) -> TailRecord:
    return TailRecord("t", 0, 7, 1733392800000, key, value)


def test_json_value_that_is_one_line_of_json_is_printed_as_it_is() -> None:
    assert json_line(record(b'{"id": "a1",  "n": 1}')) == '{"id": "a1",  "n": 1}'


def test_json_value_over_several_lines_becomes_one_line() -> None:
    line = json_line(record(b'{\n  "id": "a1"\n}\n'))
    assert "\n" not in line and orjson.loads(line) == {"id": "a1"}


def test_json_value_that_is_not_json_is_printed_as_a_json_string() -> None:
    line = json_line(record(b"not json\nat all \xff"))
    assert "\n" not in line and orjson.loads(line) == "not json\nat all \ufffd"


def test_json_deleted_value_is_null() -> None:
    assert json_line(record(None)) == "null"


def test_json_with_key_is_an_object_of_key_and_value() -> None:
    assert orjson.loads(json_line(record(b"[1]", key=b"a1"), key=True)) == {"key": "a1", "value": [1]}
    assert orjson.loads(json_line(record(b"2"), key=True)) == {"key": None, "value": 2}


def test_text_with_key_is_key_tab_value() -> None:
    assert text_line(record(b'{"a": 1}', key=b"a1"), key=True) == 'a1\t{"a":1}'
    assert text_line(record(b"plain"), key=True) == "\tplain"


def test_a_bad_offset_is_a_usage_error_with_e409(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["tail", "claims", "--offset", "yesterday-ish"])
    assert exit_info.value.code == 2
    assert "[E409] 'yesterday-ish' is not a start" in capsys.readouterr().err


def test_a_partition_that_is_not_a_number_is_e408(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["tail", "claims", "--partition", "one"])
    assert "[E413] 'one' is not a partition number" in capsys.readouterr().err


def test_offset_and_from_beginning_together_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["tail", "claims", "--offset", "5", "--from-beginning"])
    assert "not allowed with argument" in capsys.readouterr().err


@pytest.mark.parametrize("extra", [["--partition", "0"], ["--offset", "5"], ["--offset", "2h"]])
def test_a_group_with_partitions_or_an_offset_is_e411(extra: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tail", "claims", "--group", "g", *extra]) == 2
    assert capsys.readouterr().err.startswith("newsflow: error: [E411] --group reads from the group's committed")


@pytest.mark.timeout(60)
def test_tail_without_a_broker_is_one_e401_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens once the socket is closed
    code = main(["tail", "-b", f"127.0.0.1:{port}", "--connect-timeout", "1", "claims", "--idle-timeout", "3"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"newsflow: error: [E401] no Kafka broker answered at 127.0.0.1:{port} (tried for 1 s")
    assert err.count("\n") == 1


@pytest.mark.parametrize("group", ["newsflow-enricher", "newsflow-sink", "newsflow-enricher-dlq-replay"])
def test_a_group_of_the_pipeline_itself_is_refused(group: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tail", "claims", "--group", group]) == 2
    assert capsys.readouterr().err.startswith(f"newsflow: error: [E412] --group {group} is the ")
