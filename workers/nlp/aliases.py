"""Mentions the NER missed, of things the article has already named.

The small model tags a name in one sentence and misses it in the next, and it never
tags the short forms news uses after a first full mention: "the Observatory" after
"the Syrian Observatory for Human Rights", "Mohib" after "Hamdullah Mohib". Once the
article has named a thing, every other occurrence of that name, or of its short
form, is a mention of it too. One pass over the tokens; candidates are looked up by
their first word, so the cost does not grow with the number of entities.

An organisation's short forms are made from its full name as the article writes it
(:func:`abbreviations`): its acronyms ("ECB", "BoE", "WHO"), a clipping of its first
word ("the Fed"), a company's name without its suffix ("Ford" of "Ford Motor Co"),
and an acronym the article defines in brackets right after it ("Food and Drug
Administration (FDA)"). A short form names the organisation only when the article
has its full name, and only one organisation of the article has that short form.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

from spacy.attrs import IS_LOWER, ORTH
from spacy.strings import get_string_id
from spacy.tokens import Doc, Token

from workers.models import Mention
from workers.nlp.gazetteer import GAZETTEER
from workers.nlp.labels import contiguous_parts
from workers.nlp.mentions import Candidate, title_before
from workers.nlp.names import acronyms, clipped_prefixes, company_short_names, is_acronym, is_title_word, name_key

__all__ = ["Abbreviation", "abbreviations", "alias_candidates", "short_form_targets"]

#: Labels whose names are repeated verbatim; dates and times are not names.
_NAME_LABELS: Final = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)
_DETERMINERS: Final = frozenset({"the"})
#: How a short form is made from a full name: see :func:`abbreviations`.
AbbreviationKind = Literal["acronym", "clipped", "company", "defined"]
#: Labels spaCy gives a company's short name that the company's full name overrides
#: ("Dell" as a PERSON beside "Dell Inc."); a place or a nationality keeps its label
#: ("Boston" of "Boston Scientific Corp", "British" of "British Airways Plc").
_COMPANY_SHORT_LABELS: Final = frozenset({"ORG", "PERSON", "PRODUCT", "FAC", "WORK_OF_ART"})
#: An acronym in brackets right after a name: "World Health Organization (WHO)".
_BRACKETED: Final = re.compile(r"[ \t]*\(([A-Za-z]{2,8})\)")
#: A bracket that a dash follows is a dateline's agency ("NAIROBI, Kenya (AP) -"),
#: never the name's acronym.
_DATELINE_DASH: Final = re.compile(r"[ \t]*[-\u2013\u2014]")


@dataclass(frozen=True, slots=True)
class Abbreviation:
    """A short way of writing one of the article's organisations."""

    #: As written: "ECB", "BoE", "Fed", "Ford Motor".
    written: str
    #: The key of the full name it stands for.
    full: tuple[str, ...]
    #: The full name as written, for display.
    name: str
    kind: AbbreviationKind


@dataclass(frozen=True, slots=True)
class _Form:
    """A way of writing a known name: its tokens, the entity key it refers to."""

    words: tuple[str, ...]
    key: tuple[str, ...]
    label: str
    name: str
    #: Short forms of organisations only count after "the" ("the Observatory").
    after_the: bool
    #: An acronym is checked as one (see :func:`_acronym_here`), not as a word.
    acronym: bool = False


def short_form_targets(
    found: list[Candidate], labels: dict[tuple[str, ...], str], text: str = ""
) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Organisation short forms -> the full name they stand for in this article.

    "Observatory" (tagged on its own) is the Syrian Observatory for Human Rights
    when that is the one organisation of the article whose name is built on it;
    "KCNA" is the Korean Central News Agency, "the Fed" the Federal Reserve and
    "Dell" Dell Inc. when the article names both, "FDA" the name it follows in
    brackets (see :func:`abbreviations`). A short form that two full names share
    names neither, unless one full name extends the others ("Ford" of "Ford Motor"
    and "Ford Motor Co").

    Args:
        found: The candidates from spaCy's entities.
        labels: The label chosen for each name key.
        text: ``doc.text``, to find acronyms defined in brackets; without it only
            the short forms made from the names count.

    Returns:
        Short key -> full key, chains followed ("Ford" -> "Ford Motor Co", never
        "Ford" -> "Ford Motor" -> "Ford Motor Co").
    """
    shorts: dict[tuple[str, ...], set[tuple[str, ...]]] = defaultdict(set)
    for cand in found:
        words = tuple(cand.mention.text.split())
        if labels[cand.key] != "ORG" or len(cand.key) < 2:
            continue
        if (head := _head_word(words)) is not None and (head.lower(),) in labels:
            shorts[(head.lower(),)].add(cand.key)
    by_written: dict[str, list[Abbreviation]] = defaultdict(list)
    for abbreviation in abbreviations(found, labels, text):
        by_written[abbreviation.written].append(abbreviation)
    blocked = _person_names(found, labels)
    for cand in found:
        for abbreviation in by_written.get(cand.mention.text, ()):
            if cand.key != abbreviation.full and _may_abbreviate(abbreviation, cand, labels[cand.key], blocked):
                shorts[cand.key].add(abbreviation.full)
    targets = {short: full for short, fulls in shorts.items() if (full := _one_full_name(fulls)) is not None}
    return {short: _last_target(short, targets) for short in targets}


def abbreviations(found: list[Candidate], labels: dict[tuple[str, ...], str], text: str = "") -> list[Abbreviation]:
    """Every short form of the article's organisations (names labelled ORG, of two
    words or more), made from their names as the article writes them.

    - ``acronym``: "ECB" of "European Central Bank", "BoE" of "Bank of England";
    - ``clipped``: "Fed" of "Federal Reserve" (a clipping of the first word);
    - ``company``: "Ford", "Ford Motor" of "Ford Motor Co" (a name with a suffix);
    - ``defined``: the acronym in brackets right after a name ("Food and Drug
      Administration (FDA)"), whatever its letters, when the name is an
      organisation's or the acronym is made from it; not a dateline's agency
      ("Kenya (AP) -").
    """
    seen: set[tuple[str, tuple[str, ...]]] = set()
    result: list[Abbreviation] = []

    def add(written: Iterable[str], full: tuple[str, ...], name: str, kind: AbbreviationKind) -> None:
        for form in written:
            if (form, full) not in seen:
                seen.add((form, full))
                result.append(Abbreviation(form, full, name, kind))

    for cand in found:
        if labels[cand.key] != "ORG" or len(cand.key) < 2 or (cand.name, cand.key) in seen:
            continue
        seen.add((cand.name, cand.key))
        add(acronyms(cand.name), cand.key, cand.name, "acronym")
        add(clipped_prefixes(cand.name), cand.key, cand.name, "clipped")
        add(company_short_names(cand.name), cand.key, cand.name, "company")
    if text:
        for cand, written in _bracketed_acronyms(found, text):
            if labels[cand.key] == "ORG" or written in acronyms(cand.name):
                add((written,), cand.key, cand.name, "defined")
    return result


def _bracketed_acronyms(found: list[Candidate], text: str) -> list[tuple[Candidate, str]]:
    """(name, acronym) for every acronym in brackets right after a name."""
    pairs = []
    for cand in found:
        match = _BRACKETED.match(text, cand.mention.end)
        if match is None or not is_acronym(match.group(1)) or len(name_key(cand.name)) < 2:
            continue
        if _DATELINE_DASH.match(text, match.end()) is None:
            pairs.append((cand, match.group(1)))
    return pairs


def _may_abbreviate(abbreviation: Abbreviation, cand: Candidate, label: str, blocked: set[tuple[str, ...]]) -> bool:
    """Whether the tagged mention ``cand`` may stand for the abbreviation's full name."""
    if abbreviation.kind in ("acronym", "defined"):
        # "US" tagged as the country beside the "Union of Students" stays the country.
        return GAZETTEER.country_code(cand.key) is None and not _is_state(cand.key)
    if abbreviation.kind == "clipped":
        return label == "ORG"  # "Fed" as spaCy knows it; never "Sam" the person
    return label in _COMPANY_SHORT_LABELS and cand.key not in blocked


def _person_names(found: list[Candidate], labels: dict[tuple[str, ...], str]) -> set[tuple[str, ...]]:
    """Keys a title ("Mr Ford") or a person's full name ("Henry Ford") makes a
    person's: they never stand for a company."""
    blocked = {c.key for c in found if c.context == "person"}
    for cand in found:
        if labels[cand.key] == "PERSON" and len(cand.key) > 1:
            blocked |= contiguous_parts(cand.key)
    return blocked


def _is_state(key: tuple[str, ...]) -> bool:
    return any(place.kind == "state" for _, place in GAZETTEER.places(key))


def _one_full_name(fulls: set[tuple[str, ...]]) -> tuple[str, ...] | None:
    """The full name a short form stands for: the only one, or the longest when the
    others begin it ("Ford Motor" and "Ford Motor Co")."""
    longest = max(fulls, key=lambda k: (len(k), k))
    if all(longest[: len(full)] == full for full in fulls):
        return longest
    return None


def _last_target(short: tuple[str, ...], targets: dict[tuple[str, ...], tuple[str, ...]]) -> tuple[str, ...]:
    """Follow a chain of short forms to the full name at its end."""
    seen = {short}
    full = targets[short]
    while full in targets and targets[full] not in seen:
        seen.add(full)
        full = targets[full]
    return full


def alias_candidates(
    doc: Doc,
    text: str,
    found: list[Candidate],
    labels: dict[tuple[str, ...], str],
    redirect: dict[tuple[str, ...], tuple[str, ...]],
) -> list[Candidate]:
    """New candidates for untagged occurrences of names the article already has.

    Args:
        doc: The parsed article.
        text: ``doc.text`` (rebuilt by spaCy on every access, so passed in).
        found: The candidates from spaCy's entities.
        labels: The label chosen for each name key.
        redirect: Short name key -> the key of the full name it stands for.

    Returns:
        One candidate per untagged occurrence, with the key (and so the entity) of
        the name it repeats; a form two different entities share is skipped.
    """
    forms = _forms(found, labels, redirect, text)
    if not forms:
        return []
    # Scan token hashes, not Token objects: making a Token per word costs more
    # than everything else here together.
    by_first: dict[int, list[_Form]] = defaultdict(list)
    for form in forms:
        by_first[get_string_id(form.words[0])].append(form)
    for options in by_first.values():
        options.sort(key=lambda f: -len(f.words))  # longest match first
    orths, lowers = doc.to_array([ORTH, IS_LOWER]).T.tolist()
    lower_words = frozenset(orth for orth, lower in zip(orths, lowers, strict=True) if lower)
    taken = [False] * len(doc)
    for ent in doc.ents:
        for i in range(ent.start, ent.end):
            taken[i] = True
    result: list[Candidate] = []
    i = 0
    while i < len(doc):
        here = () if taken[i] else by_first.get(orths[i], ())
        match = next((f for f in here if _matches(doc, i, f, taken, lower_words)), None)
        if match is None:
            i += 1
            continue
        tok, last = doc[i], doc[i + len(match.words) - 1]
        start, end = tok.idx, last.idx + len(last.text)
        title = title_before(tok) if match.label == "PERSON" else []
        title_text = text[title[0].idx : title[-1].idx + len(title[-1].text)] if title else None
        mention = Mention(text=text[start:end], start=start, end=end, title=title_text)
        result.append(Candidate(mention, match.label, match.name, match.key, None))
        i += len(match.words)
    return result


def _forms(
    found: list[Candidate],
    labels: dict[tuple[str, ...], str],
    redirect: dict[tuple[str, ...], tuple[str, ...]],
    text: str,
) -> list[_Form]:
    """Every known way of writing each name: its mentions as written, a person's
    surname, an organisation's head noun ("Observatory") and its abbreviations
    ("ECB", "the Fed", "Ford")."""
    forms: dict[tuple[str, ...], set[tuple[tuple[str, ...], str, str, bool]]] = defaultdict(set)
    # A tagged surname ("Rathbun") is the full name it is part of, when only one is.
    fulls: dict[tuple[str, ...], set[tuple[str, ...]]] = defaultdict(set)
    for cand in found:
        if labels[cand.key] == "PERSON" and len(cand.key) > 1:
            for part in contiguous_parts(cand.key):
                fulls[part].add(cand.key)
    for cand in found:
        label = labels[cand.key]
        if label not in _NAME_LABELS:
            continue
        key = redirect.get(cand.key, cand.key)
        if label == "PERSON" and len(fulls.get(key, ())) == 1:
            key = next(iter(fulls[key]))
        words = tuple(cand.mention.text.split())
        if words[0][:1].isupper():
            forms[words].add((key, label, cand.name, False))
        if label == "PERSON" and len(key) > 1 and len(words) > 1:
            forms[(words[-1],)].add((key, label, cand.name, False))
        elif label == "ORG" and len(words) > 1:
            head = _head_word(words)
            if head is not None:
                forms[(head,)].add((key, label, cand.name, True))
    blocked = _person_names(found, labels)
    acronym_forms: set[tuple[str, ...]] = set()
    for abbreviation in abbreviations(found, labels, text):
        if abbreviation.kind == "company" and name_key(abbreviation.written) in blocked:
            continue  # "Ford" beside "Henry Ford": not the company's short name
        words = tuple(abbreviation.written.split())
        key = redirect.get(abbreviation.full, abbreviation.full)
        forms[words].add((key, labels[abbreviation.full], abbreviation.name, abbreviation.kind == "clipped"))
        if abbreviation.kind in ("acronym", "defined"):
            acronym_forms.add(words)
    result = []
    for words, targets in forms.items():
        keys = {key for key, _, _, _ in targets}
        if len(keys) != 1:
            continue  # "Smith" of John and of Jane Smith: nobody in particular
        key, label, name, after_the = min(targets)
        result.append(_Form(words, key, label, name, after_the, acronym=words in acronym_forms))
    return result


def _head_word(words: tuple[str, ...]) -> str | None:
    """The noun an organisation's name is built on: the last capitalised word
    before its first lower-case word ("Observatory" in "Syrian Observatory for
    Human Rights"), or its last word ("Army" in "Syrian National Army").

    A city there is where the organisation is, not what it is ("Clinical Hospital
    Mostar", "UNC Greensboro", "City of Hayward"): the article's other "Mostar" is
    the city, so such a name has no head word.
    """
    head = None
    for word in words:
        if not word[:1].isupper():
            break
        head = word
    if head is None or len(head) < 3 or not head.isalpha() or head.isupper() or is_title_word(head):
        return None
    if any(place.kind == "city" for _, place in GAZETTEER.places((head.lower(),))):
        return None
    return head


def _matches(doc: Doc, i: int, form: _Form, taken: list[bool], lower_words: frozenset[int]) -> bool:
    """Whether ``form`` is written at token ``i`` as a name (not a common word)."""
    end = i + len(form.words)
    if end > len(doc) or any(taken[i:end]):
        return False
    if any(doc[i + k].text != word for k, word in enumerate(form.words)):
        return False
    after = doc[end] if end < len(doc) else None
    if after is not None and after.pos_ == "PROPN" and after.text[:1].isupper() and not is_title_word(after.text):
        return False  # part of a longer name ("Hama Road"); "ECB President" is not one
    before = doc[i - 1] if i > 0 else None
    if before is not None and before.text[:1].isupper():
        if is_title_word(before.text):
            # A title makes a person's name ("Mr Ford"), not a company's short name;
            # an acronym is no one's name ("Deputy IMF chief").
            if form.label != "PERSON" and not form.acronym:
                return False
        elif before.pos_ == "PROPN":
            return False  # part of a longer name
    first: Token = doc[i]
    if form.acronym:
        return _acronym_here(doc, i)
    if form.after_the:
        return before is not None and before.lower_ in _DETERMINERS
    if len(form.words) > 1 or first.pos_ == "PROPN":
        return True
    # The tagger calls an unknown surname a NOUN, mostly at a sentence's start
    # ("Rathbun requested"); a word the article also writes in lower case is a
    # common word there ("Hope is ...").
    return first.pos_ == "NOUN" and (not first.is_sent_start or first.lower not in lower_words)


def _acronym_here(doc: Doc, i: int) -> bool:
    """Whether the acronym-shaped word at ``i`` is an acronym, not a common word in
    capitals: never a two-letter stop word ("IT", "US" as in "us"), and not in a
    shouted line ("WHO WILL PAY", "WRITE TO US") where every word is in capitals."""
    token = doc[i]
    if token.is_stop and len(token) <= 2:
        return False
    for k in (i - 1, i + 1):
        if 0 <= k < len(doc) and doc[k].is_alpha and len(doc[k]) > 1 and doc[k].is_upper:
            return False
    return True
