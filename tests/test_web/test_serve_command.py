from __future__ import annotations

import socket

import pytest

from workers.cli import build_parser, main


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_host_and_port_flags_override_the_settings() -> None:
    args = build_parser().parse_args(["serve", "--host", "127.0.0.2", "--port", "0"])
    assert (args.host, args.port) == ("127.0.0.2", 0)


def test_without_flags_the_settings_decide() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port) == (None, None)


def test_an_unreachable_store_fails_at_start_naming_the_reader_role(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSFLOW_DATABASE_URL", f"postgresql://newsflow:secret@127.0.0.1:{closed_port()}/newsflow")
    monkeypatch.setenv("NEWSFLOW_CONNECT_TIMEOUT_SECONDS", "2")
    assert main(["serve", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "[E921]" in err and "user=newsflow_reader" in err and "secret" not in err
