from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from tests.test_web.factories import entity, event, hama_event
from tests.test_web.feed_clients import follow
from tests.test_web.memory import MemorySource
from workers.web.app import CONTENT_SECURITY_POLICY, ExplorerState, article, create_app
from workers.web.exceptions import StoreUnavailable

XSS_BODY = 'Before <script>window.__xss=1</script> and <img src=x onerror="window.__xss=2"> in Hama.'


@pytest.fixture
def make_client() -> Callable[..., TestClient]:
    def make(*events: dict[str, object]) -> TestClient:
        return TestClient(create_app(MemorySource(list(events)), poll_seconds=0.01))

    return make


def test_the_app_keeps_its_source_and_pace_in_its_state() -> None:
    source = MemorySource()
    state = create_app(source, poll_seconds=0.5).state.explorer
    assert isinstance(state, ExplorerState) and state.source is source and state.poll_seconds == 0.5


def test_a_handler_serves_from_any_app_whose_state_holds_the_explorer_state() -> None:
    app = Starlette(routes=[Route("/articles/{article_id:path}", article)])
    app.state.explorer = ExplorerState(MemorySource([hama_event()]))
    response = TestClient(app).get("/articles/hama-1")
    assert response.status_code == 200 and response.text.count('<mark class="entity') == 4


def test_the_front_page_lists_the_newest_article_first(make_client: Callable[..., TestClient]) -> None:
    client = make_client(hama_event("old", title="Old news"), hama_event("new", title="New news"))
    html = client.get("/").text
    assert html.index("New news") < html.index("Old news")
    assert 'data-live="true"' in html


def test_the_search_finds_an_article_by_a_word_of_its_body(make_client: Callable[..., TestClient]) -> None:
    client = make_client(hama_event("hama"), event("other", "Nothing about that city.", title="Other"))
    html = client.get("/", params={"q": "army"}).text
    assert 'id="article-hama"' in html and 'id="article-other"' not in html
    assert 'data-live="false"' in html and 'value="army"' in html


def test_the_search_query_is_escaped_where_it_is_shown(make_client: Callable[..., TestClient]) -> None:
    html = make_client(hama_event()).get("/", params={"q": '"><script>x</script>'}).text
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;" in html


def test_every_page_carries_a_policy_without_inline_script(make_client: Callable[..., TestClient]) -> None:
    client = make_client(hama_event())
    for path in ("/", "/articles/hama-1", "/entities/gpe:hama", "/static/live.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert "'unsafe-inline'" not in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"


def test_pages_have_no_inline_script_or_style(make_client: Callable[..., TestClient]) -> None:
    client = make_client(hama_event())
    for path in ("/", "/articles/hama-1", "/entities/gpe:hama"):
        html = client.get(path).text
        assert "<script>" not in html and "style=" not in html and "<style" not in html, path


def test_the_article_page_shows_one_highlight_per_mention_and_the_claims(
    make_client: Callable[..., TestClient],
) -> None:
    html = make_client(hama_event()).get("/articles/hama-1").text
    assert html.count('<mark class="entity') == 4
    assert html.count('<li class="claim stance-') == 2
    assert 'class="claim stance-deny"' in html
    assert '<a class="claimant" href="/entities/person:ahmed-karim">Ahmed Karim</a>' in html


def test_an_article_body_with_markup_is_shown_as_text(make_client: Callable[..., TestClient]) -> None:
    body = XSS_BODY
    bad = event(
        "xss",
        body,
        title="<script>window.__xss=3</script>",
        url="javascript:window.__xss=4",
        entities=[entity("gpe:hama", "GPE", body, "Hama")],
    )
    html = make_client(bad).get("/articles/xss").text
    assert "window.__xss" in html
    assert "<script>window" not in html and "<img" not in html
    assert 'href="javascript:' not in html
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html


def test_an_unknown_article_is_not_found(make_client: Callable[..., TestClient]) -> None:
    response = make_client(hama_event()).get("/articles/nope")
    assert response.status_code == 404 and "no article" in response.text


def test_an_article_id_with_a_slash_has_its_page(make_client: Callable[..., TestClient]) -> None:
    client = make_client(hama_event("wire/2026/1"))
    assert client.get("/articles/wire%2F2026%2F1").status_code == 200


def test_the_entity_page_lists_its_claims_and_its_map_link(make_client: Callable[..., TestClient]) -> None:
    client = make_client(hama_event())
    person = client.get("/entities/person:ahmed-karim").text
    assert "Claims made by Ahmed Karim (1)" in person and "The army denied that Hama had fallen" in person
    place = client.get("/entities/gpe:hama").text
    assert "Claims about Hama (2)" in place and "https://www.openstreetmap.org/?mlat=35.13179" in place
    assert '<img src="/entities/gpe:hama/mentions.svg"' in place


def test_the_chart_is_an_svg_that_may_run_no_script(make_client: Callable[..., TestClient]) -> None:
    response = make_client(hama_event()).get("/entities/gpe:hama/mentions.svg")
    assert response.headers["content-type"] == "image/svg+xml"
    assert "script-src" not in response.headers["content-security-policy"]
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert response.text.lstrip().startswith("<?xml")


def test_the_chart_is_compressed_for_a_browser_that_accepts_it(make_client: Callable[..., TestClient]) -> None:
    response = make_client(hama_event()).get("/entities/gpe:hama/mentions.svg", headers={"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["content-security-policy"].startswith("default-src 'none'")


def test_an_unknown_entity_is_not_found(make_client: Callable[..., TestClient]) -> None:
    client = make_client(hama_event())
    assert client.get("/entities/gpe:nowhere").status_code == 404
    assert client.get("/entities/gpe:nowhere/mentions.svg").status_code == 404


def test_a_mention_with_inconsistent_offsets_is_listed_and_the_rest_shown(
    make_client: Callable[..., TestClient],
) -> None:
    broken = hama_event()
    broken["entities"][0]["mentions"][0]["start"] += 1
    response = make_client(broken).get("/articles/hama-1")
    assert response.status_code == 200
    assert response.text.count('<mark class="entity') == 3
    assert "not highlighted: [E922] mention" in response.text


class DownSource(MemorySource):
    def latest_articles(self, query: str | None, limit: int) -> list:  # type: ignore[type-arg]
        raise StoreUnavailable("[E921] connection refused")


def test_a_store_that_cannot_be_read_gives_503() -> None:
    response = TestClient(create_app(DownSource())).get("/")
    assert response.status_code == 503 and "[E921]" in response.text


def test_the_label_colours_are_a_stylesheet(make_client: Callable[..., TestClient]) -> None:
    response = make_client().get("/labels.css")
    assert response.headers["content-type"].startswith("text/css") and ".ent-PERSON" in response.text


def collect(source: MemorySource, cursor: int, polls: int) -> list[dict[str, str]]:
    """The events one client of the app's live feed receives from ``cursor`` in ``polls`` polls."""
    feed = create_app(source, poll_seconds=0.001).state.explorer.feed
    [events] = follow(feed, [cursor], done=lambda: feed.polls >= polls)
    assert events[0] == {"comment": "new articles follow", "retry": "3000"}
    return events[1:]


def test_the_live_feed_sends_each_article_stored_after_the_cursor_once() -> None:
    source = MemorySource([hama_event("a"), hama_event("b", title="B <b>"), hama_event("c", title="C")])
    events = collect(source, 1, polls=3)
    assert [e["id"] for e in events] == ["2", "3"]
    assert all(e["event"] == "article" for e in events)
    first = json.loads(str(events[0]["data"]))
    assert (first["id"], first["heading"], first["href"]) == ("b", "B <b>", "/articles/b")


def test_the_live_feed_sends_nothing_when_nothing_is_new() -> None:
    source = MemorySource([hama_event("a")])
    assert collect(source, source.newest_cursor(), polls=2) == []


def test_the_live_client_inserts_text_never_html() -> None:
    from workers.web.app import HERE

    script = (HERE / "static" / "live.js").read_text()
    assert "textContent" in script and "innerHTML" not in script and "insertAdjacentHTML" not in script
