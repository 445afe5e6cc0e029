"""Group an article's entity mentions into one ``Entity`` per real-world thing.

The front door of entity enrichment. spaCy tags each mention on its own; this
module settles things at document level, in order:

1. mentions are trimmed to the name as written, with the syntax around them
   (:mod:`~workers.nlp.mentions`), and names in a club, company or press role
   are found (:mod:`~workers.nlp.roles`);
2. the gazetteer places the names, disambiguated by the countries the article is
   about (:mod:`~workers.nlp.geo`);
3. every name gets one label from all of its mentions (:mod:`~workers.nlp.labels`);
4. an organisation's short forms (its acronym, "the Fed", "Ford" of "Ford Motor
   Co") take its label, and untagged repetitions and short forms of known names
   become mentions too (:mod:`~workers.nlp.aliases`);
5. mentions are grouped: same canonical name, a surname into its full name, an
   organisation's short form into its full name, dates by the day they name;
6. each entity gets its salience, its place (GPE, LOC, FAC) and its ISO date.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date

from spacy.tokens import Doc, Span

from workers.ids import entity_id
from workers.models import Entity, Mention
from workers.nlp.aliases import alias_candidates, short_form_targets
from workers.nlp.dates import normalise_date, parse_published
from workers.nlp.doctext import doc_text
from workers.nlp.gazetteer import Place
from workers.nlp.geo import article_countries, locate, to_geo
from workers.nlp.labels import contiguous_parts, resolve_labels
from workers.nlp.mentions import NUMERIC_LABELS, TEMPORAL_LABELS, Candidate, candidates
from workers.nlp.roles import find_roles, role_candidates
from workers.nlp.salience import salience_scores
from workers.timing import StageTimer, no_timing

__all__ = ["NUMERIC_LABELS", "group_entities"]

_GEOCODED_LABELS = frozenset({"GPE", "LOC", "FAC"})
_FUTURE_AUXILIARIES = frozenset({"will", "wo", "shall", "'ll"})
#: Contexts that make one mention of a club's name the place ("a match in Leeds").
_PLACE_CONTEXTS = frozenset({"place", "locality", "locative"})
_PersonTargets = dict[tuple[str, ...], list[tuple[tuple[str, ...], list[int]]]]


def group_entities(
    doc: Doc,
    *,
    title: str | None = None,
    published_at: str | None = None,
    timer: StageTimer = no_timing,
) -> list[Entity]:
    """Group the mentions in ``doc.ents`` into one entity per real-world thing.

    Args:
        doc: A parsed document with named entities.
        title: The headline, for salience.
        published_at: The publication date, to turn relative dates into ISO ones.
        timer: Times the gazetteer lookups as the ``geo`` stage.

    Returns:
        Entities sorted by their first mention, each with its mentions sorted by
        start; numeric entity types are left out.
    """
    text = doc_text(doc)
    found = role_candidates(candidates(doc, text), find_roles(text), text)
    with timer("geo"):
        countries = article_countries(c.key for c in found)
        places = {key: locate(key, countries) for key in {c.key for c in found}}
    labels = resolve_labels(found, places)
    redirect = short_form_targets(found, labels, text)
    labels.update({short: labels[full] for short, full in redirect.items()})  # "Dell" is Dell Inc.'s ORG
    found += alias_candidates(doc, text, found, labels, redirect)
    dates = _date_values(doc, found, labels, parse_published(published_at))
    person_targets = _person_targets(found, labels)
    clubs = {c.key for c in found if c.context == "club"}
    groups: dict[tuple[str, tuple[str, ...]], list[Candidate]] = defaultdict(list)
    for cand in found:
        key = redirect.get(cand.key, cand.key)
        label = _mention_label(cand, labels[key])  # a short form takes its full name's label
        if key in clubs and cand.context in _PLACE_CONTEXTS:
            label = "GPE"  # "fans in Leeds" beside "Leeds beat Chelsea": the city
        if label == "PERSON":
            key = _full_name_for(cand, person_targets)
        elif cand.mention.start in dates:
            key = ("@date", dates[cand.mention.start])
        groups[(label, key)].append(cand)
    localities = {c.key for c in found if c.context == "locality"}
    entities = [_entity(label, key, members, places, localities) for (label, key), members in groups.items()]
    entities = _merge_same_ids(entities)
    entities.sort(key=lambda e: (_mention_order(e.mentions[0]), e.id))
    scores = salience_scores(entities, text_length=len(text), title=title)
    return [_with_salience(e, s) for e, s in zip(entities, scores, strict=True)]


def _entity(
    label: str,
    key: tuple[str, ...],
    members: list[Candidate],
    places: dict[tuple[str, ...], Place | None],
    localities: set[tuple[str, ...]],
) -> Entity:
    name = _display_name(members)
    date = key[1] if key[:1] == ("@date",) else None
    place = None
    if label in _GEOCODED_LABELS and not any(c.key in localities for c in members):
        place = places.get(key)  # a neighbourhood is never the town of the same name
    return Entity(
        id=entity_id(label, date or name),
        name=name,
        label=label,
        mentions=tuple(sorted({m.mention for m in members}, key=_mention_order)),
        geo=to_geo(place) if place is not None else None,
        date=date,
    )


def _merge_same_ids(entities: list[Entity]) -> list[Entity]:
    """Two groups whose names give one id ("Hama" and "HAMA") are one entity."""
    by_id: dict[str, list[Entity]] = defaultdict(list)
    for entity in entities:
        by_id[entity.id].append(entity)
    merged = []
    for same in by_id.values():
        first = same[0]
        if len(same) > 1:
            mentions = {m for e in same for m in e.mentions}
            first = Entity(
                first.id,
                first.name,
                first.label,
                tuple(sorted(mentions, key=_mention_order)),
                geo=next((e.geo for e in same if e.geo), None),
                date=first.date,
            )
        merged.append(first)
    return merged


def _with_salience(entity: Entity, score: float) -> Entity:
    return Entity(
        entity.id, entity.name, entity.label, entity.mentions, salience=score, geo=entity.geo, date=entity.date
    )


def _mention_order(mention: Mention) -> tuple[int, int]:
    return (mention.start, mention.end)


def _date_values(
    doc: Doc, found: Sequence[Candidate], labels: dict[tuple[str, ...], str], published: date | None
) -> dict[int, str]:
    """Mention start -> ISO date, for every DATE mention that names a day, month or year."""
    values: dict[int, str] = {}
    for cand in found:
        if _mention_label(cand, labels[cand.key]) != "DATE":
            continue
        span = doc.char_span(cand.mention.start, cand.mention.end, alignment_mode="expand")
        value = normalise_date(cand.mention.text, published, future=span is not None and _is_future(span))
        if value is not None:
            values[cand.mention.start] = value
    return values


def _mention_label(cand: Candidate, name_label: str) -> str:
    """The label of one mention: its name's, unless that is a date or a time and spaCy
    called this mention a name. Times are mostly common words ("at night", "for
    years"), so their votes say nothing about a name written with the same words:
    a sentence-opening "Night" that spaCy called a title stays one. The other way
    round the votes hold: a name spaCy once took for a date ("Armistice Day") is the
    name its other mentions say it is."""
    if name_label in TEMPORAL_LABELS and cand.label not in TEMPORAL_LABELS:
        return cand.label
    return name_label


def _is_future(span: Span) -> bool:
    """Whether the clause a date belongs to speaks of the future ("will meet on Thursday")."""
    verb = span.root.head
    for _ in range(3):  # the date's verb is near: "on" -> verb, or the verb itself
        if verb.pos_ in ("VERB", "AUX"):
            return any(c.dep_ == "aux" and c.lower_ in _FUTURE_AUXILIARIES for c in verb.children)
        if verb.head is verb:
            break
        verb = verb.head
    return False


def _person_targets(candidates: list[Candidate], labels: dict[tuple[str, ...], str]) -> _PersonTargets:
    """For each partial person name, the full names it may belong to.

    Returns:
        Partial key -> [(full key, sorted starts of the full name's mentions)], only
        for full names not themselves part of a longer person name.
    """
    starts: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for cand in candidates:
        if labels[cand.key] == "PERSON":
            starts[cand.key].append(cand.mention.start)
    parts = {key: contiguous_parts(key) for key in starts if len(key) > 1}
    contained = set().union(*parts.values())
    maximal = [k for k in parts if k not in contained]
    targets: _PersonTargets = defaultdict(list)
    for full in sorted(maximal):
        for part in parts[full]:
            if part in starts:
                targets[part].append((full, sorted(starts[full])))
    return targets


def _full_name_for(cand: Candidate, targets: _PersonTargets) -> tuple[str, ...]:
    """The key of the person ``cand`` names: its own, or the full name it abbreviates.

    With two candidate full names ("Smith" beside "John Smith" and "Jane Smith") the
    one mentioned most recently before ``cand`` wins, else the first one mentioned.
    """
    options = targets.get(cand.key)
    if not options:
        return cand.key
    at = cand.mention.start

    def recency(option: tuple[tuple[str, ...], list[int]]) -> tuple[int, int, tuple[str, ...]]:
        full, starts = option
        before = bisect_left(starts, at)
        if before:
            return (0, at - starts[before - 1], full)
        return (1, starts[0], full)

    return min(options, key=recency)[0]


def _display_name(members: list[Candidate]) -> str:
    """The name to show: the most frequent spelling, preferring full (multi-word) names.

    Preferring full names turns "Assad" x6 + "Bashar Assad" x1 into "Bashar Assad";
    among full names frequency wins, so a one-off longer spelling swallowed from a
    caption ("Ahmed Mohamed Image") does not replace the usual "Ahmed Mohamed".
    """
    spellings = Counter(c.name for c in members)
    first_seen: dict[str, int] = {}
    for cand in sorted(members, key=lambda c: c.mention.start):
        first_seen.setdefault(cand.name, cand.mention.start)
    return min(
        spellings,
        key=lambda n: (len(n.split()) == 1, -spellings[n], -len(n), first_seen[n]),
    )
