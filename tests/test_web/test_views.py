from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.test_web.factories import hama_event
from tests.test_web.memory import MemorySource
from workers.web.source import ArticleSummary, StoredArticle, StoredClaim
from workers.web.views import (
    article_href,
    article_item,
    article_list_page,
    article_page,
    claim_view,
    entity_href,
    entity_page,
    external_link,
    map_link,
)


def summary(title: str | None = None, snippet: str = "body text") -> ArticleSummary:
    return ArticleSummary("a/1", title, "Wire", None, datetime(2026, 11, 2, 9, 30, tzinfo=UTC), snippet, 1)


def stored_claim(**overrides: object) -> StoredClaim:
    fields: dict[str, object] = dict(
        id="c1",
        article_id="a1",
        article_title=None,
        claimant_text="Ahmed",
        claimant_entity_id=None,
        cue_text="said",
        cue_lemma="say",
        content_text="Hama fell",
        content_start=10,
        content_end=19,
        kind="direct",
        stance="assert",
    )
    fields.update(overrides)
    return StoredClaim(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("url", ["https://example.org/a?b=1", "http://example.org", "HTTPS://EXAMPLE.ORG/x"])
def test_http_urls_become_links(url: str) -> None:
    assert external_link(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>",
        "//example.org/x",
        "/local",
        "http:///nohost",
        "https://exa mple.org",
        "",
        None,
    ],
)
def test_other_urls_stay_text(url: str | None) -> None:
    assert external_link(url) is None


def test_a_place_with_coordinates_links_to_a_map() -> None:
    assert (
        map_link(35.13179, 36.75783)
        == "https://www.openstreetmap.org/?mlat=35.13179&mlon=36.75783#map=9/35.13179/36.75783"
    )


def test_a_place_without_coordinates_has_no_map_link() -> None:
    assert map_link(None, 36.7) is None


def test_ids_are_percent_encoded_in_paths() -> None:
    assert article_href("a/b c?") == "/articles/a%2Fb%20c%3F"
    assert entity_href("gpe:hama") == "/entities/gpe:hama"


def test_an_article_without_a_title_is_listed_by_the_start_of_its_body() -> None:
    item = article_item(summary(None, "First   line\nof the body " + "x" * 300))
    assert item.heading.startswith("First line of the body")
    assert item.heading.endswith("…") and len(item.heading) == 160
    assert item.snippet == ""


def test_a_titled_article_shows_title_and_snippet() -> None:
    item = article_item(summary("Rebels enter Hama", "They said"))
    assert (item.heading, item.snippet, item.published, item.href) == (
        "Rebels enter Hama",
        "They said",
        "2026-11-02 09:30",
        "/articles/a%2F1",
    )


def test_only_the_unfiltered_list_is_live() -> None:
    assert article_list_page([], None).live
    assert not article_list_page([], " hama ").live
    assert article_list_page([], " hama ").query == "hama"


def test_a_claim_links_its_claimant_entity() -> None:
    view = claim_view(stored_claim(claimant_entity_id="person:ahmed"), {})
    assert view.claimant_link is not None and view.claimant_link.href == "/entities/person:ahmed"


def test_a_claim_without_claimant_says_so() -> None:
    view = claim_view(stored_claim(claimant_text=None), {})
    assert (view.claimant, view.claimant_link) == ("(no claimant)", None)


def test_an_unknown_stance_gets_a_neutral_class() -> None:
    assert claim_view(stored_claim(stance="shout"), {}).stance_class == "stance-unknown"
    assert claim_view(stored_claim(stance="deny"), {}).stance_class == "stance-deny"


def test_a_claim_links_the_entities_mentioned_inside_its_content_only() -> None:
    source = MemorySource([hama_event()])
    page = article_page(source.article("hama-1"), source.mentions("hama-1"), source.claims_in("hama-1"))  # type: ignore[arg-type]
    first, second = page.claims
    assert [e.id for e in first.mentioned] == ["gpe:hama"]
    assert [e.id for e in second.mentioned] == ["gpe:hama"]
    assert second.claimant_link is not None and second.claimant_link.name == "Ahmed Karim"


def test_the_article_page_highlights_every_mention() -> None:
    source = MemorySource([hama_event()])
    page = article_page(source.article("hama-1"), source.mentions("hama-1"), [])  # type: ignore[arg-type]
    assert page.mention_count == 4
    assert page.body_html is not None and page.body_html.count("<mark") == 4
    assert page.unhighlighted == ()
    assert [e.id for e in page.entities] == ["date:thursday", "gpe:hama", "person:ahmed-karim"]


def test_an_article_whose_body_was_omitted_has_no_body_html() -> None:
    row = StoredArticle("a1", None, None, None, None, None, "en", ("body_omitted",))
    page = article_page(row, [], [])
    assert (page.body_html, page.title, page.flags) == (None, "a1", ("body_omitted",))


def test_a_javascript_url_is_kept_as_text_without_a_link() -> None:
    row = StoredArticle("a1", "T", "javascript:alert(1)", None, None, "x", "en")
    page = article_page(row, [], [])
    assert (page.url_link, page.url_text) == (None, "javascript:alert(1)")


def test_the_entity_page_does_not_repeat_its_own_claims_among_those_about_it() -> None:
    source = MemorySource([hama_event()])
    entity = source.entity("person:ahmed-karim")
    assert entity is not None
    page = entity_page(
        entity, source.claims_by("person:ahmed-karim", 10), source.claims_about("person:ahmed-karim", 10), []
    )
    assert [c.id for c in page.claims_by] == ["c2"]
    assert page.claims_about == ()


def test_the_entity_page_of_a_place_has_its_map_link_and_chart() -> None:
    source = MemorySource([hama_event()])
    entity = source.entity("gpe:hama")
    assert entity is not None
    page = entity_page(entity, [], source.claims_about("gpe:hama", 10), source.neighbours("gpe:hama", 10))
    assert page.map_href is not None and "mlat=35.13179" in page.map_href
    assert page.chart_href == "/entities/gpe:hama/mentions.svg"
    assert (page.mentions, page.articles, page.place) == (2, 1, "Hama, SY")
    assert [c.id for c in page.claims_about] == ["c1", "c2"]
    assert {link.id for link, _ in page.neighbours} == {"date:thursday", "person:ahmed-karim"}
