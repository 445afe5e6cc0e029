"""Loading story gold files (``workers/evaluation/story_gold.py``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from workers.evaluation import GoldError
from workers.evaluation.manifest import MANIFEST_PATH
from workers.evaluation.story_gold import GoldLink, is_story_file, load_story_gold

WriteGold = Callable[..., Path]
FIRST = "The ministry said the dam at Kariba had not cracked."
SECOND = "Engineers said the dam at Kariba had cracked after the floods."


def _article(article_id: str, body: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": article_id,
        "title": None,
        "body": body,
        "source": "Wire",
        "published_at": "2024-03-01T08:00:00+00:00",
        "story": "kariba",
        **extra,
    }


def _link(content: str, other_article: str, other_content: str, kind: str = "contradicts") -> dict[str, str]:
    return {"kind": kind, "content": content, "other_article": other_article, "other_content": other_content}


def test_a_story_set_loads_with_its_links_located_in_both_bodies(write_gold: WriteGold) -> None:
    link = _link("the dam at Kariba had cracked", "a1", "the dam at Kariba had not cracked")
    path = write_gold(_article("a1", FIRST), _article("a2", SECOND, links=[link], composed=True))
    gold = load_story_gold(path, status="development")
    assert [d.id for d in gold.documents] == ["a1", "a2"] and gold.status == "development"
    assert [d.composed for d in gold.documents] == [False, True]
    (found,) = gold.links
    assert found == GoldLink("contradicts", "a2", (15, 44), "a1", (18, 51))
    assert SECOND[15:44] == "the dam at Kariba had cracked" and FIRST[18:51] == "the dam at Kariba had not cracked"


@pytest.mark.parametrize(
    ("link", "message"),
    [
        (_link("the dam at Kariba had collapsed", "a1", "the dam at Kariba had not cracked"), "does not occur"),
        (_link("the dam at Kariba had cracked", "a1", "the dam at Kariba has not cracked"), "does not occur"),
        (_link("the dam at Kariba had cracked", "a3", "the dam at Kariba had not cracked"), "not an earlier article"),
        (_link("the dam at Kariba had cracked", "a2", "the dam at Kariba had cracked"), "not an earlier article"),
        (_link("the dam at Kariba had cracked", "a1", "the dam", kind="agrees"), "link kind"),
    ],
)
def test_a_link_that_does_not_quote_its_bodies_or_names_a_later_article_is_refused(
    write_gold: WriteGold, link: dict[str, str], message: str
) -> None:
    path = write_gold(_article("a1", FIRST), _article("a2", SECOND, links=[link]), _article("a3", SECOND + " More."))
    with pytest.raises(GoldError, match=rf"\[E801\].*{message}"):
        load_story_gold(path)


def test_a_content_quoted_twice_in_its_body_is_refused_as_ambiguous(write_gold: WriteGold) -> None:
    twice = SECOND + " " + SECOND
    link = _link("the dam at Kariba had cracked", "a1", "the dam at Kariba had not cracked")
    with pytest.raises(GoldError, match="occurs 2 times"):
        load_story_gold(write_gold(_article("a1", FIRST), _article("a2", twice, links=[link])))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"published_at": "2024-03-01T08:00:00"}, "has no zone"),
        ({"story": ""}, "no story label"),
        ({"id": "a1"}, "repeats"),
        ({"body": "  "}, "no body"),
    ],
)
def test_an_article_without_a_zone_a_label_a_body_or_a_new_id_is_refused(
    write_gold: WriteGold, change: dict[str, str], message: str
) -> None:
    with pytest.raises(GoldError, match=message):
        load_story_gold(write_gold(_article("a1", FIRST), {**_article("a2", SECOND), **change}))


def test_a_file_whose_lines_carry_story_is_a_story_set(write_gold: WriteGold) -> None:
    assert is_story_file(write_gold(_article("a1", FIRST)))
    assert not is_story_file(write_gold({"id": "a", "text": FIRST}, name="claims"))
    assert not is_story_file(write_gold(_article("a1", FIRST), name="single", suffix=".json"))


def test_the_shipped_development_stream_holds_what_its_readme_says() -> None:
    gold = load_story_gold(MANIFEST_PATH.parent / "stories-dev.gold.jsonl")
    composed = [d for d in gold.documents if d.composed]
    assert (len(gold.documents), len(composed), len({d.story for d in gold.documents})) == (54, 29, 33)
    assert [g.kind for g in gold.links].count("contradicts") == 41
    assert [g.kind for g in gold.links].count("corroborates") == 12
    sizes = {s: sum(d.story == s for d in composed) for s in {d.story for d in composed}}
    assert len(sizes) == 8 and min(sizes.values()) >= 3
    assert all(
        sum(d.story == s for d in gold.documents) == 1 for s in {d.story for d in gold.documents if not d.composed}
    )
    assert [d.published_at for d in gold.documents] == sorted(d.published_at for d in gold.documents)
