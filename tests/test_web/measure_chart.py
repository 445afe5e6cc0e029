"""Measure the chart choice: pygal on the server against uPlot in the browser.

Not a test (pytest does not collect it); prints figures measured in one run::

    (cd /tmp && npm pack uplot@1.6.32 && tar xzf uplot-1.6.32.tgz)
    .venv/bin/newsflow enrich seeds/articles -o /tmp/enriched.jsonl
    .venv/bin/python -m tests.test_web.measure_chart /tmp/package/dist /tmp/enriched.jsonl
"""

from __future__ import annotations

import gzip
import json
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from starlette.testclient import TestClient

from tests.test_web.memory import MemorySource
from workers.web.app import create_app
from workers.web.chart import mentions_chart_svg
from workers.web.source import DayCount


def pygal_figures(days: int, runs: int = 30) -> tuple[float, int, int]:
    """Median render time (ms), SVG size and gzipped size for a chart of ``days`` days."""
    counts = [DayCount(date(2026, 11, 30) - timedelta(d), d % 7) for d in range(days)]
    times = []
    svg = b""
    for _ in range(runs):
        start = time.perf_counter()
        svg = mentions_chart_svg(counts, "Mentions of Hama per day")
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, len(svg), len(gzip.compress(svg))


def main(uplot_dist: Path, enriched: Path) -> None:
    for days in (14, 90):
        ms, raw, packed = pygal_figures(days)
        print(f"pygal {days:>2} days: {ms:5.1f} ms to render, {raw / 1000:5.1f} kB SVG ({packed / 1000:4.1f} kB gzip)")
    js = (uplot_dist / "uPlot.iife.min.js").read_bytes()
    css = (uplot_dist / "uPlot.min.css").read_bytes()
    print(
        f"uPlot: {len(js) / 1000:5.1f} kB JS ({len(gzip.compress(js)) / 1000:4.1f} kB gzip) + "
        f"{len(css) / 1000:.1f} kB CSS, plus the data and a script to draw it"
    )
    events = [json.loads(line) for line in enriched.read_text().splitlines() if line.strip()]
    client = TestClient(create_app(MemorySource(events)))
    entity = max((e for ev in events for e in ev["entities"]), key=lambda e: len(e["mentions"]))["id"]
    parts = [
        f"/entities/{entity}",
        "/static/style.css",
        "/labels.css",
        "/static/live.js",
        f"/entities/{entity}/mentions.svg",
    ]
    sizes = {p: int(client.get(p, headers={"accept-encoding": "gzip"}).headers["content-length"]) for p in parts}
    listed = " + ".join(f"{p} {n / 1000:.1f} kB" for p, n in sizes.items())
    print(f"entity page, bytes sent (gzip): {listed} = {sum(sizes.values()) / 1000:.1f} kB")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
