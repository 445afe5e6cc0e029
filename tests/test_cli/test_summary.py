"""The demo's summaries: an enriched article, and the stories found among articles."""

from __future__ import annotations

from typing import Any

from workers.cli.summary import summarize_stories


def _story(
    article_id: str, story_id: str, at: str, source: str | None, size: int, matched: str = "new"
) -> dict[str, Any]:
    return {
        "story_id": story_id,
        "article_id": article_id,
        "at": at,
        "source": source,
        "matched": matched,
        "score": 0.0 if matched == "new" else 0.41,
        "size": size,
        "label": "Hama / Syria" if story_id == "s-1" else "Kariba",
        "last_seen": at,
    }


def _side(claim_id: str, article_id: str, claimant: str, polarity: str, text: str) -> dict[str, Any]:
    return {"id": claim_id, "article_id": article_id, "claimant": claimant, "polarity": polarity, "text": text}


def test_stories_are_listed_largest_first_with_articles_by_time_and_their_links() -> None:
    stories = {
        "a2": _story("a2", "s-1", "2024-12-05T10:00:00Z", "wire", 2, "entities_and_text"),
        "a1": _story("a1", "s-1", "2024-12-05T08:00:00Z", "paper", 1),
        "b1": _story("b1", "s-2", "2024-12-06T08:00:00Z", None, 1),
    }
    links = {
        "l-1": {
            "story_id": "s-1",
            "kind": "contradicts",
            "claim": _side("c2", "a2", "State media", "denies", "the insurgents breached Hama"),
            "other": _side("c1", "a1", "The insurgents", "asserts", "they had entered Hama"),
        }
    }
    articles = {
        "a1": {"title": "Insurgents enter Hama"},
        "a2": {"title": "State media deny breach"},
        "b1": {"body": "x"},
    }

    text = summarize_stories(stories, links, articles)

    lines = text.splitlines()
    assert "== stories: 2 among 3 articles, 1 with more than one article" in text
    first = next(i for i, line in enumerate(lines) if "s-1" in line)
    assert "Hama / Syria  (2 articles, 2 sources)" in lines[first]
    assert "Insurgents enter Hama" in lines[first + 1] and "State media deny breach" in lines[first + 2]
    assert "[entities_and_text 0.41]" in lines[first + 2]
    assert 'contradicts: State media (denies) "the insurgents breached Hama" / The insurgents (asserts)' in text
    assert text.index("s-1") < text.index("s-2")
