"""The metric names a PromQL expression reads, for checking dashboards and alert rules.

Not a PromQL parser: a tokenizer that knows which identifiers are not metric names.
It skips string literals, label matchers (``{...}``), ranges and subqueries (``[...]``),
numbers and durations, Grafana variables (``$job``, ``${job}``, ``$__rate_interval``),
function and aggregation names (an identifier followed by ``(``), keywords (``by``,
``without``, ``on``, ``ignoring``, ``group_left``, ``group_right``, ``bool``, ``offset``,
set operators) and the label lists that follow the grouping keywords. A name given as
``{__name__="..."}`` is returned too.
"""

from __future__ import annotations

import re

__all__ = ["metric_names"]

_KEYWORDS = frozenset({"and", "or", "unless", "bool", "offset", "atan2", "inf", "nan"})
# Keywords followed by a parenthesised list of label names, not of expressions.
_LABEL_LIST_KEYWORDS = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right"})
_IDENT = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_NUMBER = re.compile(r"(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(?:[smhdwy]|ms)*")
_VARIABLE = re.compile(r"\$(?:\{[^}]*\}|[a-zA-Z0-9_]+)")
_NAME_MATCHER = re.compile(r"""__name__\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")


def _skip_string(expr: str, i: int) -> int:
    """Index just past the string literal that starts at ``expr[i]``."""
    quote = expr[i]
    i += 1
    while i < len(expr):
        if expr[i] == "\\" and quote != "`":
            i += 2
            continue
        if expr[i] == quote:
            return i + 1
        i += 1
    raise ValueError(f"unterminated string in {expr!r}")


def _skip_group(expr: str, i: int, close: str) -> tuple[int, str]:
    """Index just past the bracket group opened at ``expr[i]``, and the group's text."""
    opening = expr[i]
    depth = 0
    start = i
    while i < len(expr):
        c = expr[i]
        if c in "\"'`":
            i = _skip_string(expr, i)
            continue
        if c == opening:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return i + 1, expr[start : i + 1]
        i += 1
    raise ValueError(f"unbalanced {opening!r} in {expr!r}")


def _next_non_space(expr: str, i: int) -> str:
    while i < len(expr) and expr[i].isspace():
        i += 1
    return expr[i] if i < len(expr) else ""


def _is_call(expr: str, i: int) -> bool:
    """Whether the identifier ending at ``i`` is a function or an aggregation.

    ``f(...)``, and ``sum by (...) (...)`` / ``sum without (...) (...)``, where the
    grouping comes between the operator and its parenthesis.
    """
    following = _next_non_space(expr, i)
    if following == "(":
        return True
    word = _IDENT.match(expr, len(expr) - len(expr[i:].lstrip()))
    return word is not None and word.group().lower() in {"by", "without"}


def metric_names(expr: str) -> set[str]:
    """Every metric name ``expr`` selects.

    Raises:
        ValueError: a string or bracket is not closed.
    """
    names: set[str] = set()
    i = 0
    while i < len(expr):
        c = expr[i]
        if c.isspace():
            i += 1
        elif c == "#":  # a comment runs to the end of the line
            end = expr.find("\n", i)
            i = len(expr) if end < 0 else end
        elif c in "\"'`":
            i = _skip_string(expr, i)
        elif c == "{":
            i, group = _skip_group(expr, i, "}")
            names.update(a or b for a, b in _NAME_MATCHER.findall(group))
        elif c == "[":
            i, _ = _skip_group(expr, i, "]")
        elif c == "$":
            match = _VARIABLE.match(expr, i)
            i = match.end() if match else i + 1
        elif c.isdigit() or (c == "." and expr[i + 1 : i + 2].isdigit()):
            match = _NUMBER.match(expr, i)
            i = match.end() if match else i + 1
        elif match := _IDENT.match(expr, i):
            word = match.group()
            i = match.end()
            if word.lower() in _LABEL_LIST_KEYWORDS:
                if _next_non_space(expr, i) == "(":
                    i, _ = _skip_group(expr, expr.index("(", i), ")")
            elif not (word.lower() in _KEYWORDS or _is_call(expr, i)):
                names.add(word)
        else:
            i += 1
    return names
