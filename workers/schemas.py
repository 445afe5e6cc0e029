"""Load the JSON Schemas in ``schemas/`` and build validators for them.

The schema files are the contract with other teams, so they live at the top of the
repository rather than inside the package; they resolve their shared ``common``
definitions through one registry.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from workers.models import SchemaRef

__all__ = ["SCHEMA_DIR", "is_rfc3339", "load_schema", "validator_for"]

#: ``workers/_schemas`` is a link to the top-level ``schemas/`` in the repository and a
#: real directory in an installed wheel.
SCHEMA_DIR = Path(__file__).parent / "_schemas"
_URN = "urn:newsflow:schema:"
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")

_format_checker = FormatChecker()


def is_rfc3339(value: object) -> bool:
    """True for an RFC 3339 timestamp with a zone ("2024-11-28T10:00:00Z")."""
    if not isinstance(value, str):
        return True  # format only constrains strings
    if not _RFC3339.match(value):
        return False
    datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))  # range check
    return True


# Registered by call, not as a decorator: jsonschema's decorator is untyped.
_format_checker.checks("date-time", raises=ValueError)(is_rfc3339)


def load_schema(ref: SchemaRef) -> dict[str, Any]:
    """The parsed schema file ``schemas/<name>.v<version>.json``."""
    path = SCHEMA_DIR / f"{ref.name}.v{ref.version}.json"
    with path.open(encoding="utf-8") as f:
        schema: dict[str, Any] = json.load(f)
    return schema


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.v*.json")):
        with path.open(encoding="utf-8") as f:
            resources.append((_URN + path.name, Resource.from_contents(json.load(f))))
    return Registry().with_resources(resources)


@cache
def validator_for(ref: SchemaRef) -> Draft202012Validator:
    """A validator for ``ref`` that checks ``format`` and resolves shared definitions."""
    schema = load_schema(ref)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=_registry(), format_checker=_format_checker)
