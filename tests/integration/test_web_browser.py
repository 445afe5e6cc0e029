"""The explorer in a real browser (headless Debian chromium through Selenium), on a store
the sink filled: the seed articles enriched for real, fed through the broker to
``newsflow sink``, read by ``newsflow serve`` through the read-only role it derives
itself from the owner's URL (``NEWSFLOW_WEB_DATABASE_URL`` unset, as by default).

Without Debian's chromium and chromedriver the tests are skipped on a workstation and
fail under CI (``CI=true``): CI must not pass without them. Screenshots go to
tests/integration/artifacts/web/ (printed; ignored by git).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import psycopg
import pytest
from kafka import KafkaProducer
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import SEEDS
from tests.integration.conftest import Broker, _free_port, isolated_settings, settings_env
from tests.integration.postgres import Database, fresh_database
from workers.inputs.corpus import seed_articles
from workers.kafka.client import client_config
from workers.models import RawArticle
from workers.pipeline.enrich import Enricher
from workers.settings import Settings
from workers.sink.local_cluster import LocalCluster
from workers.sink.samples import enriched_events, renumbered

ARTIFACTS = Path(__file__).parent / "artifacts" / "web"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FIRST_SEED = "000_3393e2ca348ff21d"

XSS = RawArticle(
    id="xss-article",
    title="<script>window.__xss = 'title'</script>Road to Hama open",
    url="javascript:window.__xss='url'",
    body=(
        "Officials in Aleppo said on Monday <script>window.__xss = 'script'</script> that the road to Hama "
        "was open again.\n<img src=x onerror=\"window.__xss = 'img'\"> "
        "<a href=\"javascript:window.__xss = 'link'\">Click here</a> for the statement from Damascus."
    ),
)

#: The browser's files that are not there.
MISSING = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
#: CI sets CI=true: there a missing browser fails every test here instead of skipping it.
IN_CI = os.environ.get("CI", "").lower() == "true"

pytestmark = pytest.mark.skipif(
    bool(MISSING) and not IN_CI,
    reason=f"needs Debian's chromium and chromium-driver (make system-deps); missing: {MISSING}",
)


@pytest.fixture(scope="session", autouse=True)
def browser_installed() -> None:
    """Under CI, a missing browser fails the tests (before any server starts)."""
    if MISSING:
        pytest.fail(f"CI=true and {', '.join(MISSING)} missing: the browser tests must run in CI (make system-deps)")


def wait_until(
    condition: Callable[[], bool], *, timeout: float, what: str, alive: Callable[[], None] = lambda: None
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        alive()
        assert time.monotonic() < deadline, f"not {what} after {timeout:.0f} s"
        time.sleep(0.3)


class Process:
    """A newsflow subprocess with its log in a file, stopped with SIGTERM."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "workers", *args], env=env, stdout=log, stderr=subprocess.STDOUT
            )

    def alive(self) -> None:
        if self.proc.poll() is not None:
            pytest.fail(f"{self.log_path.stem} exited {self.proc.returncode}:\n{self.log_path.read_text()[-4000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots in {ARTIFACTS}")
    return ARTIFACTS


@pytest.fixture(scope="module")
def events(enricher: Enricher) -> list[dict[str, Any]]:
    """Every seed article and the XSS article, enriched by the real pipeline."""
    return enriched_events([*seed_articles([str(SEEDS)]), XSS], enricher)


@pytest.fixture(scope="module")
def store(postgres: LocalCluster) -> Iterator[Database]:
    yield from fresh_database(postgres)


@pytest.fixture(scope="module")
def settings(broker: Broker, store: Database, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return isolated_settings(
        broker.bootstrap, tmp_path_factory.mktemp("web-data"), database_url=store.url, metrics_port=0
    )


@pytest.fixture(scope="module")
def publish(settings: Settings) -> Iterator[Callable[[list[dict[str, Any]]], None]]:
    """Put events on the enriched topic, as the worker would."""
    producer = KafkaProducer(**client_config(settings, acks="all"))

    def send(events: list[dict[str, Any]]) -> None:
        for event in events:
            producer.send(settings.topic_enriched, key=event["id"].encode(), value=orjson.dumps(event))
        producer.flush()

    yield send
    producer.close()


def stored(store: Database) -> set[str]:
    with psycopg.connect(store.url) as conn:
        return {row[0] for row in conn.execute("SELECT article_id FROM articles")}


@pytest.fixture(scope="module")
def sink(
    settings: Settings,
    store: Database,
    events: list[dict[str, Any]],
    publish: Callable[..., None],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Process]:
    """``newsflow sink`` running, with every event of ``events`` written."""
    process = Process(["sink"], settings_env(settings), tmp_path_factory.mktemp("sink") / "sink.log")
    try:
        publish(events)
        wanted = {e["id"] for e in events}
        wait_until(lambda: wanted <= stored(store), timeout=180, what="every event in the store", alive=process.alive)
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def serve_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("serve") / "serve.log"


@pytest.fixture(scope="module")
def server(settings: Settings, store: Database, sink: Process, serve_log: Path) -> Iterator[str]:
    """``newsflow serve`` on a free port, reading through the read-only role; its base URL.

    Given the owner's URL and no ``NEWSFLOW_WEB_DATABASE_URL``, as a deployment that sets
    only the owner's: serve must derive the reader's URL itself, and says whom it reads as.
    """
    port = _free_port()
    env = settings_env(settings)
    assert env["NEWSFLOW_DATABASE_URL"] == store.url and env["NEWSFLOW_WEB_DATABASE_URL"] == ""
    process = Process(["serve", "--port", str(port)], env, serve_log)
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


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    profile = tempfile.mkdtemp(prefix="newsflow-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def policy_violations(driver: WebDriver) -> list[str]:
    """The browser's Content-Security-Policy reports since the last call. A driver that
    cannot give its log raises (WebDriverException): no log is not "no violation"."""
    entries = driver.get_log("browser")
    return [e["message"] for e in entries if "Content Security Policy" in e["message"] or "Refused to" in e["message"]]


def test_serve_reads_as_the_reader_role_it_derived_from_the_owners_url(server: str, serve_log: Path) -> None:
    (reading,) = [line for line in serve_log.read_text().splitlines() if line.startswith("newsflow serve: reading ")]
    assert " user=newsflow_reader" in reading and "password" not in reading, reading
    assert httpx.get(server + "/", timeout=10).status_code == 200


def test_the_policy_check_sees_a_violation(server: str, browser: WebDriver) -> None:
    browser.get(server + "/")
    policy_violations(browser)  # empty the log
    browser.execute_script(
        "const s = document.createElement('script'); s.textContent = 'window.__inline = 1'; document.head.append(s);"
    )
    WebDriverWait(browser, 10).until(lambda d: policy_violations(d))
    assert browser.execute_script("return typeof window.__inline") == "undefined"


def event_of(events: list[dict[str, Any]], article_id: str) -> dict[str, Any]:
    return next(e for e in events if e["id"] == article_id)


def test_the_article_page_shows_exactly_one_highlight_per_mention(
    server: str, browser: WebDriver, events: list[dict[str, Any]], artifacts: Path
) -> None:
    for event in events:
        browser.get(f"{server}/articles/{event['id']}")
        marks = browser.find_elements(By.CSS_SELECTOR, "#body mark.entity")
        want = sum(len(e["mentions"]) for e in event["entities"])
        assert len(marks) == want, event["id"]
        for entity in event["entities"]:
            on_page = browser.find_elements(By.CSS_SELECTOR, f'#body mark[data-entity="{entity["id"]}"]')
            assert len(on_page) == len(entity["mentions"]), (event["id"], entity["id"])
    browser.get(f"{server}/articles/{FIRST_SEED}")
    first = event_of(events, FIRST_SEED)
    assert [m.text.split("\n")[0] for m in browser.find_elements(By.CSS_SELECTOR, "#body mark a")] == [
        m["text"] for m in sorted((m for e in first["entities"] for m in e["mentions"]), key=lambda m: m["start"])
    ]
    assert len(browser.find_elements(By.CSS_SELECTOR, "li.claim")) == len(first["claims"])
    browser.save_screenshot(str(artifacts / "explorer-article.png"))
    assert policy_violations(browser) == []


def test_the_search_finds_an_article_by_a_word_of_its_body(
    server: str, browser: WebDriver, events: list[dict[str, Any]], artifacts: Path
) -> None:
    browser.get(server + "/")
    box = browser.find_element(By.ID, "q")
    box.send_keys("outskirts", Keys.ENTER)  # only in the first seed's body
    WebDriverWait(browser, 10).until(lambda d: "q=outskirts" in d.current_url)
    found = [li.get_attribute("id") for li in browser.find_elements(By.CSS_SELECTOR, "#articles li.article")]
    assert found == [f"article-{FIRST_SEED}"]
    browser.save_screenshot(str(artifacts / "explorer-search.png"))


def test_the_entity_page_lists_its_claims(
    server: str, browser: WebDriver, events: list[dict[str, Any]], artifacts: Path
) -> None:
    made: dict[str, set[str]] = {}
    for event in events:
        for claim in event["claims"]:
            if claim["claimant"] and claim["claimant"]["entity_id"]:
                made.setdefault(claim["claimant"]["entity_id"], set()).add(claim["content"]["text"])
    claimant, contents = max(made.items(), key=lambda item: len(item[1]))
    browser.get(f"{server}/entities/{claimant}")
    shown = browser.find_elements(By.CSS_SELECTOR, "ul.claims")[0].find_elements(By.CSS_SELECTOR, "q.content")
    assert {q.text.strip('“”"') for q in shown} == contents
    chart = browser.find_element(By.CSS_SELECTOR, "figure.chart img")
    assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", chart) > 0
    browser.save_screenshot(str(artifacts / "explorer-entity.png"))
    assert policy_violations(browser) == []


def test_a_new_article_appears_without_a_reload(
    server: str, browser: WebDriver, events: list[dict[str, Any]], publish: Callable[..., None], sink: Process
) -> None:
    browser.get(server + "/")
    browser.execute_script("window.__loaded_once = 'yes'")
    WebDriverWait(browser, 15).until(
        lambda d: "connected" in (d.find_element(By.ID, "live-status").get_attribute("class") or "")
    )
    fresh = renumbered(event_of(events, FIRST_SEED), "live-arrival")
    publish([fresh])
    WebDriverWait(browser, 60).until(lambda d: d.find_elements(By.ID, "article-live-arrival"))
    assert browser.execute_script("return window.__loaded_once") == "yes"
    first = browser.find_elements(By.CSS_SELECTOR, "#articles li.article")[0]
    assert first.get_attribute("id") == "article-live-arrival"


def test_markup_in_an_article_runs_nothing_and_shows_as_text(
    server: str, browser: WebDriver, events: list[dict[str, Any]], artifacts: Path
) -> None:
    for path in ("/articles/xss-article", "/", "/?q=statement"):
        browser.get(server + path)
        assert browser.execute_script("return typeof window.__xss") == "undefined", path
    browser.get(server + "/articles/xss-article")
    body = browser.find_element(By.ID, "body").text
    assert "<script>window.__xss = 'script'</script>" in body
    assert "<img src=x onerror=\"window.__xss = 'img'\">" in body
    assert "<a href=\"javascript:window.__xss = 'link'\">Click here</a>" in body
    assert "<script>" in browser.find_element(By.TAG_NAME, "h1").text
    assert browser.find_element(By.CSS_SELECTOR, ".untrusted-url").text == XSS.url
    hrefs = [a.get_attribute("href") or "" for a in browser.find_elements(By.TAG_NAME, "a")]
    assert not [h for h in hrefs if h.lower().startswith("javascript:")]
    assert browser.find_elements(By.CSS_SELECTOR, "#body img, #body script, #body a[href^='javascript']") == []
    browser.save_screenshot(str(artifacts / "explorer-xss.png"))
