"""Print the benchmark's table and ratios, and write them as JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from workers.benchmark.scenarios import Result

__all__ = ["Report"]

#: Extras of a result left out of the table (in the JSON only): a worker's exit codes,
#: the figures of every baseline configuration (listed under the table instead).
_NOT_SHOWN = frozenset({"exit_codes", "config", "configs"})


class Report:
    """Collects results by scenario number and renders them."""

    def __init__(self) -> None:
        self.results: dict[str, Result] = {}
        self.ratios: dict[str, tuple[float | None, str]] = {}
        self.notes: dict[str, Any] = {}

    def add(self, key: str, result: Result) -> None:
        self.results[key] = result

    def ratio(self, name: str, numerator: str, denominator: str, target: str) -> None:
        """The articles/s of two results, left out when either scenario did not run."""
        a, b = self.results.get(numerator), self.results.get(denominator)
        if a is None or b is None:
            return
        value = a.articles_per_second / b.articles_per_second if b.articles_per_second else None
        self.ratios[name] = (value, target)

    def measured(self, name: str, value: float | None, target: str) -> None:
        """A ratio or difference computed by the caller from results of this run."""
        self.ratios[name] = (value, target)

    def render(self) -> str:
        lines = [f"{'scenario':<44} {'articles':>8} {'seconds':>8} {'articles/s':>11} {'words/s':>10}  notes"]
        for key, r in self.results.items():
            notes = ", ".join(f"{k}={v}" for k, v in r.extra.items() if k not in _NOT_SHOWN)
            lines.append(
                f"({key}) {r.name:<40} {r.articles:>8} {r.seconds:>8.1f} {r.articles_per_second:>11.2f} "
                f"{r.words_per_second:>10.0f}  {notes}"
            )
        for key, r in self.results.items():
            lines.extend(_configurations(key, r))
        lines.append("")
        for name, (value, target) in self.ratios.items():
            shown = "n/a" if value is None else f"{value:.3f}"
            lines.append(f"{name:<58} {shown:>7}   target {target}")
        for name, value in self.notes.items():
            lines.append(f"{name:<58} {value}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "results": {
                key: {
                    "name": r.name,
                    "articles": r.articles,
                    "words": r.words,
                    "seconds": round(r.seconds, 3),
                    "articles_per_second": round(r.articles_per_second, 3),
                    "words_per_second": round(r.words_per_second, 1),
                    **r.extra,
                }
                for key, r in self.results.items()
            },
            "ratios": {
                name: {"value": None if v is None else round(v, 4), "target": t} for name, (v, t) in self.ratios.items()
            },
            "notes": self.notes,
        }

    def write(self, path: Path) -> None:
        path.write_bytes(orjson.dumps(self.to_json(), option=orjson.OPT_INDENT_2) + b"\n")


def _configurations(key: str, result: Result) -> list[str]:
    """The words/s of every configuration a baseline result tried, its pick marked."""
    configs = result.extra.get("configs")
    if not isinstance(configs, dict):
        return []
    lines = ["", f"({key}) configurations tried (best of the seconds; * = the baseline)"]
    for name, figures in configs.items():
        mark = "*" if name == result.extra.get("config") else " "
        seconds = "/".join(f"{s:.1f}" for s in figures["seconds"])
        lines.append(f"  {mark} {name:<30} {figures['words_per_second']:>10.0f} words/s   seconds {seconds}")
    return lines
