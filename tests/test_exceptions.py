"""The error tree: one root, each package's errors in its ``exceptions.py``, all of them
written out in the root module's docstring (read by people, so checked here)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import workers
from workers import exceptions

PACKAGE = Path(workers.__file__).resolve().parent


def _error_classes() -> dict[str, Path]:
    """Every class under ``workers/`` that descends from NewsflowError, and its module."""
    bases: dict[str, tuple[list[str], Path]] = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                names = [b.id if isinstance(b, ast.Name) else ast.unparse(b) for b in node.bases]
                bases[node.name] = (names, path)
    found: dict[str, Path] = {"NewsflowError": PACKAGE / "exceptions.py"}
    grew = True
    while grew:
        grew = False
        for name, (parents, path) in bases.items():
            if name not in found and any(p.rsplit(".", 1)[-1] in found for p in parents):
                found[name] = path
                grew = True
    return found


def test_every_error_class_lives_in_an_exceptions_module() -> None:
    misplaced = {
        name: str(path.relative_to(PACKAGE)) for name, path in _error_classes().items() if path.name != "exceptions.py"
    }
    assert not misplaced, f"errors outside an exceptions.py: {misplaced}"


def test_the_root_docstring_names_every_error_class_and_no_other() -> None:
    doc = exceptions.__doc__ or ""
    in_tree = set(re.findall(r"(?:[├└]── |^    )([A-Z]\w+)", doc, re.M))
    assert in_tree == set(_error_classes()), (
        f"missing from the tree: {sorted(set(_error_classes()) - in_tree)}; "
        f"named but not defined: {sorted(in_tree - set(_error_classes()))}"
    )


def test_the_error_classes_are_found() -> None:
    # the two tests above pass vacuously if the search finds nothing
    assert {"ConfigError", "SinkError", "RejectedBatch", "WebError", "GoldError", "InputError"} <= set(_error_classes())
