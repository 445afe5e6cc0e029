from __future__ import annotations

import base64

from workers.pipeline.dlq import dead_letter

COMMON = {
    "reason": "invalid_json",
    "error": "bad",
    "topic": "t",
    "partition": 0,
    "offset": 7,
    "key": None,
    "failed_at": "2024-12-05T12:00:00Z",
}


def test_utf8_value_is_kept_as_text() -> None:
    letter = dead_letter(value="{bad ü".encode(), **COMMON)
    assert (letter.value, letter.value_encoding) == ("{bad ü", "utf-8")


def test_non_utf8_value_is_kept_as_base64() -> None:
    raw = b"\xff\x00\xfe"
    letter = dead_letter(value=raw, **COMMON)
    assert letter.value_encoding == "base64"
    assert base64.b64decode(letter.value) == raw


def test_long_error_message_is_truncated() -> None:
    letter = dead_letter(value=b"x", **{**COMMON, "error": "e" * 10_000})
    assert len(letter.error) == 2_000
