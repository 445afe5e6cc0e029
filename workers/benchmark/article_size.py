"""(A) Memory and time of enriching one long article, by body size, each in a fresh process.

Long bodies are parsed chunk by chunk (:class:`workers.pipeline.enrich.Enricher`), so the peak
resident memory should be bounded by the chunk, not by the body, and the time linear in
its length. Each size runs in a process of its own, so one size's peak cannot hide
another's: the child imports the code, loads the model (timed on its own), enriches one
article and serializes its records as the worker does (timed), and reports its peak RSS
after loading; the parent takes the child's whole-life peak from ``wait4``.

Run as a module, this is the child: ``python -m workers.benchmark.article_size BYTES``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

if TYPE_CHECKING:
    from workers.benchmark.scenarios import Result

__all__ = [
    "DEFAULT_SIZES",
    "ArticleRun",
    "article_body",
    "body_limit",
    "format_size",
    "measure",
    "parse_sizes",
    "size_ratios",
    "size_results",
]

#: The default ``--sizes``: 10 KB, 100 KB, 500 KB and "1 MB" (see :func:`body_limit`).
DEFAULT_SIZES = "10k,100k,500k,1m"
_UNITS = {"": 1, "b": 1, "k": 1_000, "kb": 1_000, "m": 1_000_000, "mb": 1_000_000}


def body_limit(max_body_bytes: int) -> int:
    """The largest size measured: 99% of the body limit (990,000 bytes for the default
    1,000,000), so the "1 MB" article is one the worker accepts, with room to spare."""
    return max_body_bytes * 99 // 100


def parse_sizes(text: str, max_body_bytes: int) -> list[int]:
    """Body sizes in UTF-8 bytes from ``"10k,100k,500k,1m"`` (decimal units), ascending.

    A size above :func:`body_limit` is measured at that limit instead.

    Raises:
        ValueError: a size is not a positive number with an optional k/m unit.
    """
    sizes = set()
    for part in text.split(","):
        item = part.strip().lower()
        number = item.rstrip("kmb")
        unit = item[len(number) :]
        if not number or unit not in _UNITS:
            raise ValueError(f"not a size: {part!r} (examples: 2k, 100k, 1m)")
        try:
            size = int(float(number) * _UNITS[unit])
        except ValueError:
            raise ValueError(f"not a size: {part!r} (examples: 2k, 100k, 1m)") from None
        if size < 1:
            raise ValueError(f"not a positive size: {part!r}")
        sizes.add(min(size, body_limit(max_body_bytes)))
    return sorted(sizes)


def format_size(size: int) -> str:
    """``990000`` -> ``"990 KB"``, ``2000`` -> ``"2 KB"``, ``2500`` -> ``"2.5 KB"``."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:g} MB"
    if size >= 1_000:
        return f"{size / 1_000:g} KB"
    return f"{size} B"


def article_body(paragraphs: Sequence[str], size: int) -> str:
    """Plain news prose of at most ``size`` UTF-8 bytes: the paragraphs in order, one a
    line, repeated as often as it takes, cut at the last whitespace that fits."""
    if not paragraphs:
        raise ValueError("article_body needs at least one paragraph")
    lines: list[str] = []
    total = 0
    while total < size:
        for paragraph in paragraphs:
            lines.append(paragraph)
            total += len(paragraph.encode()) + 1
            if total >= size:
                break
    data = "\n".join(lines).encode()[:size]
    cut = max(data.rfind(b" "), data.rfind(b"\n"))
    if len(data) == size and cut > 0:
        data = data[:cut]
    return data.decode(errors="ignore").rstrip()


def seed_paragraphs(seed_dir: Path) -> list[str]:
    """The paragraphs of the seed articles of 20 words or more (no datelines, headings)."""
    from workers.inputs.corpus import seed_articles

    return [p for a in seed_articles([str(seed_dir)]) for p in a.body.split("\n") if len(p.split()) >= 20]


def _vm_hwm_mb() -> float:
    """This process's peak resident memory so far (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass(frozen=True, slots=True)
class ArticleRun:
    """What enriching one article in a fresh process took."""

    #: The size asked for and the body's actual size (cut at whitespace), UTF-8 bytes.
    asked_bytes: int
    bytes: int
    words: int
    entities: int
    claims: int
    #: Importing spaCy and our code and loading the model, before the clock starts.
    load_seconds: float
    #: Enriching the article and serializing its records, as the worker does: wall
    #: clock, CPU time of the process (less disturbed by other load on the machine),
    #: and wall seconds by stage of the enrichment (nlp, entities, claims, ...).
    seconds: float
    cpu_seconds: float
    stages: dict[str, float]
    #: Peak resident memory once the model was loaded, and over the process's life.
    peak_rss_mb_after_load: float
    peak_rss_mb: float


def _child(size: int) -> dict[str, object]:
    """In the fresh process: build, load, enrich one article, report what it took.

    The load is timed from here: this module imports nothing heavy at its top, so
    that importing spaCy and our code happens here too.
    """
    began = time.perf_counter()
    from threadpoolctl import threadpool_limits

    from workers.inputs.corpus import SEED_DIR
    from workers.nlp.pipeline import load_pipeline
    from workers.pipeline.decode import decode_article
    from workers.pipeline.enrich import Enricher
    from workers.pipeline.events import article_records
    from workers.settings import Settings

    settings = Settings.from_env()
    body = article_body(seed_paragraphs(SEED_DIR), size)
    value = orjson.dumps({"id": f"size-{size}", "body": body, "title": "Article size benchmark"})
    article = decode_article(value, max_body_bytes=settings.max_body_bytes)
    stages: dict[str, float] = {}

    @contextmanager
    def timer(stage: str, articles: int = 1) -> Iterator[None]:
        began = time.perf_counter()
        try:
            yield
        finally:
            stages[stage] = stages.get(stage, 0.0) + time.perf_counter() - began

    enricher = Enricher(load_pipeline(settings.spacy_model), timer=timer)
    loaded = time.perf_counter()
    rss_loaded = _vm_hwm_mb()
    with threadpool_limits(1):
        start, cpu_start = time.perf_counter(), time.process_time()
        [result] = enricher.enrich_batch([article])
        if isinstance(result, Exception):
            raise result
        with timer("serialize"):
            article_records(result, settings)
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    return {
        "bytes": len(body.encode()),
        "words": len(body.split()),
        "entities": len(result.entities),
        "claims": len(result.claims),
        "load_seconds": loaded - began,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "stages": stages,
        "peak_rss_mb_after_load": rss_loaded,
        "peak_rss_mb": _vm_hwm_mb(),
    }


def measure(size: int, *, env: dict[str, str] | None = None, timeout: float = 1800.0) -> ArticleRun:
    """Enrich one article of ``size`` bytes in a fresh process (with ``env``, by
    default this one's); its peak RSS is the process's whole life's (``wait4``).

    Raises:
        RuntimeError: the child failed or took longer than ``timeout`` (its stderr is
            in the message).
    """
    child_env = {**(os.environ if env is None else env), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "workers.benchmark.article_size", str(size)],
            stdout=subprocess.PIPE,
            stderr=err,
            env=child_env,
        )
        # Not proc.wait(): that reaps the child, and wait4 reports a child's own peak
        # only when it reaps it.
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        assert proc.stdout is not None
        try:
            with proc.stdout:
                out = proc.stdout.read()
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            log = err.read().decode(errors="replace")[-3000:]
            raise RuntimeError(f"article of {size} bytes: child exited {proc.returncode}:\n{log}")
    child = orjson.loads(out)
    return ArticleRun(
        asked_bytes=size,
        bytes=int(child["bytes"]),
        words=int(child["words"]),
        entities=int(child["entities"]),
        claims=int(child["claims"]),
        load_seconds=child["load_seconds"],
        seconds=child["seconds"],
        cpu_seconds=child["cpu_seconds"],
        stages=child["stages"],
        peak_rss_mb_after_load=child["peak_rss_mb_after_load"],
        # The child's own VmHWM, or wait4's ru_maxrss (KB) where it has none: on Linux
        # that one also counts the parent's memory copied at fork before the exec, so a
        # bench process grown by (1) showed the same peak for every size.
        peak_rss_mb=float(child.get("peak_rss_mb") or usage.ru_maxrss / 1024),
    )


def size_results(runs: Sequence[ArticleRun]) -> dict[str, Result]:
    """One result row per run, keyed ``A<size asked>`` (``A10k``), in the runs' order.

    ``seconds`` is the enrichment alone (the load is ``load_seconds``);
    ``rss_above_smallest_mb`` is the row's peak RSS minus the first run's.
    """
    from workers.benchmark.scenarios import Result

    base = runs[0].peak_rss_mb if runs else 0.0
    return {
        f"A{_key(run.asked_bytes)}": Result(
            f"one article of {format_size(run.asked_bytes)}, fresh process",
            1,
            run.words,
            run.seconds,
            {
                "bytes": run.bytes,
                "peak_rss_mb": round(run.peak_rss_mb, 1),
                "rss_above_smallest_mb": round(run.peak_rss_mb - base, 1),
                "seconds_per_100kb": round(run.seconds / (run.bytes / 100_000), 3),
                "cpu_seconds": round(run.cpu_seconds, 2),
                "cpu_seconds_per_100kb": round(run.cpu_seconds / (run.bytes / 100_000), 3),
                "stage_seconds": {stage: round(value, 2) for stage, value in run.stages.items()},
                "load_seconds": round(run.load_seconds, 2),
                "peak_rss_mb_after_load": round(run.peak_rss_mb_after_load, 1),
                "entities": run.entities,
                "claims": run.claims,
            },
        )
        for run in runs
    }


def size_ratios(runs: Sequence[ArticleRun]) -> list[tuple[str, float | None, str]]:
    """The ratios of (A) as (name, value, target), from one run's sizes in ascending
    order: the peak RSS of the largest minus the smallest, in MB; and the seconds per
    byte of the largest over those of the second smallest (the smallest is dominated by
    fixed costs) when there are three sizes or more, else of the smallest."""
    if len(runs) < 2:
        return []
    small, large = runs[0], runs[-1]
    base = runs[1] if len(runs) >= 3 else small
    per_byte = [run.seconds / run.bytes for run in (large, base)]
    cpu_per_byte = [run.cpu_seconds / run.bytes for run in (large, base)]
    name = format_size(large.asked_bytes)
    return [
        (
            f"(A) peak RSS at {name} minus at {format_size(small.asked_bytes)}, MB",
            large.peak_rss_mb - small.peak_rss_mb,
            "<= 150 (bounded by the chunk, not the body)",
        ),
        (
            f"(A) seconds per KB at {name} over at {format_size(base.asked_bytes)}",
            per_byte[0] / per_byte[1] if per_byte[1] else None,
            "near 1 (time linear in length)",
        ),
        (
            "(A) the same in CPU seconds (less disturbed by other load)",
            cpu_per_byte[0] / cpu_per_byte[1] if cpu_per_byte[1] else None,
            "near 1",
        ),
    ]


def _key(size: int) -> str:
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000}m"
    if size >= 1_000 and size % 1_000 == 0:
        return f"{size // 1_000}k"
    return str(size)


if __name__ == "__main__":
    sys.stdout.buffer.write(orjson.dumps(_child(int(sys.argv[1]))))
