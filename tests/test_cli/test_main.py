from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from tests.checks import assert_spans_index_body, assert_valid_event
from tests.conftest import SEEDS
from workers import __version__
from workers.cli import build_parser, main
from workers.cli.reprocess import running_version
from workers.exceptions import ModelLoadError
from workers.pipeline.enrich import Enricher
from workers.settings import Settings

COMMANDS = [
    ["enrich"],
    ["feed"],
    ["tail"],
    ["worker"],
    ["topics"],
    ["topics", "create"],
    ["topics", "list"],
    ["dlq", "replay"],
    ["reprocess"],
    ["demo"],
    ["completion"],
]
KAFKA_COMMANDS = [["feed", "x"], ["tail", "t"], ["worker"], ["topics", "create"], ["topics", "list"], ["demo"]]


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


@pytest.mark.parametrize("command", KAFKA_COMMANDS, ids=" ".join)
def test_bootstrap_servers_are_taken_before_and_after_the_command(command: list[str]) -> None:
    parse = build_parser().parse_args
    assert parse(["-b", "before:1", *command]).bootstrap_servers == "before:1"
    assert parse([*command, "-b", "after:2"]).bootstrap_servers == "after:2"
    assert parse([*command, "--bootstrap-servers", "after:2"]).bootstrap_servers == "after:2"
    assert parse(["--connect-timeout", "3", *command]).connect_timeout == 3


def test_a_flag_after_the_command_wins_only_when_given() -> None:
    parse = build_parser().parse_args
    assert parse(["-b", "before:1", "--connect-timeout", "3", "tail", "-b", "after:2", "t"]).bootstrap_servers == (
        "after:2"
    )
    kept = parse(["-b", "before:1", "--connect-timeout", "3", "tail", "t", "--connect-timeout", "4"])
    assert (kept.bootstrap_servers, kept.connect_timeout) == ("before:1", 4)
    assert parse(["topics", "-b", "middle:3", "list"]).bootstrap_servers == "middle:3"
    assert parse(["tail", "t"]).bootstrap_servers is None


@pytest.mark.parametrize("timeout", ["0", "-1", "soon"])
def test_connect_timeout_must_be_a_positive_number_of_seconds(timeout: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["tail", "t", "--connect-timeout", timeout])
    assert exit_info.value.code == 2


@pytest.mark.parametrize("command", [["tail"], ["topics", "create"], ["worker"], ["dlq", "replay"]], ids=" ".join)
def test_kafka_command_help_names_the_connection_variables(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main([*command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for part in (
        "-b HOST:PORT",
        "NEWSFLOW_BOOTSTRAP_SERVERS",
        "--connect-timeout S",
        "NEWSFLOW_CONNECT_TIMEOUT_SECONDS",
    ):
        assert part in text


@pytest.mark.parametrize("command", ["enrich", "serve", "completion"])
def test_offline_commands_take_no_connection_flags(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    assert "--bootstrap-servers" not in capsys.readouterr().out


def test_topics_create_help_names_the_changelog_topics_and_each_options_variable(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["topics", "create", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "<group>-dedup-changelog" in text and "<group>-poison-changelog" in text and "compacted" in text
    for name in ("NEWSFLOW_PARTITIONS", "NEWSFLOW_REPLICATION_FACTOR", "NEWSFLOW_GROUP_ID", "NEWSFLOW_TOPIC_RAW"):
        assert name in text


def test_malformed_bootstrap_servers_from_the_flag_fail_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tail", "-b", "nonsense", "claims"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("newsflow: error: [E102] NEWSFLOW_BOOTSTRAP_SERVERS (or -b/--bootstrap-servers)")
    assert "'nonsense'" in err and err.count("\n") == 1


def test_unknown_setting_suggests_the_closest_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSFLOW_BOOTSTRAP_SERVER", "broker:9092")
    assert main(["topics", "list"]) == 2
    assert capsys.readouterr().err == (
        "newsflow: error: [E103] unknown setting NEWSFLOW_BOOTSTRAP_SERVER; did you mean NEWSFLOW_BOOTSTRAP_SERVERS?\n"
    )


@pytest.mark.timeout(60)
def test_worker_says_where_it_waits_for_kafka_before_failing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens once the socket is closed
    monkeypatch.setenv("NEWSFLOW_METRICS_PORT", "0")
    assert main(["worker", "-b", f"127.0.0.1:{port}", "--connect-timeout", "1"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith(f"waiting for Kafka at 127.0.0.1:{port} (up to 1 s")
    assert lines[1].startswith("newsflow: error: [E401]") and len(lines) == 2


def test_version_prints_the_package_and_the_pipeline_version_events_carry(
    enricher: Enricher, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEWSFLOW_SPACY_MODEL", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    package, pipeline = capsys.readouterr().out.splitlines()
    assert package == f"newsflow {__version__}"
    assert pipeline.startswith(f"pipeline {enricher.version.version} (model {enricher.version.model} ")


def test_version_says_when_the_configured_model_is_not_installed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSFLOW_SPACY_MODEL", "no_such_model_xyz")
    with pytest.raises(SystemExit):
        main(["--version"])
    assert "pipeline: unknown, the spaCy model 'no_such_model_xyz' is not installed" in capsys.readouterr().out


def test_reprocess_targets_the_version_this_installations_workers_run(
    enricher: Enricher, make_settings: Callable[..., Settings]
) -> None:
    assert running_version(make_settings()) == enricher.version.version
    assert running_version(make_settings(passthrough=True)) == Enricher(None).version.version


def test_reprocess_without_the_model_asks_for_the_version(make_settings: Callable[..., Settings]) -> None:
    with pytest.raises(ModelLoadError, match=r"\[E201\].*--pipeline-version"):
        running_version(make_settings(spacy_model="no_such_model_xyz"))
