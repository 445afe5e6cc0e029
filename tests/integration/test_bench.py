"""A smoke run of ``newsflow bench`` against the real broker, with a tiny corpus and sizes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson

from tests.integration.conftest import settings_env
from workers.settings import Settings

#: (1b) and (4) start two processes each: left out to keep the run short on 2 cores.
SKIPPED = "1b,4"
EXPECTED_ROWS = {
    "1",
    "2",
    "T",
    "A2k",
    "A4k",
    "K",
    "Kb",
    "3",
    "3n",
    "5a",
    "5b",
    "L",
    "R",
    "Rb",
    "W1000",
    "W1000n",
    "WS300",
    "WS300n",
}
EXPECTED_RATIOS = {
    "(2)/(1) offline enrichment vs bare spaCy",
    "(T)/(2) stories stage vs enrichment, articles/s",
    "(A) peak RSS at 4 KB minus at 2 KB, MB",
    "(A) seconds per KB at 4 KB over at 2 KB",
    "(A) the same in CPU seconds (less disturbed by other load)",
    "(K)/(Kb) sink vs plain COPY",
    "(K)/(2) sink vs the NLP",
    "(3)/(1) pipeline, 1 worker vs bare spaCy",
    "(3)/(3n) with vs without the duplicate index",
    "(5a)/(5b) passthrough worker vs plain kafka-python loop",
    "(R)/(Rb) index replica catch-up vs plain read",
    "(W1000)/(W1000n) 1,000 entries, catch-up seconds",
    "(W1000)/(W1000n) 1,000 entries, records read",
    "(W1000)/(W1000n) 1,000 entries, disk size",
    "(WS300)/(WS300n) 300 articles, restore seconds",
    "(WS300)/(WS300n) 300 articles, checkpoint bytes",
    "(WS300)/(WS300n) 300 articles, open stories",
}


def test_bench_writes_every_row_with_positive_figures(pipeline_settings: Settings, tmp_path: Path) -> None:
    output = tmp_path / "bench.json"
    args = [
        "--articles",
        "8",
        "--latency-seconds",
        "2",
        "--sizes",
        "2k,4k",
        "--sink-events",
        "200",
        "--index-entries",
        "1000",
        "--story-entries",
        "300",
    ]
    args += ["--skip", SKIPPED]
    result = subprocess.run(
        [sys.executable, "-m", "workers", "bench", *args, "--output", str(output)],
        env=settings_env(pipeline_settings),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    report = orjson.loads(output.read_bytes())
    rows = report["results"]

    assert set(rows) == EXPECTED_ROWS
    for key, row in rows.items():
        if key.startswith("WS"):  # synthetic story articles: no words, but a checkpoint
            figures = [row["articles"], row["seconds"], row["checkpoint_bytes"], row["stories"]]
        elif key.startswith("W"):  # synthetic index entries: no words, but records read and disk
            figures = [row["articles"], row["seconds"], row["records_read"], row["disk_mb"]]
        else:
            figures = [
                row["articles"],
                row["words"],
                row["seconds"],
                row["articles_per_second"],
                row["words_per_second"],
            ]
        assert all(value > 0 for value in figures), (key, row)
    # A window keeping 10% of the entries: a new worker reads fewer records than without one.
    assert rows["W1000"]["records_read"] < rows["W1000n"]["records_read"]
    # The stories stage's idle window closes stories: fewer open, a smaller checkpoint.
    assert rows["WS300"]["stories"] < rows["WS300n"]["stories"]
    assert rows["WS300"]["checkpoint_bytes"] < rows["WS300n"]["checkpoint_bytes"]
    # (1) is the fastest bare-spaCy configuration tried, and says which one that was.
    tried = rows["1"]["configs"]
    assert {"default nlp.pipe", "12,000-char minibatches", "batch_size=1"} <= set(tried)
    # (seconds are rounded to the millisecond in the JSON: two may tie on a tiny corpus)
    assert min(tried[rows["1"]["config"]]["seconds"]) == min(min(f["seconds"]) for f in tried.values())
    assert all(figures["words_per_second"] > 0 for figures in tried.values())
    assert "(1) configurations tried" in result.stdout
    for key in ("A2k", "A4k"):
        assert rows[key]["peak_rss_mb"] > 0 and rows[key]["load_seconds"] > 0 and rows[key]["bytes"] > 0
    for key in ("3", "3n", "5a", "L"):
        assert all(peak > 0 for peak in rows[key]["peak_rss_mb"]) and rows[key]["exit_codes"] == [0]
    ratios = {name: entry["value"] for name, entry in report["ratios"].items()}
    assert set(ratios) == EXPECTED_RATIOS
    # The RSS difference between two small articles may be 0 or below: only a number.
    assert all(isinstance(value, float) for value in ratios.values()), ratios
    assert all(value > 0 for name, value in ratios.items() if "minus" not in name), ratios
    assert "(A) seconds per KB at 4 KB over at 2 KB" in result.stdout
    # (2) ran, so the sink is set against its articles/s.
    assert report["notes"]["(K) NLP articles/s the sink is set against"].endswith("from (2) of this run")


def test_bench_only_k_reports_the_sink_rows_and_ratios_without_a_broker(tmp_path: Path) -> None:
    output = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, "-m", "workers", "bench", "--only", "K", "--sink-events", "200", "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    report = orjson.loads(output.read_bytes())

    assert set(report["results"]) == {"K", "Kb"}
    for row in report["results"].values():
        assert row["articles"] == 200 and row["rows"] > 200 and row["rows_per_second"] > 0
    ratios = {name: entry["value"] for name, entry in report["ratios"].items()}
    assert set(ratios) == {"(K)/(Kb) sink vs plain COPY", "(K)/(2) sink vs the NLP"}
    assert all(isinstance(value, float) and value > 0 for value in ratios.values()), ratios
    assert "seed articles in (K)" in report["notes"]["(K) NLP articles/s the sink is set against"]
    assert "(K)/(Kb) sink vs plain COPY" in result.stdout
