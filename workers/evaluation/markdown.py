"""Markdown tables and percentages, as every ``newsflow eval`` report prints them."""

from __future__ import annotations

__all__ = ["pct", "table"]


def pct(value: float) -> str:
    """A share as a percentage with one decimal ("97.7")."""
    return f"{100 * value:.1f}"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """The lines of a Markdown table; numeric columns (numbers and "n/a") right-aligned."""
    widths = [max(len(header[i]), *(len(r[i]) for r in rows)) if rows else len(header[i]) for i in range(len(header))]
    numeric = [all(_is_number(r[i]) for r in rows) and bool(rows) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        padded = [c.rjust(w) if n else c.ljust(w) for c, w, n in zip(cells, widths, numeric, strict=True)]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(("-" * (w + 1) + ":") if n else ("-" * (w + 2)) for w, n in zip(widths, numeric, strict=True))
        + "|"
    )
    return [line(header), rule, *(line(r) for r in rows)]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return cell == "n/a"
    return True
