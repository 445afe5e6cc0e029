from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from workers.models import RAW_ARTICLE_SCHEMA
from workers.schemas import SCHEMA_DIR, is_rfc3339, validator_for


@pytest.mark.parametrize("path", sorted(SCHEMA_DIR.glob("*.json")), ids=lambda p: p.name)
def test_schema_file_is_valid_draft_2020_12_named_by_version(path: object) -> None:
    schema = json.loads(path.read_text())  # type: ignore[attr-defined]
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(path.name)  # type: ignore[attr-defined]


@pytest.mark.parametrize("value", ["2024-12-05T10:00:00Z", "2024-12-05T10:00:00.5+05:30"])
def test_rfc3339_timestamps_are_accepted(value: str) -> None:
    assert is_rfc3339(value)


@pytest.mark.parametrize("value", ["2024-12-05", "2024-12-05T10:00:00", "Dec 5 2024"])
def test_timestamps_without_zone_or_time_are_rejected(value: str) -> None:
    assert not is_rfc3339(value)


def test_raw_article_schema_allows_unknown_fields() -> None:
    assert validator_for(RAW_ARTICLE_SCHEMA).is_valid({"body": "x", "extra": [1]})
