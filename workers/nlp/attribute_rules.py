"""The pipeline's attribute rules applied by lookup instead of by spaCy's ``Matcher``.

spaCy's ``attribute_ruler`` sets POS and morphology from the tagger's tag (a tag map of
single-token patterns) and corrects a few dozen words; it runs every token through a
general ``Matcher`` and, on the benchmark corpus, costs about an eighth of the whole
parse. Its patterns here are plain: one to three tokens, each a conjunction of equality,
``IN``, ``NOT_IN`` and ``REGEX`` tests on a few token attributes. :class:`AttributeRules`
indexes them by the value the first token must have, finds the same matches, orders
them as the ruler does (later patterns win) and writes the same values, so every token's
attributes are identical to the ruler's; :func:`compile_rules` returns None for a ruler
with anything it does not handle (operators, extensions, other attributes), and the
stock ruler stays.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy
from spacy.attrs import DEP, IDS, IS_ALPHA, IS_DIGIT, IS_PUNCT, IS_SPACE, LOWER, NORM, ORTH, TAG
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.vocab import Vocab

__all__ = ["AttributeRules", "compile_rules", "use_attribute_rules"]

#: Attributes a pattern may test: string-valued ones are compared by hash, flags as 0/1.
_STRING_ATTRS = {"ORTH": ORTH, "LOWER": LOWER, "NORM": NORM, "TAG": TAG, "DEP": DEP}
_FLAG_ATTRS = {"IS_SPACE": IS_SPACE, "IS_PUNCT": IS_PUNCT, "IS_ALPHA": IS_ALPHA, "IS_DIGIT": IS_DIGIT}
_TESTED = {**_STRING_ATTRS, **_FLAG_ATTRS}
#: Attributes a rule may set (token fields that ``Doc.from_array`` writes as they are).
_SETTABLE = {IDS[name] for name in ("POS", "TAG", "MORPH", "LEMMA", "DEP")}


@dataclass(frozen=True, slots=True)
class _Check:
    """One test on one attribute of one token: ``op`` is eq, in, not_in or regex."""

    column: int
    op: str
    value: Any

    def passes(self, token_value: int, strings: Any, regex_cache: dict[tuple[int, int], bool]) -> bool:
        if self.op == "eq":
            return bool(token_value == self.value)
        if self.op == "in":
            return token_value in self.value
        if self.op == "not_in":
            return token_value not in self.value
        key = (id(self.value), token_value)
        found = regex_cache.get(key)
        if found is None:
            found = regex_cache[key] = bool(self.value.search(strings[token_value]))
        return found


@dataclass(frozen=True, slots=True)
class _Pattern:
    """One alternative of rule ``rule``: one tuple of checks per token."""

    rule: int
    tokens: tuple[tuple[_Check, ...], ...]


class AttributeRules:
    """Applies an attribute ruler's rules to a Doc, with the ruler's result.

    Build it with :func:`compile_rules`; call it on a tagged and parsed Doc.

    Args:
        columns: the attributes tested, in the order of each check's ``column``.
        patterns: every pattern alternative, with the number of its rule.
        attrs: per rule, the attribute ids and values it sets.
        indices: per rule, which token of the match it sets (negative from the end).
        strings: the vocabulary's string store (for ``REGEX`` tests).
    """

    def __init__(
        self,
        columns: Sequence[int | str],
        patterns: Sequence[_Pattern],
        attrs: Sequence[Mapping[int, int]],
        indices: Sequence[int],
        strings: Any,
    ) -> None:
        self._columns: list[int | str] = list(columns)
        self._attrs = [dict(a) for a in attrs]
        self._indices = list(indices)
        self._strings = strings
        self._written: list[int | str] = sorted({k for a in self._attrs for k in a})
        # Each pattern is indexed under one value its first token must have.
        # Each entry: the pattern and its checks other than the one it is indexed by.
        self._index: list[dict[int, list[tuple[_Pattern, tuple[tuple[int, _Check], ...]]]]] = [
            {} for _ in self._columns
        ]
        self._unanchored: list[tuple[_Pattern, tuple[tuple[int, _Check], ...]]] = []
        for pattern in patterns:
            anchor = _anchor(pattern.tokens[0], self._columns)
            if anchor is None:
                self._unanchored.append(
                    (pattern, tuple((o, c) for o, checks in enumerate(pattern.tokens) for c in checks))
                )
                continue
            rest = tuple(
                (offset, check)
                for offset, checks in enumerate(pattern.tokens)
                for check in checks
                if not (offset == 0 and check is anchor)
            )
            for value in [anchor.value] if anchor.op == "eq" else anchor.value:
                self._index[anchor.column].setdefault(value, []).append((pattern, rest))
        self._anchored = [(column, index) for column, index in enumerate(self._index) if index]
        self._regex_cache: dict[tuple[int, int], bool] = {}

    def matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        """``(rule, start, end)`` of every match, in the order the ruler applies them."""
        n = len(doc)
        if n == 0:
            return []
        table = doc.to_array(self._columns)
        values: list[list[int]] = table.T.tolist() if table.ndim == 2 else [table.tolist()]
        strings, cache = self._strings, self._regex_cache
        found: list[tuple[int, int, int]] = []
        for i in range(n):
            candidates = [p for column, index in self._anchored for p in index.get(values[column][i], ())]
            for pattern, rest in (*candidates, *self._unanchored):
                end = i + len(pattern.tokens)
                if end > n:
                    continue
                for offset, check in rest:
                    if not check.passes(values[check.column][i + offset], strings, cache):
                        break
                else:
                    found.append((pattern.rule, i, end))
        # As AttributeRuler.match: by rule, so that a later rule overrides an earlier one.
        found = sorted(set(found))
        return found

    def __call__(self, doc: Doc) -> Doc:
        found = self.matches(doc)
        if not found:
            return doc
        written = doc.to_array(self._written)
        if written.ndim == 1:
            written = written.reshape((-1, 1))
        column: dict[int | str, int] = {attr: j for j, attr in enumerate(self._written)}
        for rule, start, end in found:
            index = self._indices[rule]
            token = start + index if index >= 0 else end + index
            for attr, value in self._attrs[rule].items():
                written[token, column[attr]] = value
        doc.from_array(self._written, cast(Any, written.astype(numpy.uint64, copy=False)))
        return doc


#: Which test to index a pattern by: the rarest values first (a word before a tag).
_ANCHOR_ORDER = (ORTH, LOWER, NORM, DEP, TAG, IS_SPACE, IS_PUNCT, IS_DIGIT, IS_ALPHA)


def _anchor(checks: tuple[_Check, ...], columns: Sequence[int | str]) -> _Check | None:
    """The check of a first token to index its pattern under: equality or ``IN`` on the
    most selective attribute; None if it has neither."""
    usable = [c for c in checks if c.op in ("eq", "in")]
    if not usable:
        return None
    return min(usable, key=lambda c: (c.op != "eq", _ANCHOR_ORDER.index(int(columns[c.column]))))


def _checks(token: Mapping[str, Any], columns: dict[int, int], vocab: Vocab) -> tuple[_Check, ...] | None:
    """The checks of one token pattern, or None if it uses anything not handled here."""
    checks = []
    for name, spec in token.items():
        attr = _TESTED.get(name.upper())
        if attr is None:
            return None
        column = columns.setdefault(attr, len(columns))
        flag = name.upper() in _FLAG_ATTRS
        if isinstance(spec, bool) and flag:
            checks.append(_Check(column, "eq", int(spec)))
        elif isinstance(spec, str) and not flag:
            checks.append(_Check(column, "eq", get_string_id(spec)))
        elif isinstance(spec, dict) and len(spec) == 1 and not flag:
            ((op, value),) = spec.items()
            if op in ("IN", "NOT_IN") and isinstance(value, list) and all(isinstance(v, str) for v in value):
                checks.append(_Check(column, op.lower(), frozenset(get_string_id(v) for v in value)))
            elif op == "REGEX" and isinstance(value, str):
                checks.append(_Check(column, "regex", re.compile(value)))
            else:
                return None
        else:
            return None
    return tuple(checks)


def compile_rules(ruler: AttributeRuler) -> AttributeRules | None:
    """The ruler's rules as :class:`AttributeRules`, or None when a pattern or an
    attribute it sets is not one handled here (then keep the ruler)."""
    columns: dict[int, int] = {}
    patterns: list[_Pattern] = []
    specs = cast(list[dict[str, Any]], ruler.patterns)
    for rule, spec in enumerate(specs):
        attrs = ruler.attrs[rule]
        if not attrs or any(not isinstance(k, int) or k not in _SETTABLE for k in attrs):
            return None
        for alternative in spec["patterns"]:
            if not alternative or not isinstance(alternative, list):
                return None
            index = spec.get("index", 0)
            if not -len(alternative) <= index < len(alternative):
                return None
            tokens = [_checks(token, columns, ruler.vocab) for token in alternative]
            if any(t is None for t in tokens):
                return None
            patterns.append(_Pattern(rule, tuple(t for t in tokens if t is not None)))
    ordered: list[int | str] = [attr for attr, _ in sorted(columns.items(), key=lambda item: item[1])]
    return AttributeRules(ordered, patterns, ruler.attrs, ruler.indices, ruler.vocab.strings)


@Language.factory("newsflow_attribute_rules", default_config={"source": "attribute_ruler"})
def make_attribute_rules(nlp: Language, name: str, source: str) -> AttributeRules:
    """The rules of the pipeline's ruler ``source`` as a component.

    Raises:
        ValueError: [E203] ``source`` has rules that :func:`compile_rules` does not handle.
    """
    rules = compile_rules(cast(AttributeRuler, nlp.get_pipe(source)))
    if rules is None:
        raise ValueError(f"[E203] the attribute ruler {source!r} has rules that newsflow_attribute_rules cannot apply")
    return rules


def use_attribute_rules(nlp: Language, name: str = "attribute_ruler") -> bool:
    """Replace the ruler ``name`` in ``nlp`` by :class:`AttributeRules` where they can
    apply its rules (it stays loaded, disabled). Returns whether it was replaced."""
    if name not in nlp.pipe_names or not isinstance(nlp.get_pipe(name), AttributeRuler):
        return False
    if compile_rules(cast(AttributeRuler, nlp.get_pipe(name))) is None:
        return False
    nlp.add_pipe("newsflow_attribute_rules", name=f"newsflow_{name}", after=name, config={"source": name})
    nlp.disable_pipe(name)
    return True
