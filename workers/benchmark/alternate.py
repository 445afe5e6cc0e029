"""(2)/(1) measured the fair way: bare spaCy and our enrichment alternated in one process.

``newsflow bench`` times (1) first and (2) minutes later. On a shared or cloud machine
the speed of a core drifts over minutes (other tenants, frequency), and whichever runs
first takes the drift's luck. Here every round runs each contender once, in the same
process and the same order, and the best round of each counts.

    python -m workers.benchmark.alternate --articles 200 --rounds 3 --pipe-chars 12000,48000
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Mapping, Sequence

__all__ = ["alternate", "main"]


def alternate(
    runs: Mapping[str, Callable[[], object]],
    rounds: int,
    *,
    clock: Callable[[], float] = time.perf_counter,
    on_round: Callable[[int, dict[str, float]], None] = lambda i, r: None,
) -> dict[str, list[float]]:
    """Run every one of ``runs`` once a round, in the order given, for ``rounds`` rounds.

    Returns:
        Each run's seconds, one per round.

    Raises:
        ValueError: fewer than one round, or nothing to run.
    """
    if rounds < 1 or not runs:
        raise ValueError("[E702] alternate needs at least one round and one run")
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    for i in range(rounds):
        for name, run in runs.items():
            began = clock()
            run()
            seconds[name].append(clock() - began)
        on_round(i, {name: times[-1] for name, times in seconds.items()})
    return seconds


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m workers.benchmark.alternate",
        description=(
            "Bare spaCy (stock pipeline, nlp.pipe at --bare-batch-size) and our enrichment "
            "(the worker's pipeline and batches, serialization included) at each --pipe-chars, "
            "alternated round by round in one process on one thread; prints words/s per round "
            "and each one's best over bare spaCy's best."
        ),
    )
    parser.add_argument("--articles", type=int, default=200, help="bench-corpus articles (default 200)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--bare-batch-size", type=int, default=16, help="bare spaCy's batch_size (default 16)")
    parser.add_argument(
        "--pipe-chars", default="", help="comma-separated minibatch sizes for ours (default: the worker's)"
    )
    args = parser.parse_args(argv)

    import spacy
    from threadpoolctl import threadpool_limits

    from workers.benchmark.baseline import PipeConfig, parse_all
    from workers.inputs.corpus import SEED_DIR, build_corpus, seed_articles
    from workers.nlp.pipeline import load_pipeline
    from workers.pipeline.decode import decode_article
    from workers.pipeline.enrich import DEFAULT_PIPE_CHARS, Enricher
    from workers.pipeline.events import article_records
    from workers.settings import Settings

    settings = Settings()
    corpus = build_corpus(seed_articles([str(SEED_DIR)]), args.articles)
    articles = [decode_article(a.value, max_body_bytes=settings.max_body_bytes) for a in corpus]
    bodies = [a.body for a in articles]
    words = sum(len(body.split()) for body in bodies)
    bare, ours = spacy.load(settings.spacy_model), load_pipeline(settings.spacy_model)
    config = PipeConfig(f"batch_size={args.bare_batch_size}", batch_size=args.bare_batch_size)

    def enrich(enricher: Enricher) -> Callable[[], None]:
        def run() -> None:
            for result in enricher.pipe(articles, batch_size=settings.batch_max_articles):
                assert not isinstance(result, Exception), result
                article_records(result, settings)

        return run

    runs: dict[str, Callable[[], object]] = {f"bare spaCy, {config.name}": lambda: parse_all(bare, bodies, config)}
    for chars in [int(c) for c in args.pipe_chars.split(",") if c] or [DEFAULT_PIPE_CHARS]:
        runs[f"ours, pipe_chars={chars}"] = enrich(Enricher(ours, pipe_chars=chars))

    def report(i: int, seconds: dict[str, float]) -> None:
        print(f"round {i + 1}: " + ", ".join(f"{n} {words / s:,.0f}" for n, s in seconds.items()), flush=True)

    with threadpool_limits(1):
        for run in runs.values():  # warm-up
            run()
        seconds = alternate(runs, args.rounds, on_round=report)
    best = {name: words / min(times) for name, times in seconds.items()}
    baseline = next(iter(best.values()))
    for name, rate in best.items():
        print(f"{name:32s} best {rate:8,.0f} words/s  over bare spaCy's best {rate / baseline:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
