"""(1) and (1b), the baseline: bare spaCy at its best on this corpus and machine.

The same model with all its components parses the same bodies, on one thread per
process, in several batchings: ``nlp.pipe``'s default, the character-budget minibatches
our enrichment hands spaCy, and a few fixed ``batch_size`` values. Every configuration
runs once, the fastest few once more (best of two), and the fastest of all is the
baseline: our pipeline is compared with the best bare spaCy found, not with a
batching that happens to suit it less.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import spacy
from spacy.language import Language
from threadpoolctl import threadpool_limits

from workers.benchmark.scenarios import Result, words_of
from workers.inputs.files import InputArticle
from workers.pipeline.enrich import DEFAULT_PIPE_CHARS, minibatches

__all__ = [
    "BATCH_SIZES",
    "PipeConfig",
    "baseline_configs",
    "fastest",
    "finalists",
    "stock_spacy",
    "stock_spacy_processes",
]

#: The fixed ``nlp.pipe`` batch sizes tried; the default batching (``nlp.batch_size``,
#: 1,000 for the shipped models, so the whole corpus at once) covers the large end.
BATCH_SIZES = (1, 4, 16, 64)
#: How many of the fastest configurations run a second time (best of two).
FINALISTS = 2
#: Bodies parsed once, untimed, before the first configuration (model warm-up).
WARM_UP = 20


@dataclass(frozen=True, slots=True)
class PipeConfig:
    """One way to hand the bodies to ``nlp.pipe``.

    Args:
        name: how the report names it.
        batch_size: ``nlp.pipe``'s ``batch_size``; None for spaCy's default.
        pipe_chars: instead, consecutive groups of at most this many characters, each
            one ``nlp.pipe`` call with the group as its batch (as our enrichment does).
    """

    name: str
    batch_size: int | None = None
    pipe_chars: int | None = None

    def batches(self, bodies: list[str]) -> Iterator[tuple[list[str], int | None]]:
        """The ``nlp.pipe`` calls this configuration makes: texts and ``batch_size``."""
        if self.pipe_chars is None:
            yield bodies, self.batch_size
            return
        for group in minibatches(bodies, self.pipe_chars):
            yield group, len(group)


def baseline_configs(
    batch_sizes: Sequence[int] = BATCH_SIZES, pipe_chars: int = DEFAULT_PIPE_CHARS
) -> list[PipeConfig]:
    """The configurations (1) and (1b) try, in the order they run."""
    return [
        PipeConfig("default nlp.pipe"),
        PipeConfig(f"{pipe_chars:,}-char minibatches", pipe_chars=pipe_chars),
        *(PipeConfig(f"batch_size={size}", batch_size=size) for size in batch_sizes),
    ]


def parse_all(nlp: Language, bodies: list[str], config: PipeConfig) -> None:
    """Parse ``bodies`` with ``nlp`` as ``config`` says, keeping nothing."""
    for texts, batch_size in config.batches(bodies):
        for _ in nlp.pipe(texts, batch_size=batch_size):
            pass


def finalists(seconds: Mapping[str, Sequence[float]], keep: int = FINALISTS) -> list[str]:
    """The ``keep`` configurations with the shortest best time, fastest first (ties in
    the order given), which run again."""
    ranked = sorted(((min(times), i, name) for i, (name, times) in enumerate(seconds.items()) if times))
    return [name for _, _, name in ranked[:keep]]


def fastest(seconds: Mapping[str, Sequence[float]]) -> str:
    """The configuration with the shortest best time (ties: the first given).

    Raises:
        ValueError: no configuration has a time.
    """
    best = finalists(seconds, keep=1)
    if not best:
        raise ValueError("[E702] no baseline configuration was timed")
    return best[0]


def _best_of(configs: list[PipeConfig], timed: Callable[[PipeConfig], float]) -> dict[str, list[float]]:
    """Every configuration once, then the :data:`FINALISTS` fastest once more."""
    seconds = {config.name: [timed(config)] for config in configs}
    by_name = {config.name: config for config in configs}
    for name in finalists(seconds):
        seconds[name].append(timed(by_name[name]))
    return seconds


def _result(name: str, corpus: list[InputArticle], seconds: dict[str, list[float]]) -> Result:
    words = words_of(corpus)
    winner = fastest(seconds)
    configs = {
        config: {"seconds": [round(s, 3) for s in times], "words_per_second": round(words / min(times), 1)}
        for config, times in seconds.items()
    }
    return Result(f"{name}, {winner}", len(corpus), words, min(seconds[winner]), {"config": winner, "configs": configs})


def stock_spacy(model: str, corpus: list[InputArticle], configs: list[PipeConfig] | None = None) -> Result:
    """(1) Bare spaCy, the full pipeline on one thread: the fastest of ``configs``
    (default :func:`baseline_configs`), each timed over the whole corpus."""
    nlp = spacy.load(model)
    bodies = [orjson.loads(a.value)["body"] for a in corpus]
    with threadpool_limits(1):
        parse_all(nlp, bodies[:WARM_UP], PipeConfig("warm-up"))

        def timed(config: PipeConfig) -> float:
            began = time.perf_counter()
            parse_all(nlp, bodies, config)
            return time.perf_counter() - began

        seconds = _best_of(configs or baseline_configs(), timed)
    return _result("bare spaCy", corpus, seconds)


def _parse_share(model: str, bodies: list[str], configs: list[PipeConfig], jobs: Any, ready: Any, done: Any) -> None:
    """One process of :func:`stock_spacy_processes`: load and warm up, then for each
    configuration index read from ``jobs``, wait at ``ready`` and report when done."""
    with threadpool_limits(1):
        nlp = spacy.load(model)
        parse_all(nlp, bodies[:WARM_UP], PipeConfig("warm-up"))
        while (index := jobs.get()) is not None:
            ready.wait()
            parse_all(nlp, bodies, configs[index])
            done.put(time.perf_counter())


def stock_spacy_processes(
    model: str, corpus: list[InputArticle], processes: int, configs: list[PipeConfig] | None = None
) -> Result:
    """(1b) Bare spaCy split over ``processes`` processes: what this machine's cores give
    a CPU-bound NLP load, the ceiling for (4)/(3). Each configuration is timed from a
    common start (models loaded) to the last process done; the fastest is kept."""
    configs = configs or baseline_configs()
    ctx = multiprocessing.get_context("spawn")
    bodies = [orjson.loads(a.value)["body"] for a in corpus]
    ready, done = ctx.Barrier(processes + 1), ctx.Queue()
    jobs = [ctx.Queue() for _ in range(processes)]
    procs = [
        ctx.Process(target=_parse_share, args=(model, bodies[i::processes], configs, jobs[i], ready, done))
        for i in range(processes)
    ]
    for proc in procs:
        proc.start()
    index = {config.name: i for i, config in enumerate(configs)}

    def timed(config: PipeConfig) -> float:
        for queue in jobs:
            queue.put(index[config.name])
        ready.wait(timeout=600)  # every process has loaded its model and taken the job
        began = time.perf_counter()
        finished: list[float] = [done.get(timeout=3600) for _ in procs]
        return max(finished) - began

    try:
        seconds = _best_of(configs, timed)
    finally:
        for queue in jobs:
            queue.put(None)
        for proc in procs:
            proc.join(timeout=60)
            if proc.is_alive():
                proc.kill()
    return _result(f"bare spaCy, {processes} processes", corpus, seconds)
