"""``newsflow enrich``: bad inputs are one line each, the rest go through, exit codes say so."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from spacy.language import Language

from tests.conftest import REPO, SEEDS
from workers.cli import main

GOOD = SEEDS / "000_3393e2ca348ff21d.txt"


@pytest.fixture(autouse=True)
def shared_pipeline(monkeypatch: pytest.MonkeyPatch, nlp: Language) -> None:
    """The session's pipeline instead of loading the model again for every command."""
    monkeypatch.setattr("workers.nlp.pipeline.load_pipeline", lambda name: nlp)


def errors_of(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("newsflow enrich: [E")]


def test_one_latin1_and_one_binary_txt_among_good_ones_fail_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a-good.txt").write_bytes(GOOD.read_bytes())
    (tmp_path / "b-latin1.txt").write_bytes("Le café est fermé.".encode("latin-1"))
    (tmp_path / "c-binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    (tmp_path / "d-good.txt").write_text("The minister said the bridge would reopen in May.")
    out = tmp_path / "out.jsonl"
    code = main(["enrich", str(tmp_path), "-o", str(out)])
    errors = errors_of(capsys.readouterr().err)
    assert code == 1
    assert [orjson.loads(line)["id"] for line in out.read_bytes().splitlines()] == ["a-good", "d-good"]
    assert len(errors) == 2
    assert "[E303]" in errors[0] and "b-latin1.txt" in errors[0]
    assert "[E303]" in errors[1] and "c-binary.txt" in errors[1] and "binary" in errors[1]


def test_bad_jsonl_line_is_named_by_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"id": "ok", "body": "Fine text."}\n{broken\n{"id": "ok2", "body": "More."}\n')
    code = main(["enrich", str(src), "-o", str(tmp_path / "out.jsonl")])
    [error] = errors_of(capsys.readouterr().err)
    assert code == 1 and f"{src}:2" in error and "[E304]" in error
    assert len((tmp_path / "out.jsonl").read_bytes().splitlines()) == 2


def test_missing_output_directory_is_one_line_naming_it_before_loading_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_model(name: str) -> Any:
        raise AssertionError("the model was loaded before the output was checked")

    monkeypatch.setattr("workers.nlp.pipeline.load_pipeline", no_model)
    target = tmp_path / "missing" / "dir" / "out.jsonl"
    code = main(["enrich", str(GOOD), "-o", str(target)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "[E603]" in err and str(target) in err


def test_empty_txt_says_empty_body(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty.txt").write_text("")
    code = main(["enrich", str(tmp_path / "empty.txt"), "-o", str(tmp_path / "out.jsonl")])
    [error] = errors_of(capsys.readouterr().err)
    assert code == 1 and "empty body" in error and "does not match" not in error


def test_plain_text_on_stdin_says_stdin_takes_json_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Plain prose, not JSON.\n")))
    code = main(["enrich", "-", "-o", str(tmp_path / "out.jsonl")])
    [error] = errors_of(capsys.readouterr().err)
    assert code == 1 and "<stdin>:1" in error and "stdin takes JSON lines" in error


def test_directory_of_md_and_html_only_warns_naming_the_suffixes_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.md").write_text("# A")
    (tmp_path / "b.html").write_text("<p>B</p>")
    code = main(["enrich", str(tmp_path), "-o", str(tmp_path / "out.jsonl")])
    err = capsys.readouterr().err
    assert code == 1 and "[E309]" in err and ".txt, .json, .jsonl" in err


def test_empty_jsonl_warns_that_no_article_was_found(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "in.jsonl").write_text("\n\n")
    code = main(["enrich", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl")])
    assert code == 1 and "warning: [E309] no article found" in capsys.readouterr().err


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["enrich", str(GOOD), "-o", str(tmp_path / "out.jsonl")])
    err = capsys.readouterr().err
    assert code == 0
    assert err == "newsflow enrich: 1 enriched, 0 failed\n"


def test_closed_stdout_stops_quietly_with_exit_0() -> None:
    """``newsflow enrich DIR | head -n1``, with the real model in a real process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "workers", "enrich", str(SEEDS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # what `head -n1` does after its line
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 0
    assert orjson.loads(first)["id"]
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr


def test_output_inside_the_input_directory_is_not_read_back(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("The minister said the bridge would reopen in May.")
    out = tmp_path / "out.jsonl"
    assert main(["enrich", str(tmp_path), "-o", str(out)]) == 0
    assert len(out.read_bytes().splitlines()) == 1
