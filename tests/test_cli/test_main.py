from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tests.checks import assert_spans_index_body, assert_valid_event
from tests.conftest import SEEDS
from workers.cli import main

COMMANDS = [["enrich"], ["feed"], ["tail"], ["worker"], ["topics"], ["topics", "create"], ["topics", "list"], ["demo"]]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: newsflow" in capsys.readouterr().out


def test_enrich_writes_one_valid_enriched_article_per_input(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    code = main(
        ["enrich", str(SEEDS / "000_3393e2ca348ff21d.txt"), str(SEEDS / "wikinews" / "wikinews.jsonl"), "-o", str(out)]
    )
    lines = out.read_bytes().splitlines()
    assert code == 0 and len(lines) == 25
    for line in lines:
        article = orjson.loads(line)
        assert_valid_event(article)
        assert_spans_index_body(article)


def test_enrich_reports_invalid_lines_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"id": "ok", "body": "Fine text."}\n{"id": "bad"}\n')
    code = main(["enrich", str(src), "-o", str(tmp_path / "out.jsonl")])
    assert code == 1
    assert "missing_body" in capsys.readouterr().err
    assert len((tmp_path / "out.jsonl").read_bytes().splitlines()) == 1


def test_unknown_setting_in_environment_is_reported_not_raised(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSFLOW_TOPICS_RAW", "typo")
    assert main(["topics", "list"]) == 2
    assert "E103" in capsys.readouterr().err
