"""Fixtures for the evaluation tests: gold documents written to temporary files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def write_gold(tmp_path: Path) -> Callable[..., Path]:
    """Factory: a gold file holding the given documents (``.jsonl``, or ``.json``
    for a single document when ``suffix=".json"``)."""

    def write(*documents: dict[str, Any], name: str = "gold", suffix: str = ".jsonl") -> Path:
        path = tmp_path / f"{name}{suffix}"
        if suffix == ".json":
            (document,) = documents
            path.write_text(json.dumps(document), encoding="utf-8")
        else:
            path.write_text("".join(json.dumps(d) + "\n" for d in documents), encoding="utf-8")
        return path

    return write


def span(text: str, part: str, **extra: Any) -> dict[str, Any]:
    """A gold span for the first occurrence of ``part`` in ``text``."""
    start = text.index(part)
    return {"text": part, "start": start, "end": start + len(part), **extra}
