"""``newsflow stories``: the stage's code offline, on enriched or raw articles."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from spacy.language import Language

from tests.checks import assert_valid_event
from tests.test_stories.events import enriched
from tests.test_stories.test_assign import BUDGET, QUAKE, QUAKE_2
from workers.cli import main
from workers.stories.assign import story_id


@pytest.fixture(autouse=True)
def shared_pipeline(monkeypatch: pytest.MonkeyPatch, nlp: Language) -> None:
    """The session's pipeline instead of loading the model again for every command."""
    monkeypatch.setattr("workers.nlp.pipeline.load_pipeline", lambda name: nlp)


def _write(path: Path, *events: dict[str, object]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in events))
    return path


def test_enriched_articles_are_placed_in_order_one_line_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chile = {"GPE:Chile": 0.9, "GPE:Valparaiso": 0.7}
    src = _write(
        tmp_path / "in.jsonl",
        enriched("a1", QUAKE, entities=chile),
        enriched("a2", BUDGET, entities={"GPE:The Hague": 0.9}),
        enriched("a3", QUAKE_2, entities=chile, source="other"),
    )
    out = tmp_path / "out.jsonl"
    assert main(["stories", str(src), "-o", str(out)]) == 0
    lines = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    for line in lines:
        assert_valid_event(line["story"])
    assert [(x["story"]["article_id"], x["story"]["story_id"]) for x in lines] == [
        ("a1", story_id("a1")),
        ("a2", story_id("a2")),
        ("a3", story_id("a1")),
    ]
    assert lines[2]["story"]["sources"] == ["other", "wire"]
    assert "3 articles in 2 stories, 0 failed" in capsys.readouterr().err


def test_raw_articles_are_enriched_first(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.jsonl", {"id": "r1", "body": QUAKE}, {"id": "r2", "body": BUDGET})
    out = tmp_path / "out.jsonl"
    assert main(["stories", str(src), "-o", str(out)]) == 0
    assert [orjson.loads(line)["story"]["article_id"] for line in out.read_bytes().splitlines()] == ["r1", "r2"]


def test_an_enriched_event_the_stage_cannot_read_fails_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = enriched("a2", BUDGET)
    broken["published_at"] = None
    broken["processing"] = {"processed_at": None, "pipeline_version": "x"}
    src = _write(tmp_path / "in.jsonl", enriched("a1", QUAKE), broken)
    out = tmp_path / "out.jsonl"
    assert main(["stories", str(src), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"[E310] {src}:2" in err and "1 articles in 1 stories, 1 failed" in err
    assert len(out.read_bytes().splitlines()) == 1


def test_a_threshold_outside_0_to_1_is_a_usage_error(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.jsonl", enriched("a1", QUAKE))
    assert main(["stories", str(src), "--threshold", "2"]) == 2


def test_the_stage_options_and_the_offline_options_do_not_mix(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("")
    assert main(["stories", str(src), "--reset-state"]) == 2
    assert main(["stories", "-o", str(tmp_path / "out.jsonl")]) == 2


def test_each_line_carries_the_trends_its_article_made_cross(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # an article an hour naming the Dutch parliament for a day, then six on Chile in one hour
    quiet = [
        enriched(f"b{h}", BUDGET, at=f"2024-03-01T{h:02d}:10:00Z", entities={"GPE:The Hague": 0.9}) for h in range(24)
    ]
    quakes = [
        enriched(f"q{k}", QUAKE, at=f"2024-03-02T00:{10 + k:02d}:00Z", entities={"GPE:Chile": 0.9}, source=f"s{k}")
        for k in range(6)
    ]
    src = _write(tmp_path / "in.jsonl", *quiet, *quakes)
    out = tmp_path / "out.jsonl"
    assert main(["stories", str(src), "-o", str(out)]) == 0
    lines = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    fired = [(x["story"]["article_id"], t) for x in lines for t in x["trends"]]
    ((article_id, trend),) = fired
    assert_valid_event(trend)
    assert article_id == "q4" and (trend["entity_id"], trend["count"], trend["baseline"]) == ("gpe:chile", 5, 0.0)
    assert trend["stories"] == [story_id("q0")] and trend["version"] == lines[0]["story"]["version"]
    assert "30 articles in 2 stories, 0 failed; 1 trends" in capsys.readouterr().err
    # the flags set the detector's parameters: with six articles needed, it is the sixth
    out2 = tmp_path / "out2.jsonl"
    assert main(["stories", str(src), "-o", str(out2), "--trend-min-count", "6"]) == 0
    lines = [orjson.loads(line) for line in out2.read_bytes().splitlines()]
    assert [x["story"]["article_id"] for x in lines if x["trends"]] == ["q5"]


def test_trend_parameters_out_of_range_are_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _write(tmp_path / "in.jsonl", enriched("a1", QUAKE))
    assert main(["stories", str(src), "--trend-baseline-windows", "0"]) == 2
    assert "[E311] trend parameters: baseline_windows must be at least 1" in capsys.readouterr().err
