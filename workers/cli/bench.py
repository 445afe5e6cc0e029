"""``newsflow bench``: throughput, latency and memory, each against a baseline run alongside."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from workers.corpus import SEED_DIR
from workers.settings import Settings


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "bench",
        help="benchmark the pipeline against bare spaCy and a plain Kafka loop",
        description="Runs, in one invocation: (1) bare spaCy nlp.pipe over the corpus, (2) our "
        "enrichment offline, (3) end to end through the broker with 1 worker, (3n) the same "
        "without the duplicate index, (4) with 2 worker processes, (5a) the worker in passthrough "
        "(no NLP) against (5b) a plain kafka-python consume-and-produce loop, (R) a new worker's "
        "catch-up on the index changelog of 50x N articles against (Rb) a plain read of it; then end-to-end "
        "latency at about half of (3)'s capacity, and optionally a memory soak. Prints "
        "articles/s, words/s, ratios and peak RSS per worker, and writes the same as JSON. "
        "Needs a running broker for (3)-(5).",
    )
    p.add_argument(
        "--articles", type=int, default=400, metavar="N", help="corpus size for (1)-(4) (default 400, ~1 min each here)"
    )
    p.add_argument(
        "--latency-seconds",
        type=float,
        default=40.0,
        metavar="S",
        help="length of the fixed-load latency run (default 40)",
    )
    p.add_argument(
        "--soak",
        type=int,
        default=0,
        metavar="N",
        help="also run N paragraph-sized articles through one worker; report RSS after 1,000 and at N (default: skip)",
    )
    p.add_argument("--offline-only", action="store_true", help="only (1) and (2): no broker needed")
    p.add_argument("--output", default="bench.json", metavar="FILE", help="JSON results (default bench.json)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    # Heavy imports only for this command.
    from workers.benchmark import scenarios
    from workers.benchmark.report import Report
    from workers.corpus import build_corpus, seed_articles
    from workers.kafka.client import wait_for_broker

    seeds = seed_articles([str(SEED_DIR)])
    corpus = list(build_corpus(seeds, args.articles, prefix="bench"))
    report = Report()

    def step(key: str, title: str, fn: Any, *fn_args: Any, **kwargs: Any) -> None:
        print(f"bench: ({key}) {title} ...", file=sys.stderr, flush=True)
        report.add(key, fn(*fn_args, **kwargs))
        r = report.results[key]
        print(f"bench: ({key}) {r.articles_per_second:.2f} articles/s", file=sys.stderr, flush=True)

    step("1", "stock spaCy", scenarios.stock_spacy, settings.spacy_model, corpus)
    step("1b", "stock spaCy, 2 processes", scenarios.stock_spacy_processes, settings.spacy_model, corpus, 2)
    report.ratio("(1b)/(1) this machine's 2-process scaling of bare spaCy", "1b", "1", "the ceiling for (4)/(3)")
    step("2", "offline enrichment", scenarios.offline_enrichment, settings.spacy_model, corpus, settings)
    report.ratio("(2)/(1) offline enrichment vs bare spaCy", "2", "1", ">= 0.85 (quality issue)")
    if not args.offline_only:
        wait_for_broker(settings)
        with tempfile.TemporaryDirectory(prefix="newsflow-bench-") as tmp:
            workdir = Path(tmp)
            step("3", "pipeline, 1 worker", scenarios.pipeline, settings, corpus, workdir, workers=1, label="one")
            step(
                "3n",
                "pipeline, 1 worker, no duplicate index",
                scenarios.pipeline,
                settings.with_overrides(dedup_enabled=False),
                corpus,
                workdir,
                workers=1,
                label="nodedup",
            )
            step("4", "pipeline, 2 workers", scenarios.pipeline, settings, corpus, workdir, workers=2, label="two")
            light = list(build_corpus(seeds, args.articles * 10, prefix="pass"))
            step(
                "5a",
                "passthrough worker",
                scenarios.pipeline,
                settings,
                light,
                workdir,
                workers=1,
                label="pass",
                passthrough=True,
            )
            step("5b", "plain kafka-python loop", scenarios.plain_loop, settings, light)
            rate = report.results["3"].articles_per_second / 2
            load = list(build_corpus(seeds, max(20, int(rate * args.latency_seconds)), prefix="lat"))
            step(
                "L",
                f"latency at {rate:.1f} articles/s",
                scenarios.pipeline,
                settings,
                load,
                workdir,
                workers=1,
                label="lat",
                rate=rate,
            )
            if args.soak:
                step(
                    "S",
                    f"soak of {args.soak} articles",
                    scenarios.soak,
                    settings,
                    scenarios.paragraph_corpus(corpus, args.soak),
                    workdir,
                )
            # Last: the broker then compacts the changelog written here, which would
            # disturb a scenario timed after it.
            index_corpus = list(build_corpus(seeds, args.articles * 50, prefix="index"))
            print(f"bench: writing the index changelog of {len(index_corpus)} articles ...", file=sys.stderr)
            index_run, records = scenarios.write_index_changelog(settings, index_corpus, workdir)
            step("R", "index replica catch-up", scenarios.replica_catch_up, index_run, index_corpus, records, workdir)
            step("Rb", "plain read of the changelog", scenarios.plain_read, index_run, index_corpus, records)
        report.ratio("(3)/(1) pipeline, 1 worker vs bare spaCy", "3", "1", ">= 0.9")
        report.ratio("(3)/(3n) with vs without the duplicate index", "3", "3n", "near 1 (the index's cost)")
        report.ratio("(4)/(3) 2 workers vs 1 worker", "4", "3", ">= 1.7, and near (1b)/(1)")
        report.ratio("(5a)/(5b) passthrough worker vs plain kafka-python loop", "5a", "5b", ">= 0.5")
        report.ratio("(R)/(Rb) index replica catch-up vs plain read", "R", "Rb", "the cost of applying to RocksDB")
        latency = report.results["L"].extra["latency_s"]
        assert isinstance(latency, dict)
        report.notes["latency at half capacity p50/p95/p99 (s)"] = (
            f"{latency.get('p50')}/{latency.get('p95')}/{latency.get('p99')}"
        )
        if latency.get("p50"):
            report.notes["p99/p50 at half capacity (target <= 3)"] = round(latency["p99"] / latency["p50"], 2)
        for key in ("3", "4"):
            report.notes[f"peak RSS per worker in ({key}), MB (target <= 500)"] = report.results[key].extra[
                "peak_rss_mb"
            ]
        if "S" in report.results:
            soak = report.results["S"].extra
            first, end = soak.get("rss_mb_after_1000"), soak.get("rss_mb_at_end")
            growth = None
            if isinstance(first, float) and isinstance(end, float) and first:
                growth = round((end - first) / first * 100, 1)
            report.notes["soak RSS after 1,000 / at end, MB; growth % (target <= 10)"] = f"{first} / {end}; {growth}"
    print(report.render())
    report.write(Path(args.output))
    print(f"\nwritten to {args.output}", file=sys.stderr)
    return 0
