"""A short human-readable summary of an enriched article."""

from __future__ import annotations

import textwrap
from collections import defaultdict
from typing import Any

__all__ = ["summarize"]

_CONTENT_CHARS = 90


def summarize(article: dict[str, Any]) -> str:
    """Entities grouped by type with mention counts, and each claim on its own line.

    Args:
        article: an ``articles.enriched`` value, parsed.
    """
    title = article.get("title") or _shorten(article["body"], 70)
    lines = [f"== {article['id']}: {title}"]
    by_label: dict[str, list[str]] = defaultdict(list)
    for entity in article["entities"]:
        by_label[entity["label"]].append(f"{entity['name']} x{len(entity['mentions'])}")
    lines.append(f"  entities ({len(article['entities'])}):")
    for label in sorted(by_label):
        wrapped = textwrap.wrap(
            ", ".join(by_label[label]), width=96, initial_indent=f"    {label:<8} ", subsequent_indent=" " * 13
        )
        lines.extend(wrapped)
    lines.append(f"  claims ({len(article['claims'])}):")
    for claim in article["claims"]:
        claimant = claim["claimant"]["text"] if claim["claimant"] else "(unattributed)"
        lines.append(
            f"    {claimant} -[{claim['cue']['text']}]-> {_shorten(claim['content']['text'], _CONTENT_CHARS)}"
            f"  ({claim['kind']}, {claim['stance']})"
        )
    return "\n".join(lines)


def _shorten(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"
