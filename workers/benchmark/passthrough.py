"""(5a) and (5b), each at its best configuration: the passthrough worker at several
batch sizes, the plain kafka-python loop at several poll sizes, the fastest of each kept.

Issue #12 sets the worker without NLP against a plain consume-and-produce loop; either
may run as it runs best. The worker's batch size (``NEWSFLOW_BATCH_MAX_ARTICLES``) is
chosen for the NLP's memory (16 articles); without NLP, larger batches spread the
per-batch costs (the in-flight log written twice, one publish round trip, Faust's
batching) over more articles. The loop's ``max_poll_records`` bounds the records it
flushes and commits at once. Every configuration's figures go into the report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from workers.benchmark.scenarios import Result, pipeline, plain_loop
from workers.inputs.files import InputArticle
from workers.settings import Settings

__all__ = [
    "PASSTHROUGH_BATCHES",
    "PASSTHROUGH_MIN_ARTICLES",
    "PLAIN_POLLS",
    "best_passthrough",
    "best_plain_loop",
    "best_result",
    "passthrough_batches",
]

#: (5a) and (5b) run on ten times ``--articles``, and on at least this many articles.
PASSTHROUGH_MIN_ARTICLES = 10_000
#: Batch sizes (5a) tries besides the configured one.
PASSTHROUGH_BATCHES = (256,)
#: ``max_poll_records`` (5b) tries: kafka-python's default and larger ones.
PLAIN_POLLS = (500, 2000, 5000)


def best_result(runs: Iterable[tuple[str, Callable[[], Result]]]) -> Result:
    """Run each ``(configuration name, run)`` once and keep the fastest result, with
    ``config`` (its name) and ``configs`` (every one's seconds and words/s) added.

    Raises:
        ValueError: no configuration to run.
    """
    results = {name: run() for name, run in runs}
    if not results:
        raise ValueError("[E702] no configuration of the baseline or the candidate was timed")
    name = max(results, key=lambda n: results[n].articles_per_second)
    best = results[name]
    configs = {
        n: {"seconds": [round(r.seconds, 3)], "words_per_second": round(r.words_per_second, 1)}
        for n, r in results.items()
    }
    return replace(best, name=f"{best.name}, {name}", extra={**best.extra, "config": name, "configs": configs})


def passthrough_batches(configured: int, extra: Iterable[int] = PASSTHROUGH_BATCHES) -> list[int]:
    """The configured batch size first, then the others not equal to it."""
    return [configured, *(b for b in extra if b != configured)]


def best_passthrough(
    settings: Settings,
    corpus: list[InputArticle],
    workdir: Path,
    batches: Iterable[int] | None = None,
) -> Result:
    """(5a) The passthrough worker at each batch size; the fastest counts."""
    sizes = list(batches) if batches is not None else passthrough_batches(settings.batch_max_articles)

    def run(size: int) -> Callable[[], Result]:
        return lambda: pipeline(
            settings.with_overrides(batch_max_articles=size),
            corpus,
            workdir,
            workers=1,
            label=f"pass{size}",
            passthrough=True,
        )

    return best_result((f"batch {size}", run(size)) for size in sizes)


def best_plain_loop(settings: Settings, corpus: list[InputArticle], polls: Iterable[int] = PLAIN_POLLS) -> Result:
    """(5b) The plain loop at each ``max_poll_records``; the fastest counts."""

    def run(size: int) -> Callable[[], Result]:
        return lambda: plain_loop(settings, corpus, max_poll_records=size)

    return best_result((f"max_poll_records {size}", run(size)) for size in polls)
