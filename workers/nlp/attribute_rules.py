"""The pipeline's attribute rules applied with numpy instead of spaCy's ``Matcher``.

spaCy's ``attribute_ruler`` sets POS and morphology from the tagger's tag (a tag map of
single-token patterns) and corrects a few dozen words; it runs every token through a
general ``Matcher`` and, on the benchmark corpus, costs about an eighth of the whole
parse. Its patterns here are plain: one to three tokens, each a conjunction of equality,
``IN``, ``NOT_IN`` and ``REGEX`` tests on a few token attributes.

:class:`AttributeRules` tests every token of a Doc against every token pattern at once.
Each tested attribute becomes a small code per token: which of the values the patterns
name it has (or none of them), and for each ``REGEX`` whether it finds a match. A table
per code says which token patterns it lets through, so one lookup per code and an AND
over the codes give a token-by-token-pattern matrix of passes; a pattern of several tokens
matches where its token patterns pass at consecutive tokens. Where several matches set
one attribute of one token, the latest rule wins, as when the ruler applies its matches
sorted by rule, so every token's attributes are identical to the ruler's.
:func:`compile_rules` returns None for a ruler with anything it does not handle
(operators, extensions, other attributes, more than eight regexes on one attribute), and
the stock ruler stays.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any, cast

import numpy
from numpy.typing import NDArray
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
#: Regular expressions tested on one attribute, at most: each doubles its codes.
_MAX_REGEXES = 8


@dataclass(frozen=True, slots=True)
class _Check:
    """One test on one attribute of one token: ``op`` is eq (``value`` an int), in or
    not_in (a frozenset of ints) or regex (a compiled pattern)."""

    column: int
    op: str
    value: Any


@dataclass(frozen=True, slots=True)
class _Pattern:
    """One alternative of rule ``rule``: one tuple of checks per token."""

    rule: int
    tokens: tuple[tuple[_Check, ...], ...]


class _Coder:
    """Codes one tested column: which of the values the checks on it name a token has
    (its place among them, their number for any other value) and, one bit each, which
    of the regular expressions tested on it find a match in its string."""

    def __init__(self, column: int, values: set[int], regexes: Sequence[re.Pattern[str]], strings: Any) -> None:
        self.column = column
        self._values = numpy.array(sorted(values), dtype=numpy.uint64)
        self._regexes = list(regexes)
        self._strings = strings
        #: With regexes: the code of every value met so far.
        self._known: dict[int, int] = {}
        #: How many codes there are (all below this).
        self.size = (len(values) + 1) << len(self._regexes)

    def codes(self, values: NDArray[numpy.uint64]) -> NDArray[numpy.intp]:
        """The code of each token, from its value in the column."""
        if self._regexes:
            listed = values.tolist()
            codes = numpy.fromiter(map(self._known.get, listed, repeat(-1)), dtype=numpy.intp, count=len(listed))
            for token in numpy.flatnonzero(codes < 0).tolist():
                codes[token] = self._code(listed[token])
            return codes
        # Without regexes the checks name at least one value.
        place = numpy.searchsorted(self._values, values)
        named = self._values[numpy.minimum(place, len(self._values) - 1)] == values
        return numpy.where(named, place, len(self._values))

    def _code(self, value: int) -> int:
        """The code of a value not met before, remembered."""
        place = int(numpy.searchsorted(self._values, value))
        if place < len(self._values) and self._values[place] != value:
            place = len(self._values)
        string = self._strings[value]
        found = sum(1 << bit for bit, regex in enumerate(self._regexes) if regex.search(string))
        code = self._known[value] = (place << len(self._regexes)) | found
        return code

    def passing(self, check: _Check) -> NDArray[numpy.bool_]:
        """Which codes pass ``check`` (one on this column)."""
        codes = numpy.arange(self.size)
        passing: NDArray[numpy.bool_]
        if check.op == "regex":
            passing = ((codes >> self._regexes.index(check.value)) & 1) == 1
        else:
            members = {check.value} if check.op == "eq" else check.value
            named = numpy.array([value in members for value in self._values.tolist()] + [False])
            passing = named[codes >> len(self._regexes)] != (check.op == "not_in")
        return passing


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
        # Token patterns: the first token of every pattern (numbered as the patterns),
        # then the further tokens of the patterns of several tokens.
        units = [pattern.tokens[0] for pattern in patterns]
        further: dict[int, list[tuple[int, int]]] = {}
        for number, pattern in enumerate(patterns):
            for offset, checks in enumerate(pattern.tokens[1:], start=1):
                further.setdefault(offset, []).append((number, len(units)))
                units.append(checks)
        #: Per offset from a match's start: the patterns with a token there, and its token patterns.
        self._further = [
            (offset, numpy.array([n for n, _ in pairs]), numpy.array([u for _, u in pairs]))
            for offset, pairs in sorted(further.items())
        ]
        self._coders = _tabulate(units, len(self._columns), strings)
        # Per pattern: its rule, length and the token it sets (from its start).
        self._rule = numpy.array([p.rule for p in patterns], dtype=numpy.intp)
        self._length = numpy.array([len(p.tokens) for p in patterns], dtype=numpy.intp)
        self._target = numpy.array([indices[p.rule] % len(p.tokens) for p in patterns], dtype=numpy.intp)
        # Per rule: which of the written attributes it sets, and to what.
        written = sorted({k for a in attrs for k in a})
        self._written: list[int | str] = list(written)
        self._sets = numpy.array([[k in a for k in written] for a in attrs], dtype=bool)
        self._set_to = numpy.array([[a.get(k, 0) for k in written] for a in attrs], dtype=numpy.uint64)

    def _starts(self, doc: Doc) -> tuple[NDArray[numpy.intp], NDArray[numpy.intp]]:
        """``(patterns, starts)`` of every match (one entry each) in a non-empty doc."""
        n = len(doc)
        table = numpy.ascontiguousarray(doc.to_array(self._columns).reshape((n, -1)).T)
        # passes[token, unit]: the token passes the token pattern.
        coder, lets_through = self._coders[0]
        passes = lets_through[coder.codes(table[coder.column])]
        for coder, lets_through in self._coders[1:]:
            passes &= lets_through[coder.codes(table[coder.column])]
        # starts[token, pattern]: the pattern matches from the token (the patterns' first
        # token patterns come first, in their order).
        starts = numpy.ascontiguousarray(passes[:, : len(self._rule)])
        for offset, numbers, units in self._further:
            stop = max(n - offset, 0)  # a match ends within the doc
            starts[stop:, numbers] = False
            starts[:stop, numbers] &= passes[offset:, units]
        # Flat, as numpy.nonzero of a 2-d array takes ten times as long.
        positions, patterns = numpy.divmod(numpy.flatnonzero(starts), len(self._rule))
        return patterns, positions

    def matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        """``(rule, start, end)`` of every match, in the order the ruler applies them."""
        if len(doc) == 0:
            return []
        patterns, starts = self._starts(doc)
        ends = starts + self._length[patterns]
        # As AttributeRuler.match: by rule, so that a later rule overrides an earlier one.
        return sorted(set(zip(self._rule[patterns].tolist(), starts.tolist(), ends.tolist(), strict=True)))

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0:
            return doc
        patterns, starts = self._starts(doc)
        if len(patterns) == 0:
            return doc
        rules, tokens = self._rule[patterns], starts + self._target[patterns]
        # Each attribute of each token takes its value from the latest rule setting it
        # there, as when the ruler applies its matches in order.
        width = len(self._written)
        match, attr = numpy.divmod(numpy.flatnonzero(self._sets[rules]), width)
        latest = numpy.full(len(doc) * width, -1, dtype=numpy.intp)
        numpy.maximum.at(latest, tokens[match] * width + attr, rules[match])
        cells = numpy.flatnonzero(latest >= 0)
        written = doc.to_array(self._written).reshape((len(doc), width))
        written[cells // width, cells % width] = self._set_to[latest[cells], cells % width]
        doc.from_array(self._written, cast(Any, written))
        return doc


def _tabulate(
    units: Sequence[tuple[_Check, ...]], n_columns: int, strings: Any
) -> list[tuple[_Coder, NDArray[numpy.bool_]]]:
    """Per tested column, its coder and their table: which token patterns (of ``units``)
    each code lets through, True where a token pattern has no check on the column."""
    named: list[set[int]] = [set() for _ in range(n_columns)]
    regexes: list[dict[re.Pattern[str], None]] = [{} for _ in range(n_columns)]
    for check in (check for checks in units for check in checks):
        if check.op == "regex":
            regexes[check.column][check.value] = None
        else:
            named[check.column].update([check.value] if check.op == "eq" else check.value)
    coders = [_Coder(column, named[column], list(regexes[column]), strings) for column in range(n_columns)]
    tables = [numpy.ones((c.size, len(units)), dtype=bool) for c in coders]
    for unit, checks in enumerate(units):
        for check in checks:
            tables[check.column][:, unit] &= coders[check.column].passing(check)
    return list(zip(coders, tables, strict=True))


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
    attribute it sets is not one handled here, when the patterns test no attribute at
    all, or test more than :data:`_MAX_REGEXES` regular expressions on one (then keep
    the ruler)."""
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
    regexes = {(c.column, c.value) for p in patterns for checks in p.tokens for c in checks if c.op == "regex"}
    if not columns or max(Counter(column for column, _ in regexes).values(), default=0) > _MAX_REGEXES:
        return None
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
