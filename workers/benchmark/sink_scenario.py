"""(K) in ``newsflow bench``: :mod:`workers.benchmark.sink`'s measurement as rows and ratios.

The measurement itself (the sink against a plain ``COPY`` of the same rows, in a
throwaway PostgreSQL cluster) lives in :mod:`workers.benchmark.sink`; this module turns
one :class:`~workers.benchmark.sink.SinkBench` into the report's rows (K) and (Kb) and
its two ratios, so the turning is tested without a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workers.benchmark.scenarios import Result
from workers.benchmark.sink import SinkBench

__all__ = [
    "COPY_RATIO",
    "NLP_RATIO",
    "run_sink_scenario",
    "sink_ratios",
    "sink_results",
    "words_written",
]

COPY_RATIO = "(K)/(Kb) sink vs plain COPY"
NLP_RATIO = "(K)/(2) sink vs the NLP"


def words_written(events: Sequence[dict[str, Any]], n: int) -> int:
    """The body words of the ``n`` articles the run writes (it cycles through ``events``).

    Args:
        events: the enriched seed events the run renumbers.
        n: how many articles it writes each way.
    """
    if not events:
        return 0
    per_event = [len((e.get("body") or "").split()) for e in events]
    full, rest = divmod(n, len(events))
    return full * sum(per_event) + sum(per_event[:rest])


def sink_results(bench: SinkBench, words: int) -> dict[str, Result]:
    """Rows (K) the sink and (Kb) the plain ``COPY``, each with its rows and rows/s.

    Args:
        bench: what :func:`workers.benchmark.sink.measure` returned.
        words: the body words of the articles written (:func:`words_written`).
    """
    common = {"rows": bench.rows, "transaction_events": bench.batch, "best_of": bench.repeat}
    return {
        "K": Result(
            "sink (parse + rows + SinkStore.write)",
            bench.events,
            words,
            bench.sink_seconds,
            {**common, "rows_per_second": round(bench.rows / bench.sink_seconds, 1)},
        ),
        "Kb": Result(
            "plain psycopg COPY of the same rows",
            bench.events,
            words,
            bench.copy_seconds,
            {**common, "rows_per_second": round(bench.rows / bench.copy_seconds, 1)},
        ),
    }


def sink_ratios(bench: SinkBench, nlp_articles_per_second: float | None) -> list[tuple[str, float | None, str]]:
    """``(name, value, target)`` of the sink against the plain ``COPY`` and against the NLP.

    Args:
        bench: the measurement.
        nlp_articles_per_second: the NLP's articles/s to set the sink against: (2)'s when
            it ran in the same invocation, else the rate ``seed_events`` measured; ``None``
            (or 0) leaves that ratio without a value.
    """
    over_nlp = bench.sink_articles_per_second / nlp_articles_per_second if nlp_articles_per_second else None
    return [(COPY_RATIO, bench.ratio, ">= 0.5"), (NLP_RATIO, over_nlp, ">= 50")]


def run_sink_scenario(events_n: int, batch: int, report: Any, *, repeat: int = 3) -> SinkBench:
    """Measure (K) in a throwaway cluster and add its rows, ratios and notes to ``report``.

    The NLP rate is (2)'s articles/s when ``report`` holds (2), else the seed enrichment's.

    Args:
        events_n: articles written each way (``--sink-events``).
        batch: events per sink transaction (``NEWSFLOW_SINK_BATCH_MAX_EVENTS``).
        report: the :class:`~workers.benchmark.report.Report` of this run.
        repeat: alternating runs of each way; the best counts.

    Raises:
        LocalClusterError: PostgreSQL could not start (``[E913]``; run ``make install``,
            or leave (K) out with ``--skip K``).
    """
    from workers.benchmark.sink import measure, seed_events
    from workers.sink.local_cluster import local_cluster

    events, seed_rate = seed_events()
    offline = report.results.get("2")
    nlp_rate = offline.articles_per_second if offline is not None else seed_rate
    with local_cluster() as cluster:
        bench = measure(cluster, events, events_n, batch, nlp_rate, repeat=repeat)
    for key, row in sink_results(bench, words_written(events, events_n)).items():
        report.add(key, row)
    for name, value, target in sink_ratios(bench, nlp_rate):
        report.measured(name, value, target)
    source = "(2) of this run" if offline is not None else f"enriching {len(events)} seed articles in (K)"
    report.notes["(K) NLP articles/s the sink is set against"] = f"{nlp_rate:.2f}, from {source}"
    return bench
