"""``newsflow demo`` against the real broker: its exit code says whether every article came out enriched."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson

from tests.integration.conftest import settings_env
from workers.settings import Settings

FAILING_ID = "demo-fails"

#: Loaded by every Python process that has its directory on PYTHONPATH (the demo and the
#: worker it starts): enriching the article ``FAILING_ID`` raises, as an NLP bug would,
#: so the worker dead-letters it (reason enrichment_failed) and goes on.
INJECTED_FAILURE = f"""
from workers.pipeline.enrich import Enricher

_build = Enricher._build


def _build_or_fail(self, article, screening, doc):
    if article.id == {FAILING_ID!r}:
        raise RuntimeError("injected by test_demo")
    return _build(self, article, screening, doc)


Enricher._build = _build_or_fail
"""

BODY = (
    "The city council of Springfield voted on Monday to reopen the old harbour bridge in May. "
    '"The bridge is safe again," said Mayor Anna Keller, who had closed it in January after an '
    "inspection found cracks in two of its piers. Engineers from the state transport department "
    "said the repairs cost 4.2 million dollars."
)


def write_articles(directory: Path, *ids: str) -> Path:
    directory.mkdir()
    for article_id in ids:
        (directory / f"{article_id}.json").write_bytes(orjson.dumps({"id": article_id, "body": BODY}))
    return directory


def run_demo(settings: Settings, articles: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = settings_env(settings.with_overrides(metrics_port=0, stories_metrics_port=0))
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pythonpath), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "workers", "demo", str(articles), "--timeout", "150"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_demo_exits_1_and_names_a_dead_lettered_article(pipeline_settings: Settings, tmp_path: Path) -> None:
    inject = tmp_path / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(INJECTED_FAILURE)
    articles = write_articles(tmp_path / "articles", "demo-ok", FAILING_ID)

    result = run_demo(pipeline_settings, articles, pythonpath=inject)

    assert result.returncode == 1, result.stdout + result.stderr
    assert f"not enriched: {FAILING_ID}" in result.stderr
    assert f"{FAILING_ID}: dead-lettered, enrichment_failed: RuntimeError: injected by test_demo" in result.stderr
    assert "1 of 2 articles enriched, 1 dead-lettered, worker exit 0" in result.stdout


def test_demo_exits_0_when_every_article_is_enriched(pipeline_settings: Settings, tmp_path: Path) -> None:
    articles = write_articles(tmp_path / "articles", "demo-ok", FAILING_ID)

    result = run_demo(pipeline_settings, articles)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 of 2 articles enriched, 0 dead-lettered, worker exit 0" in result.stdout
    # The two articles say the same thing: the second joins the first one's story.
    assert "== stories: 1 among 2 articles, 1 with more than one article" in result.stdout
    assert "1 stories, 0 claim links, story stage exit 0" in result.stdout
