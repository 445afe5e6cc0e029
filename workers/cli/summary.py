"""Short human-readable summaries: of an enriched article, and of the stories found among articles."""

from __future__ import annotations

import textwrap
from collections import defaultdict
from typing import Any

__all__ = ["summarize", "summarize_stories"]

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


def summarize_stories(
    stories: dict[str, dict[str, Any]], links: dict[str, dict[str, Any]], articles: dict[str, dict[str, Any]]
) -> str:
    """The stories the articles are in, largest first, each with its articles by time and
    its claim links.

    Args:
        stories: each article's newest ``stories`` value, by article id.
        links: ``claim-links`` values, by link id.
        articles: ``articles.enriched`` values by id (for titles).
    """
    members: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in stories.values():
        members[event["story_id"]].append(event)
    by_story: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for link in links.values():
        by_story[link["story_id"]].append(link)
    ranked = sorted(members.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    several = sum(len(events) > 1 for events in members.values())
    lines = [f"\n== stories: {len(members)} among {len(stories)} articles, {several} with more than one article"]
    for story_id, events in ranked:
        newest = max(events, key=lambda e: (e["size"], e["last_seen"]))
        sources = len({e["source"] for e in events if e["source"]})
        lines.append(f"  {story_id}  {newest['label']}  ({len(events)} articles, {sources} sources)")
        for event in sorted(events, key=lambda e: (e["at"], e["article_id"])):
            article = articles.get(event["article_id"], {})
            title = article.get("title") or _shorten(article.get("body") or "", 60)
            how = "" if event["matched"] == "new" else f" [{event['matched']} {event['score']:.2f}]"
            lines.append(f"    {event['at'][:10]}  {event['source'] or '-':<14.14} {_shorten(title, 60)}{how}")
        for link in by_story.get(story_id, []):
            claim, other = link["claim"], link["other"]
            lines.append(
                f"    {link['kind']}: {claim['claimant'] or '?'} ({claim['polarity']}) "
                f'"{_shorten(claim["text"], 50)}" / {other["claimant"] or "?"} ({other["polarity"]}) '
                f'"{_shorten(other["text"], 50)}"'
            )
    return "\n".join(lines)


def _shorten(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"
