"""Behaviour of ``newsflow eval`` (``workers/cli/eval.py``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.test_evaluation.conftest import span
from workers.cli import main

TEXT = "Rami Abdurrahman told The Associated Press that Hama would fall."
WriteGold = Callable[..., Path]


def test_eval_prints_a_table_for_both_systems(write_gold: WriteGold, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_gold({"id": "a", "text": TEXT, "entities": [span(TEXT, "Hama", label="GPE")]})
    assert main(["eval", str(path)]) == 0
    out = capsys.readouterr().out
    assert "| newsflow | overall |" in out and "| stock    | overall |" in out


def test_eval_json_prints_one_object(write_gold: WriteGold, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_gold({"id": "a", "text": TEXT, "entities": [span(TEXT, "Hama", label="GPE")]})
    assert main(["eval", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [e["system"] for e in data["entities"]] == ["newsflow", "stock"]


def test_eval_with_a_broken_gold_file_fails_with_code_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    assert main(["eval", str(bad)]) == 2
    assert "E401" in capsys.readouterr().err
