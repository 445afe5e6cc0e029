"""Every error code in ``workers/`` is in the table of ``docs/error-codes.md``, once, with one meaning.

Codes are found in the string constants of the source (``"[E104] ..."`` messages,
``"E303"`` codes handed to an exception), not in comments or docstrings, so a lint code
in a ``# noqa: E501`` or a range named in a docstring is not one. The page's table has
one row a code: ``| E104 | ... |``. A page without the heading or the table fails every
test that reads it: the table moved out of README.md (issue #19) and must not get lost.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGE = REPO / "docs" / "error-codes.md"
HEADING = "# Error codes"

#: Codes knowingly built by two classes, with why; each entry is for its owner to settle.
TWO_CLASSES_ON_PURPOSE: dict[str, set[str]] = {}

_IN_MESSAGE = re.compile(r"\[(E\d{3})\]")
_ALONE = re.compile(r"^(E\d{3})$")
_ROW = re.compile(r"^\|\s*`?\[?(E\d{3})\]?`?\s*\|", re.MULTILINE)


def _strings(node: ast.AST) -> list[str]:
    """The literal text of a string constant or f-string (its constant parts)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    return []


def _codes_in(text: str) -> set[str]:
    return set(_IN_MESSAGE.findall(text)) | set(_ALONE.findall(text))


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted((REPO / "workers").rglob("*.py"))]


def _docstrings(tree: ast.Module) -> set[int]:
    """The ids of docstring nodes: they talk about codes ("[E920]-[E929] are ours")."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    }


def codes_in_source() -> dict[str, set[str]]:
    """Each code found in ``workers/`` outside docstrings, with the modules that use it."""
    found: dict[str, set[str]] = defaultdict(set)
    for path, tree in _modules():
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            for text in _strings(node):
                for code in _codes_in(text):
                    found[code].add(str(path.relative_to(REPO)))
    return dict(found)


def classes_raising() -> dict[str, set[str]]:
    """Each code, with the exception classes built with it as their message's start
    (``SomeError("[E104] ...")``) or as their first argument (``InputError("E303", ...)``)."""
    found: dict[str, set[str]] = defaultdict(set)
    for _, tree in _modules():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if not name[:1].isupper():
                continue
            first = _strings(node.args[0])
            match = _IN_MESSAGE.match(first[0]) or _ALONE.match(first[0]) if first else None
            if match:
                found[match.group(1)].add(name)
    return dict(found)


def table_rows() -> list[str]:
    """The codes of the error-code table, one per row, in order: the rows under the page's
    heading, up to the next heading."""
    assert PAGE.is_file(), f"{PAGE.relative_to(REPO)} is missing: the error-code table lives there"
    text = PAGE.read_text(encoding="utf-8")
    parts = re.split(rf"^{re.escape(HEADING)}$", text, maxsplit=1, flags=re.MULTILINE)
    assert len(parts) == 2, f"{PAGE.relative_to(REPO)} has no {HEADING!r} heading"
    section = re.split(r"^#{1,6} ", parts[1], maxsplit=1, flags=re.MULTILINE)[0]
    rows = _ROW.findall(section)
    assert rows, f"{PAGE.relative_to(REPO)} has no table of codes under {HEADING!r}"
    return rows


def test_the_scan_finds_codes_in_messages_and_codes_passed_alone() -> None:
    """Guards the scanner itself: a message code, a bare code, and no lint code."""
    codes = codes_in_source()
    assert "workers/settings.py" in codes["E103"]
    assert "workers/inputs/files.py" in codes["E303"]
    assert "E501" not in codes or "workers/cli/demo.py" in codes["E501"]
    assert "workers/exceptions.py" not in codes["E104"]  # only its docstring's example


def test_every_code_in_the_source_is_in_the_table() -> None:
    missing = sorted(set(codes_in_source()) - set(table_rows()))
    assert not missing, f"codes used in workers/ but not in {PAGE.relative_to(REPO)}'s table: {missing}"


def test_every_code_in_the_table_is_used() -> None:
    stale = sorted(set(table_rows()) - set(codes_in_source()))
    assert not stale, f"codes in {PAGE.relative_to(REPO)}'s table that workers/ no longer uses: {stale}"


def test_each_code_has_one_row_in_the_table() -> None:
    rows = table_rows()
    assert sorted(c for c in set(rows) if rows.count(c) > 1) == []


def test_no_code_is_raised_by_two_exception_classes() -> None:
    shared = {
        code: sorted(names)
        for code, names in classes_raising().items()
        if len(names) > 1 and names != TWO_CLASSES_ON_PURPOSE.get(code)
    }
    assert shared == {}, f"one code, two meanings: {shared}"
