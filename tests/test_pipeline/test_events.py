"""Output records: every record within its topic's size limit, whatever the input."""

from __future__ import annotations

import orjson
import pytest

from tests.checks import assert_valid_event
from workers.exceptions import OutputTooLarge
from workers.models import RawArticle
from workers.pipeline.enrich import Enricher
from workers.pipeline.events import OutputLimits, OutputRecord, article_records
from workers.settings import Settings

BODY = "The mayor of Boston said on Monday that the bridge would reopen. Critics denied it.\n"


@pytest.fixture
def article(enricher: Enricher) -> object:
    return enricher(RawArticle("a1", BODY * 40))


def test_an_article_within_the_limit_goes_out_whole(article: object) -> None:
    records = article_records(article, Settings(data_dir="/tmp/unused"))  # type: ignore[arg-type]
    event = orjson.loads(records[-1].value)
    assert event["body"] == BODY * 40 and "body_omitted" not in event["flags"]


def test_an_article_event_over_the_limit_leaves_out_the_body_and_says_so(article: object) -> None:
    settings = Settings(data_dir="/tmp/unused")
    whole = article_records(article, settings)[-1]  # type: ignore[arg-type]
    limits = OutputLimits(10**6, {"articles.enriched": len(whole.value) - 100})
    records = article_records(article, settings, limits)  # type: ignore[arg-type]
    event = orjson.loads(records[-1].value)
    assert event["body"] is None and "body_omitted" in event["flags"]
    assert event["entities"] and event["claims"]
    assert all(limits.fits(r) for r in records)
    assert_valid_event(event)


def test_an_article_event_still_over_the_limit_leaves_out_entities_and_claims_too(article: object) -> None:
    settings = Settings(data_dir="/tmp/unused")
    limits = OutputLimits(10**6, {"articles.enriched": 1200})
    event = orjson.loads(article_records(article, settings, limits)[-1].value)  # type: ignore[arg-type]
    assert (event["body"], event["entities"], event["claims"]) == (None, [], [])
    assert {"body_omitted", "entities_omitted", "claims_omitted"} <= set(event["flags"])
    assert_valid_event(event)


def test_a_claim_event_over_the_limit_is_an_error_naming_topic_and_setting(article: object) -> None:
    limits = OutputLimits(10**6, {"claims": 300})
    with pytest.raises(OutputTooLarge, match=r"\[E601\].*claims.*NEWSFLOW_MAX_MESSAGE_BYTES"):
        article_records(article, Settings(data_dir="/tmp/unused"), limits)  # type: ignore[arg-type]


def test_a_limit_counts_key_value_and_overhead_and_the_lower_limit_wins() -> None:
    limits = OutputLimits(1000, {"small": 500, "large": 5000})
    assert limits.limit("small") == 500 and limits.limit("large") == 1000 and limits.limit("other") == 1000
    assert limits.fits(OutputRecord("other", b"k", b"v" * (1000 - 1 - 128)))
    assert not limits.fits(OutputRecord("other", b"k", b"v" * (1000 - 128)))


def test_every_event_of_an_article_names_its_pipeline_version_and_validates(
    article: object, enricher: Enricher
) -> None:
    records = article_records(article, Settings(data_dir="/tmp/unused"))  # type: ignore[arg-type]
    topics = {record.topic for record in records}
    assert {"claims", "entities", "articles.enriched"} <= topics
    for record in records:
        event = orjson.loads(record.value)
        assert_valid_event(event)
        version = (
            event["processing"]["pipeline_version"]
            if record.topic == "articles.enriched"
            else event["pipeline_version"]
        )
        assert version == enricher.version.version
