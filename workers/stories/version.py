"""The story stage's version: one string that changes whenever what decides its outputs
changes (its code, its parameters, the package), like the enrichment's pipeline version.

Every ``stories``, ``claim-links`` and ``trends`` event carries it, so a consumer tells
a repeat (the same story, article and version: a replay after a crash) from a
reassignment by another version of the stage.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, is_dataclass
from functools import cache
from pathlib import Path
from typing import Any

from workers import __version__
from workers.pipeline.version import fingerprint_files

__all__ = ["stage_version"]

_STORIES = Path(__file__).resolve().parent


@cache
def _code() -> str:
    return fingerprint_files([(path.name, path) for path in _STORIES.glob("*.py")])


def stage_version(*params: Any) -> str:
    """``<package version>+<12 hex>`` of the stage's code and ``params`` (dataclasses,
    such as :class:`~workers.stories.assign.StoryParams`, or plain values)."""
    parts = [asdict(p) if is_dataclass(p) and not isinstance(p, type) else p for p in params]
    digest = hashlib.sha256(json.dumps([__version__, _code(), parts], sort_keys=True, default=str).encode())
    return f"{__version__}+{digest.hexdigest()[:12]}"
