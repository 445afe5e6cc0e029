"""The explorer's stories and collapsed copies in a real browser (headless Debian
chromium through Selenium, as ``test_web_browser.py``), on a store holding one wire
story written directly (:mod:`tests.integration.story_store`: an original, 20 flagged
copies, a contradicting article, the story rows), read by ``newsflow serve`` through the
read-only role. Skipped without chromium on a workstation, failing under ``CI=true``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.integration.conftest import _free_port, settings_env
from tests.integration.postgres import Database, fresh_database
from tests.integration.story_store import COPIES, WireStory, write_wire_story
from tests.integration.test_web_browser import (  # the fixtures and helpers, not the tests
    MISSING,
    Process,
    artifacts,
    browser,
    browser_installed,
    policy_violations,
    pytestmark,
    wait_until,
)
from workers.settings import Settings
from workers.sink.local_cluster import LocalCluster

__all__ = ["MISSING", "artifacts", "browser", "browser_installed", "pytestmark"]


@pytest.fixture(scope="module")
def store(postgres: LocalCluster) -> Iterator[Database]:
    yield from fresh_database(postgres)


@pytest.fixture(scope="module")
def wire(store: Database) -> WireStory:
    return write_wire_story(store.url)


@pytest.fixture(scope="module")
def server(store: Database, wire: WireStory, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``newsflow serve`` on a free port, given only the owner's URL; its base URL."""
    data = tmp_path_factory.mktemp("story-web")
    # no broker: serve reads only the database
    settings = Settings(bootstrap_servers="127.0.0.1:9", data_dir=str(data), database_url=store.url, metrics_port=0)
    port = _free_port()
    process = Process(["serve", "--port", str(port)], settings_env(settings), data / "serve.log")
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(base + "/", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(up, timeout=60, what="serving", alive=process.alive)
        yield base
    finally:
        process.stop()


def test_the_front_page_lists_the_story_and_twenty_copies_as_one_row(
    server: str, browser: WebDriver, wire: WireStory, artifacts: Path
) -> None:
    browser.get(server + "/")
    stories = browser.find_elements(By.CSS_SELECTOR, "#active-stories li.story a")
    assert [a.text for a in stories] == ["Hama · Ahmed Karim"]
    rows = browser.find_elements(By.CSS_SELECTOR, "#articles li.article")
    assert sorted(r.get_attribute("id") for r in rows) == sorted(f"article-{i}" for i in (wire.original, wire.denial))
    original = browser.find_element(By.ID, f"article-{wire.original}")
    copies = original.find_element(By.CSS_SELECTOR, "details.copies")
    assert copies.find_element(By.TAG_NAME, "summary").text == f"and {COPIES} copies"
    assert not copies.find_element(By.TAG_NAME, "ul").is_displayed()
    copies.find_element(By.TAG_NAME, "summary").click()
    links = copies.find_elements(By.CSS_SELECTOR, "ul a")
    assert len(links) == COPIES and all(a.is_displayed() for a in links)
    assert {a.text for a in links} == {f"Outlet {i:02d}" for i in range(1, COPIES + 1)}
    browser.save_screenshot(str(artifacts / "explorer-front-stories.png"))
    stories[0].click()
    WebDriverWait(browser, 10).until(lambda d: f"/stories/{wire.story_id}" in d.current_url)
    assert browser.find_element(By.CSS_SELECTOR, ".story-page h1").text == "Hama · Ahmed Karim"
    assert policy_violations(browser) == []


def test_the_story_page_sets_contradicting_claims_side_by_side_and_links_them(
    server: str, browser: WebDriver, wire: WireStory, artifacts: Path
) -> None:
    browser.get(f"{server}/stories/{wire.story_id}")
    assert (
        browser.find_element(By.ID, "story-sizes").text
        == f"2 articles ({COPIES + 2} with copies), {COPIES + 2} sources"
    )
    proposition = browser.find_element(By.CSS_SELECTOR, ".proposition.contradicted")
    asserting = proposition.find_element(By.CSS_SELECTOR, ".side-asserting li.ledger-claim")
    denying = proposition.find_element(By.CSS_SELECTOR, ".side-denying li.ledger-claim")
    assert asserting.get_attribute("data-claim") == wire.asserting_claim
    assert denying.get_attribute("data-claim") == wire.denying_claim
    assert "Rebels" in asserting.text and "An army spokesman" in denying.text and "deny" in denying.text
    left, right = asserting.rect, denying.rect
    assert left["x"] + left["width"] <= right["x"], "the denial is beside the assertion, on its right"
    assert abs(left["y"] - right["y"]) < 5, "on the same line"
    members = browser.find_elements(By.CSS_SELECTOR, "ol.members > li.member")
    assert [m.get_attribute("id") for m in members] == [f"member-{wire.original}", f"member-{wire.denial}"]
    leading = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "a.leading-entity")]
    assert leading == ["Hama", "Ahmed Karim"]
    browser.save_screenshot(str(artifacts / "explorer-story.png"))
    assert policy_violations(browser) == []
    denying.find_element(By.CSS_SELECTOR, "a.span").click()
    WebDriverWait(browser, 10).until(lambda d: f"/articles/{wire.denial}" in d.current_url)
    assert browser.current_url.endswith(f"#claim-{wire.denying_claim}")
    target = browser.find_element(By.ID, f"claim-{wire.denying_claim}")
    assert "Hama had fallen to the rebels" in target.text
    story_link = browser.find_element(By.CSS_SELECTOR, "a.story-link")
    assert story_link.text == "Hama · Ahmed Karim"


def test_the_entity_page_counts_the_copies_once_and_leaves_dates_out(
    server: str, browser: WebDriver, wire: WireStory, artifacts: Path
) -> None:
    browser.get(f"{server}/entities/{wire.person}")
    counts = browser.find_element(By.ID, "entity-counts").text
    assert counts == f"1 mention in 1 story, {COPIES + 1} sources, 1 article ({COPIES + 1} with copies)"
    neighbours = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "ul.neighbours a")]
    assert neighbours == ["Hama"]
    assert [c.text for c in browser.find_elements(By.CSS_SELECTOR, "ul.neighbours .count")] == ["1"]
    browser.find_element(By.ID, "neighbours-toggle").click()
    WebDriverWait(browser, 10).until(lambda d: "with=all" in d.current_url)
    assert sorted(a.text for a in browser.find_elements(By.CSS_SELECTOR, "ul.neighbours a")) == ["Hama", "Thursday"]
    browser.save_screenshot(str(artifacts / "explorer-entity-counts.png"))


def test_the_chart_day_labels_are_whole_and_do_not_overlap(server: str, browser: WebDriver, wire: WireStory) -> None:
    browser.get(f"{server}/entities/{wire.place}/mentions.svg")
    boxes = browser.execute_script(
        """return Array.from(document.querySelectorAll('.axis.x text.major'))
                 .map(t => { const b = t.getBBox(); return [t.textContent, b.x, b.width]; });"""
    )
    labels = [text for text, _, _ in boxes]
    assert 5 <= len(labels) <= 7 and labels[-1] == "Nov 20", labels
    assert all(text[:3].isalpha() and "…" not in text for text in labels), labels
    spans = sorted((x, x + width) for _, x, width in boxes)
    gaps = [b[0] - a[1] for a, b in itertools.pairwise(spans)]
    assert min(gaps) > 4, f"labels overlap or touch: {list(zip(labels, gaps, strict=False))}"
