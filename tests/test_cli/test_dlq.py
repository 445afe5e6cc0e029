from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest

from workers.cli import build_parser, main


def parse(*argv: str) -> object:
    return build_parser().parse_args(["dlq", "replay", *argv])


def test_replay_defaults_replay_every_new_letter_to_the_input_topic() -> None:
    args = parse()
    assert (args.reason, args.article_id, args.since, args.to) == (None, None, None, None)
    assert (args.max_replays, args.from_beginning, args.dry_run, args.json) == (3, False, False, False)


def test_reason_and_article_id_repeat() -> None:
    args = parse("--reason", "body_too_large", "--reason", "invalid_json", "--article-id", "a", "--article-id", "b")
    assert (args.reason, args.article_id) == (["body_too_large", "invalid_json"], ["a", "b"])


def test_unknown_reason_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse("--reason", "too_big")
    assert exit_info.value.code == 2
    assert "invalid choice: 'too_big'" in capsys.readouterr().err


def test_since_takes_a_duration_back_from_now() -> None:
    since = parse("--since", "2h").since
    assert abs(datetime.now(UTC) - timedelta(hours=2) - since) < timedelta(minutes=1)


def test_since_takes_an_iso_time() -> None:
    assert parse("--since", "2024-12-05T10:00:00Z").since == datetime(2024, 12, 5, 10, tzinfo=UTC)


@pytest.mark.parametrize(("option", "value"), [("--since", "yesterday"), ("--max-replays", "0")])
def test_bad_values_are_usage_errors(option: str, value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse(option, value)
    assert exit_info.value.code == 2
    assert f"argument {option}" in capsys.readouterr().err


def test_help_names_the_settings_and_what_happens_to_letters_left_out(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["dlq", "replay", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for name in ("NEWSFLOW_TOPIC_DLQ", "NEWSFLOW_TOPIC_RAW", "NEWSFLOW_GROUP_ID", "NEWSFLOW_BOOTSTRAP_SERVERS"):
        assert name in text
    assert "letters the filters leave out" in text and "passed over for good" in text
    for option in ("--reason", "--since", "--article-id", "--dry-run", "--max-replays", "--to", "--from-beginning"):
        assert option in text


@pytest.mark.timeout(90)
def test_unreachable_broker_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens once the socket is closed
    code = main(["--bootstrap-servers", f"127.0.0.1:{port}", "dlq", "replay", "--dry-run"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("newsflow: error: [E401]") and err.count("\n") == 1
