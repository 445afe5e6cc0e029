"""``newsflow feed`` without a broker: what is sent, what is reported, the exit code."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import orjson
import pytest

from workers.cli import main
from workers.inputs.files import InputArticle
from workers.kafka.feed import FeedResult


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[InputArticle]:
    """What the command hands to the producer (no broker: the producer is replaced)."""
    records: list[InputArticle] = []

    def fake_feed(
        articles: Iterable[InputArticle],
        settings: Any,
        *,
        topic: str | None = None,
        rate: float | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> FeedResult:
        for count, article in enumerate(articles, start=1):
            records.append(article)
            if on_progress:
                on_progress(count)
        return FeedResult(sent=len(records), seconds=0.0)

    monkeypatch.setattr("workers.cli.feed.wait_for_broker", lambda settings, timeout=None: None)
    monkeypatch.setattr("workers.cli.feed.feed_articles", fake_feed)
    return records


def test_bad_txt_is_reported_and_not_sent_and_the_good_ones_are(
    tmp_path: Path, sent: list[InputArticle], capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.txt").write_text("Good text.")
    (tmp_path / "b.txt").write_bytes("Café fermé.".encode("latin-1"))
    (tmp_path / "c.txt").write_text("")
    (tmp_path / "d.txt").write_text("More good text.")
    code = main(["feed", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 1
    assert [a.key for a in sent] == [b"a", b"d"]
    assert "sent 2 articles" in out
    errors = [line for line in err.splitlines() if "[E3" in line]
    assert len(errors) == 2
    assert "b.txt" in errors[0] and "[E303]" in errors[0] and errors[0].endswith("not sent")
    assert "c.txt" in errors[1] and "[E305]" in errors[1] and "empty body" in errors[1]


def test_invalid_jsonl_lines_are_named_by_line_and_not_sent(
    tmp_path: Path, sent: list[InputArticle], capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"id": "x1", "body": "One."}\n{broken\n{"id": "x3"}\n{"id": "x4", "body": "Four."}\n')
    code = main(["feed", str(src)])
    err = capsys.readouterr().err
    assert code == 1 and [orjson.loads(a.value)["id"] for a in sent] == ["x1", "x4"]
    assert f"{src}:2: not JSON" in err and f"{src}:3: no 'body' field" in err


def test_send_invalid_sends_every_readable_input_for_the_dead_letter_path(
    tmp_path: Path, sent: list[InputArticle]
) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"id": "x1", "body": "One."}\n{broken\n')
    assert main(["feed", "--send-invalid", str(src)]) == 0
    assert [a.value for a in sent] == [b'{"id": "x1", "body": "One."}', b"{broken"]


def test_all_good_inputs_exit_0(tmp_path: Path, sent: list[InputArticle]) -> None:
    (tmp_path / "a.txt").write_text("Good text.")
    assert main(["feed", str(tmp_path)]) == 0 and len(sent) == 1


def test_directory_without_articles_sends_nothing_and_exits_1(
    tmp_path: Path, sent: list[InputArticle], capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.md").write_text("# notes")
    code = main(["feed", str(tmp_path)])
    assert code == 1 and sent == []
    assert "[E309]" in capsys.readouterr().err


def test_body_over_the_limit_names_the_setting(
    tmp_path: Path, sent: list[InputArticle], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSFLOW_MAX_BODY_BYTES", "1000")
    (tmp_path / "big.txt").write_text("word " * 400)
    assert main(["feed", str(tmp_path)]) == 1 and sent == []
    err = capsys.readouterr().err
    assert "NEWSFLOW_MAX_BODY_BYTES" in err and "2000 bytes" in err and "1000" in err
