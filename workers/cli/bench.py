"""``newsflow bench``: throughput, latency and memory, each against a baseline run alongside."""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from workers.exceptions import NewsflowError
from workers.inputs.corpus import SEED_DIR
from workers.settings import Settings

#: Every scenario that ``--only`` and ``--skip`` name, in the order they run. (R) runs
#: with its baseline (Rb), (K) with (Kb); (S) runs only with ``--soak N``; (L) needs (3)'s
#: throughput. (K) needs Debian's PostgreSQL (``make install``) but no broker.
SCENARIOS = ("1", "1b", "2", "T", "WS", "A", "K", "3", "3n", "4", "5a", "5b", "L", "S", "R", "W")
#: The scenarios that need a broker (left out by ``--offline-only``).
BROKER_SCENARIOS = frozenset({"3", "3n", "4", "5a", "5b", "L", "S", "R", "W"})
_ALIASES = {
    "rb": "R",
    "r": "R",
    "a": "A",
    "l": "L",
    "s": "S",
    "k": "K",
    "kb": "K",
    "t": "T",
    "w": "W",
    "wn": "W",
    "ws": "WS",
    "wsn": "WS",
}


def scenario_keys(text: str) -> frozenset[str]:
    """``"1,2,A"`` -> the scenarios named (argparse type of ``--only`` and ``--skip``)."""
    keys = set()
    for part in text.split(","):
        key = _ALIASES.get(part.strip().lower(), part.strip())
        if key not in SCENARIOS:
            raise argparse.ArgumentTypeError(f"unknown scenario {part!r}; known: {', '.join(SCENARIOS)}")
        keys.add(key)
    return frozenset(keys)


def sizes_text(text: str) -> str:
    """Validate ``--sizes`` early; the sizes are capped by the body limit in :func:`run`."""
    from workers.benchmark.article_size import parse_sizes

    try:
        parse_sizes(text, max_body_bytes=10**12)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def entry_counts(text: str) -> tuple[int, ...]:
    """``"100000,1000000"`` -> the entry counts of (W) (argparse type of ``--index-entries``)."""
    try:
        counts = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of whole numbers: {text!r}") from None
    if any(n < 100 for n in counts):
        raise argparse.ArgumentTypeError(f"each count must be at least 100, got {text!r}")
    return counts


def selected_scenarios(args: argparse.Namespace) -> list[str]:
    """The scenarios to run, in order.

    Raises:
        NewsflowError: (L) is selected without (3), whose throughput sets its load.
    """
    chosen = [k for k in SCENARIOS if (not args.only or k in args.only) and k not in (args.skip or ())]
    if args.offline_only:
        chosen = [k for k in chosen if k not in BROKER_SCENARIOS]
    if not args.soak:
        chosen = [k for k in chosen if k != "S"]
    if "L" in chosen and "3" not in chosen:
        raise NewsflowError("[E701] the latency run (L) is loaded at half of (3)'s throughput: run (3) too, or skip L")
    return chosen


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "bench",
        help="benchmark the pipeline against bare spaCy and a plain Kafka loop",
        description="Runs, in one invocation: (1) bare spaCy (the same model, all its components, one "
        "thread) at its fastest over the corpus: nlp.pipe's default batching, our 12,000-character "
        "minibatches and batch_size 1, 4, 16 and 64 each timed, the fastest two twice, the best kept as "
        "the baseline; (1b) the same split over 2 processes, (2) our enrichment offline, (T) the stories "
        "stage's core on one core (the corpus enriched once, then 20 copies of it streamed through "
        "parse, assign and encode, one article every 5 minutes of article time; its state sampled "
        "to show it flat) against (2), (A) the peak "
        "RSS and seconds of "
        "enriching one article of each --sizes, each in a fresh process, (K) the sink (events parsed, "
        "rows made, SinkStore writing) against (Kb) a plain psycopg COPY of the same rows in a throwaway "
        "PostgreSQL cluster (needs Debian's PostgreSQL, no broker), (3) end to end through "
        "the broker with 1 worker, (3n) the same without the duplicate index, (4) with 2 worker "
        "processes, (5a) the worker in passthrough (no NLP; 10x N articles, at least 10,000; at the "
        "configured batch size and at 256, the "
        "faster counts) against (5b) a plain kafka-python consume-and-produce loop (max_poll_records 500, "
        "2000 and 5000, the fastest counts), (L) end-to-end latency at about half of (3)'s capacity, "
        "optionally (S) a memory soak, and (R) a new worker's catch-up on the index changelog of "
        "50x N articles against (Rb) a plain read of it, (W) a new worker's catch-up on the index changelog "
        "of --index-entries synthetic articles with a window that keeps 10%% of them, after compaction, "
        "against (Wn) no window: seconds, records read and disk size, (WS) the stories stage's checkpoint "
        "after --story-entries synthetic articles with its idle window at a tenth of the stream, against "
        "(WSn) no window: restore seconds and bytes. Prints articles/s, words/s, ratios and "
        "peak RSS per worker, and writes the same as JSON. Needs a running broker for (3)-(R).",
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
    p.add_argument(
        "--sizes",
        type=sizes_text,
        default=None,
        metavar="LIST",
        help="body sizes of (A) in UTF-8 bytes, k = 1,000, m = 1,000,000 (default 10k,100k,500k,1m; "
        "a size over 99%% of NEWSFLOW_MAX_BODY_BYTES is measured at that, so 1m is 990,000 bytes)",
    )
    p.add_argument(
        "--only",
        type=scenario_keys,
        metavar="KEYS",
        help=f"run only these scenarios, comma separated ({', '.join(SCENARIOS)})",
    )
    p.add_argument("--skip", type=scenario_keys, metavar="KEYS", help="leave out these scenarios, comma separated")
    p.add_argument(
        "--sink-events",
        type=int,
        default=2000,
        metavar="N",
        help="articles (K) and (Kb) each write (default 2000)",
    )
    p.add_argument(
        "--index-entries",
        type=entry_counts,
        default=(100_000,),
        metavar="LIST",
        help="synthetic index entries of (W) and (Wn), comma separated (default 100000; 1000000 takes "
        "about 10x as long)",
    )
    p.add_argument(
        "--story-entries",
        type=entry_counts,
        default=(10_000,),
        metavar="LIST",
        help="synthetic articles of (WS) and (WSn), comma separated (default 10000, about 15 s here; 100000 "
        "about 4 minutes: without a window every story stays open and each article meets more of them)",
    )
    p.add_argument(
        "--offline-only", action="store_true", help="only (1), (1b), (2), (T), (WS), (A) and (K): no broker needed"
    )
    p.add_argument("--output", default="bench.json", metavar="FILE", help="JSON results (default bench.json)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    # Heavy imports only for this command.
    from workers.benchmark import baseline, scenarios
    from workers.benchmark.report import Report
    from workers.inputs.corpus import build_corpus, seed_articles
    from workers.kafka.client import wait_for_broker
    from workers.pipeline.enrich import DEFAULT_PIPE_CHARS

    chosen = selected_scenarios(args)
    seeds = seed_articles([str(SEED_DIR)])
    corpus = list(build_corpus(seeds, args.articles, prefix="bench"))
    report = Report()

    def step(key: str, title: str, fn: Any, *fn_args: Any, **kwargs: Any) -> None:
        print(f"bench: ({key}) {title} ...", file=sys.stderr, flush=True)
        report.add(key, fn(*fn_args, **kwargs))
        r = report.results[key]
        print(f"bench: ({key}) {r.articles_per_second:.2f} articles/s", file=sys.stderr, flush=True)
        configs = r.extra.get("configs")
        if isinstance(configs, dict):
            for name, figures in configs.items():
                print(f"bench: ({key})   {name}: {figures['words_per_second']:.0f} words/s", file=sys.stderr)

    configs = baseline.baseline_configs(pipe_chars=DEFAULT_PIPE_CHARS)
    tried = ", ".join(c.name for c in configs)
    if "1" in chosen:
        step("1", f"bare spaCy, fastest of: {tried}", baseline.stock_spacy, settings.spacy_model, corpus, configs)
    if "1b" in chosen:
        step(
            "1b",
            "bare spaCy, 2 processes, the same configurations",
            baseline.stock_spacy_processes,
            settings.spacy_model,
            corpus,
            2,
            configs,
        )
    report.ratio("(1b)/(1) this machine's 2-process scaling of bare spaCy", "1b", "1", "the ceiling for (4)/(3)")
    for key in ("1", "1b"):
        if key in report.results:
            report.notes[f"({key}) baseline configuration (the fastest tried)"] = report.results[key].extra["config"]
    if "2" in chosen:
        step("2", "offline enrichment", scenarios.offline_enrichment, settings.spacy_model, corpus, settings)
    report.ratio("(2)/(1) offline enrichment vs bare spaCy", "2", "1", ">= 1.0")
    if "T" in chosen:
        from workers.benchmark.stories import stories_stage

        step("T", "the stories stage's core on one core", stories_stage, settings.spacy_model, corpus, settings)
    report.ratio("(T)/(2) stories stage vs enrichment, articles/s", "T", "2", ">= 50")
    if "WS" in chosen:
        _story_state(args, report)
    if "A" in chosen:
        _article_sizes(args, settings, report)
    if "K" in chosen:
        _sink(args, settings, report)
    if any(key in BROKER_SCENARIOS for key in chosen):
        wait_for_broker(settings)
        with tempfile.TemporaryDirectory(prefix="newsflow-bench-") as tmp:
            _broker_scenarios(args, settings, chosen, report, step, seeds, corpus, Path(tmp))
        _broker_ratios(report)
    print(report.render())
    report.write(Path(args.output))
    print(f"\nwritten to {args.output}", file=sys.stderr)
    return 0


def _story_state(args: argparse.Namespace, report: Any) -> None:
    """(WS) and (WSn) for each of ``--story-entries``, and their ratios."""
    from workers.benchmark.story_state import story_state_runs

    for entries in args.story_entries:
        print(f"bench: (WS) the stories stage's state, {entries:,} synthetic articles ...", file=sys.stderr, flush=True)
        windowed, unwindowed = story_state_runs(entries)
        figures = (("restore seconds", None), ("checkpoint bytes", "checkpoint_bytes"), ("open stories", "stories"))
        _window_rows(report, f"WS{entries}", f"{entries:,} articles", windowed, unwindowed, figures)


def _article_sizes(args: argparse.Namespace, settings: Settings, report: Any) -> None:
    """(A) one article of each size, each in a fresh process; rows ``A<size>`` and ratios."""
    from workers.benchmark.article_size import DEFAULT_SIZES, measure, parse_sizes, size_ratios, size_results
    from workers.benchmark.workers import settings_env

    sizes = parse_sizes(args.sizes or DEFAULT_SIZES, settings.max_body_bytes)
    env = settings_env(settings)
    measured = []
    for size in sizes:
        print(f"bench: (A) one article of {size:,} bytes in a fresh process ...", file=sys.stderr, flush=True)
        m = measure(size, env=env)
        print(
            f"bench: (A) {size:,} bytes: {m.seconds:.2f} s (load {m.load_seconds:.1f} s), "
            f"peak RSS {m.peak_rss_mb:.0f} MB",
            file=sys.stderr,
            flush=True,
        )
        measured.append(m)
    for key, row in size_results(measured).items():
        report.add(key, row)
    for name, value, target in size_ratios(measured):
        report.measured(name, value, target)
    loads = [m.load_seconds for m in measured]
    report.notes["(A) import and model load per process, s (not in its seconds)"] = f"{min(loads):.1f}-{max(loads):.1f}"


def _sink(args: argparse.Namespace, settings: Settings, report: Any) -> None:
    """(K) and (Kb) in a throwaway PostgreSQL cluster, and their two ratios."""
    from workers.benchmark.sink_scenario import run_sink_scenario

    print(
        f"bench: (K) the sink vs a plain COPY, {args.sink_events} articles each, in a throwaway PostgreSQL ...",
        file=sys.stderr,
        flush=True,
    )
    bench = run_sink_scenario(args.sink_events, settings.sink_batch_max_events, report)
    print(
        f"bench: (K) sink {bench.sink_articles_per_second:.0f} articles/s, "
        f"plain COPY {bench.copy_articles_per_second:.0f} articles/s",
        file=sys.stderr,
        flush=True,
    )


def _broker_scenarios(
    args: argparse.Namespace,
    settings: Settings,
    chosen: list[str],
    report: Any,
    step: Any,
    seeds: list[Any],
    corpus: list[Any],
    workdir: Path,
) -> None:
    from workers.benchmark import scenarios
    from workers.benchmark.passthrough import (
        PASSTHROUGH_MIN_ARTICLES,
        PLAIN_POLLS,
        best_passthrough,
        best_plain_loop,
        passthrough_batches,
    )
    from workers.inputs.corpus import build_corpus

    if "3" in chosen:
        step(
            "3",
            "pipeline, 1 worker (best of 2)",
            scenarios.best_pipeline,
            settings,
            corpus,
            workdir,
            workers=1,
            label="one",
        )
    if "3n" in chosen:
        step(
            "3n",
            "pipeline, 1 worker, no duplicate index (best of 2)",
            scenarios.best_pipeline,
            settings.with_overrides(dedup_enabled=False),
            corpus,
            workdir,
            workers=1,
            label="nodedup",
        )
    if "4" in chosen:
        step(
            "4",
            "pipeline, 2 workers (best of 2)",
            scenarios.best_pipeline,
            settings,
            corpus,
            workdir,
            workers=2,
            label="two",
        )
    # Without NLP a run of 2,000 articles took the plain loop 1.1 s: start-up (the first
    # fetch, the first produce round trip) weighed as much as throughput.
    light = list(build_corpus(seeds, max(args.articles * 10, PASSTHROUGH_MIN_ARTICLES), prefix="pass"))
    if "5a" in chosen:
        batches = passthrough_batches(settings.batch_max_articles)
        step(
            "5a",
            f"passthrough worker, fastest of batch sizes {', '.join(map(str, batches))}",
            best_passthrough,
            settings,
            light,
            workdir,
            batches,
        )
    if "5b" in chosen:
        polls = ", ".join(map(str, PLAIN_POLLS))
        step("5b", f"plain kafka-python loop, fastest of max_poll_records {polls}", best_plain_loop, settings, light)
    if "L" in chosen:
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
    if "S" in chosen:
        step(
            "S",
            f"soak of {args.soak} articles",
            scenarios.soak,
            settings,
            scenarios.paragraph_corpus(corpus, args.soak),
            workdir,
        )
    if "R" in chosen:
        # Last: the broker then compacts the changelog written here, which would
        # disturb a scenario timed after it.
        index_corpus = list(build_corpus(seeds, args.articles * 50, prefix="index"))
        print(f"bench: writing the index changelog of {len(index_corpus)} articles ...", file=sys.stderr)
        index_run, records = scenarios.write_index_changelog(settings, index_corpus, workdir)
        step("R", "index replica catch-up", scenarios.replica_catch_up, index_run, index_corpus, records, workdir)
        step("Rb", "plain read of the changelog", scenarios.plain_read, index_run, index_corpus, records)
    if "W" in chosen:
        _index_window(args, settings, report, workdir)


def _index_window(args: argparse.Namespace, settings: Settings, report: Any, workdir: Path) -> None:
    """(W) and (Wn) for each of ``--index-entries``, and their ratios."""
    from workers.benchmark.index_window import window_runs

    for entries in args.index_entries:
        print(f"bench: (W) the index's window, {entries:,} synthetic entries ...", file=sys.stderr, flush=True)
        windowed, unwindowed = window_runs(
            settings, entries, workdir, log=lambda line: print(f"bench: (W) {line}", file=sys.stderr, flush=True)
        )
        figures = (("catch-up seconds", None), ("records read", "records_read"), ("disk size", "disk_mb"))
        _window_rows(report, f"W{entries}", f"{entries:,} entries", windowed, unwindowed, figures)


def _window_rows(
    report: Any, key: str, scope: str, windowed: Any, unwindowed: Any, figures: Sequence[tuple[str, str | None]]
) -> None:
    """Rows ``key`` (with a window) and ``key``n (without), and the ratio of each figure:
    a name, and the key in ``extra`` it is read from (None: the row's seconds)."""
    report.add(key, windowed)
    report.add(key + "n", unwindowed)
    for what, figure in figures:
        a = windowed.seconds if figure is None else windowed.extra[figure]
        b = unwindowed.seconds if figure is None else unwindowed.extra[figure]
        assert isinstance(a, int | float) and isinstance(b, int | float)
        report.measured(f"({key})/({key}n) {scope}, {what}", a / b if b else None, "about 0.1")


def _broker_ratios(report: Any) -> None:
    report.ratio("(3)/(1) pipeline, 1 worker vs bare spaCy", "3", "1", ">= 0.97")
    report.ratio("(3)/(3n) with vs without the duplicate index", "3", "3n", "near 1 (the index's cost)")
    report.ratio("(4)/(3) 2 workers vs 1 worker", "4", "3", ">= 1.8, and near (1b)/(1)")
    report.ratio("(5a)/(5b) passthrough worker vs plain kafka-python loop", "5a", "5b", ">= 0.7")
    for key in ("5a", "5b"):
        if key in report.results:
            report.notes[f"({key}) configuration (the fastest tried)"] = report.results[key].extra["config"]
    report.ratio("(R)/(Rb) index replica catch-up vs plain read", "R", "Rb", "the cost of applying to RocksDB")
    if "L" in report.results:
        latency = report.results["L"].extra["latency_s"]
        assert isinstance(latency, dict)
        report.notes["latency at half capacity p50/p95/p99 (s)"] = (
            f"{latency.get('p50')}/{latency.get('p95')}/{latency.get('p99')}"
        )
        if latency.get("p50"):
            report.notes["p99/p50 at half capacity (target <= 2.5)"] = round(latency["p99"] / latency["p50"], 2)
    for key in ("3", "4"):
        if key in report.results:
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
