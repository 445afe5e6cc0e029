"""Which scenarios ``newsflow bench`` runs, from its flags (no model, no broker)."""

from __future__ import annotations

import pytest

from workers.cli import build_parser
from workers.cli.bench import SCENARIOS, selected_scenarios
from workers.exceptions import NewsflowError


def chosen(*argv: str) -> list[str]:
    return selected_scenarios(build_parser().parse_args(["bench", *argv]))


def test_default_run_has_every_scenario_but_the_soak() -> None:
    assert chosen() == [key for key in SCENARIOS if key != "S"]


def test_article_size_scenario_is_part_of_the_default_run_and_of_offline_only() -> None:
    assert "A" in chosen()
    assert chosen("--offline-only") == ["1", "1b", "2", "T", "WS", "A", "K"]


def test_soak_runs_when_given_a_count() -> None:
    assert "S" in chosen("--soak", "100")


def test_only_and_skip_select_scenarios_in_run_order() -> None:
    assert chosen("--only", "A,2,1") == ["1", "2", "A"]
    assert chosen("--skip", "A,1b,4,L") == ["1", "2", "T", "WS", "K", "3", "3n", "5a", "5b", "R", "W"]


def test_ws_is_the_story_state_and_not_the_index_window() -> None:
    assert chosen("--only", "ws") == ["WS"]
    assert chosen("--only", "W") == ["W"]
    assert "WS" in chosen("--offline-only")


def test_rb_names_the_index_catch_up_it_runs_with() -> None:
    assert chosen("--only", "Rb") == ["R"]


def test_latency_run_without_3_is_an_error() -> None:
    with pytest.raises(NewsflowError, match="E701"):
        chosen("--skip", "3")


def test_unknown_scenario_is_a_usage_error() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["bench", "--only", "9"])


def test_sizes_flag_rejects_a_bad_size() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["bench", "--sizes", "10k,lots"])


def test_sink_scenario_is_part_of_the_default_run_after_the_offline_ones() -> None:
    default = chosen()
    assert "K" in default
    assert default.index("2") < default.index("K") < default.index("3")


def test_skip_k_leaves_the_sink_out() -> None:
    assert "K" not in chosen("--skip", "K")


def test_kb_names_the_sink_scenario_it_runs_with() -> None:
    assert chosen("--only", "Kb") == ["K"]


def test_sink_events_defaults_to_2000_and_takes_a_count() -> None:
    assert build_parser().parse_args(["bench"]).sink_events == 2000
    assert build_parser().parse_args(["bench", "--sink-events", "200"]).sink_events == 200


def test_index_window_scenario_needs_the_broker_and_takes_entry_counts() -> None:
    assert chosen("--only", "Wn") == ["W"] and "W" not in chosen("--offline-only")
    assert build_parser().parse_args(["bench"]).index_entries == (100_000,)
    assert build_parser().parse_args(["bench", "--index-entries", "100000,1000000"]).index_entries == (
        100_000,
        1_000_000,
    )
    with pytest.raises(SystemExit):
        build_parser().parse_args(["bench", "--index-entries", "10"])
