"""An independent client (Debian's kcat) can feed the pipeline and read its outputs."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

import orjson

from tests.checks import assert_spans_index_body, assert_valid_event
from tests.integration.conftest import WorkerProcess
from workers.settings import Settings

ARTICLE = {
    "id": "kcat-1",
    "title": "Minister denies report",
    "body": "The interior minister denied on Monday that the police had used force. "
    "\u201cNobody was hurt,\u201d she told reporters in Paris.",
    "published_at": "2024-12-02T09:30:00Z",
}


def kcat(settings: Settings, *args: str, stdin: bytes | None = None) -> bytes:
    return subprocess.run(
        ["kcat", "-b", settings.bootstrap_servers, *args], input=stdin, capture_output=True, check=True, timeout=120
    ).stdout


def test_article_produced_by_kcat_is_enriched_and_kcat_reads_every_output(
    pipeline_settings: Settings, start_worker: Callable[[Settings], WorkerProcess]
) -> None:
    start_worker(pipeline_settings)
    kcat(pipeline_settings, "-P", "-t", pipeline_settings.topic_raw, "-k", "kcat-1", stdin=orjson.dumps(ARTICLE))

    # -C -c 1: consume one message (waits for it); -e would stop at the current end.
    out = kcat(
        pipeline_settings, "-C", "-t", pipeline_settings.topic_enriched, "-o", "beginning", "-c", "1", "-f", "%k\t%s\n"
    )
    key, value = out.decode().rstrip("\n").split("\t", 1)
    article = orjson.loads(value)
    assert key == "kcat-1" and article["id"] == "kcat-1"
    assert_valid_event(article)
    assert_spans_index_body(article)
    assert article["claims"], "the article has two attributed statements"

    claims = kcat(
        pipeline_settings,
        "-C",
        "-t",
        pipeline_settings.topic_claims,
        "-o",
        "beginning",
        "-c",
        str(len(article["claims"])),
        "-f",
        "%s\n",
    )
    entities = kcat(
        pipeline_settings,
        "-C",
        "-t",
        pipeline_settings.topic_entities,
        "-o",
        "beginning",
        "-c",
        str(len(article["entities"])),
        "-f",
        "%s\n",
    )
    for line in claims.splitlines() + entities.splitlines():
        assert_valid_event(orjson.loads(line))
