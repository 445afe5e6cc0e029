"""``newsflow sink``'s command line: options name their settings and override them."""

from __future__ import annotations

import argparse

import pytest

from workers.cli import build_parser


def parse(*args: str) -> argparse.Namespace:
    return build_parser().parse_args(["sink", *args])


def test_help_names_every_setting_the_sink_reads(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse("--help")
    text = " ".join(capsys.readouterr().out.split())
    for name in (
        "NEWSFLOW_DATABASE_URL",
        "NEWSFLOW_SINK_GROUP_ID",
        "NEWSFLOW_SINK_BATCH_MAX_EVENTS",
        "NEWSFLOW_METRICS_PORT",
        "NEWSFLOW_TOPIC_ENRICHED",
        "NEWSFLOW_TOPIC_DLQ",
    ):
        assert name in text


def test_options_are_parsed_into_their_settings() -> None:
    args = parse("--database-url", "postgresql://u@h/db", "--group-id", "g", "--batch-max-events", "7")
    assert (args.database_url, args.group_id, args.batch_max_events) == ("postgresql://u@h/db", "g", 7)


@pytest.mark.parametrize("bad", [["--batch-max-events", "0"], ["--metrics-port", "70000"]])
def test_out_of_range_numbers_are_refused(bad: list[str]) -> None:
    with pytest.raises(SystemExit):
        parse(*bad)
