"""An article body with its entity mentions highlighted, by displaCy in manual mode.

displaCy renders spans from character offsets (no re-parse). Its manual renderer
escapes the text (body and span text go through ``spacy.util.escape_html``), but not
the label, the template parameters, nor a ``kb_url``; so labels are checked against
the schema's set, our own parameters are escaped here, and no ``kb_url`` is passed.
Its wrapper ``<div>`` carries an inline ``style`` that our Content-Security-Policy
would block: it is replaced by a class (colours come from :func:`label_css`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape
from spacy.displacy.render import DEFAULT_ENTITY_COLOR, DEFAULT_LABEL_COLORS, EntityRenderer
from spacy.displacy.templates import TPL_ENTS

from workers.web.exceptions import UnsafeRendering
from workers.web.source import StoredMention

__all__ = ["LABELS", "Highlighted", "highlight_mentions", "label_css"]

#: Entity labels of the event schema (``common.v1.json#/$defs/entity``).
LABELS = (
    "PERSON",
    "NORP",
    "FAC",
    "ORG",
    "GPE",
    "LOC",
    "PRODUCT",
    "EVENT",
    "WORK_OF_ART",
    "LAW",
    "LANGUAGE",
    "DATE",
    "TIME",
)

_ENTITY_ID = re.compile(r"^[a-z_]+:[a-z0-9-]+$")

# One mark per mention; {text} is escaped by displaCy, {label} is one of LABELS,
# {href} and {entity_id} are escaped by highlight_mentions.
_TEMPLATE = (
    '<mark class="entity ent-{label}" data-entity="{entity_id}">'
    '<a href="{href}">{text}</a><span class="entity-label">{label}</span></mark>'
)

_DIRECTION = "ltr"
_WRAP_OPEN, _WRAP_CLOSE = TPL_ENTS.format(content="\0", dir=_DIRECTION).split("\0")


@dataclass(frozen=True)
class Highlighted:
    """A body rendered with its mentions, and the mentions that could not be marked.

    Attributes:
        html: safe markup; every character of the body escaped, newlines as ``<br>``.
        skipped: ``[E922]`` messages, one per mention left unmarked (its text is still
            shown, as plain text).
    """

    html: Markup
    skipped: tuple[str, ...] = ()


def highlight_mentions(body: str, mentions: Sequence[StoredMention], entity_href: str) -> Highlighted:
    """The body as HTML with one ``<mark>`` per mention, linked to its entity's page.

    A mention that cannot be marked safely (offsets that do not quote the body, an
    overlap with the mention before it, a label or entity id the schema does not allow)
    is left unmarked and reported in :attr:`Highlighted.skipped`: one bad row never
    keeps an article from being read.

    Args:
        body: the article body as received (untrusted).
        mentions: the article's mentions; offsets are code points into ``body``.
        entity_href: the entity page's URL with ``{id}`` for the entity id.

    Raises:
        UnsafeRendering: this spaCy's displaCy wraps its output differently ([E923]).
    """
    spans = []
    skipped = []
    previous_end = 0
    for mention in sorted(mentions, key=lambda m: (m.start, m.end)):
        problem = _problem(body, mention, previous_end)
        if problem is not None:
            skipped.append(problem)
            continue
        previous_end = mention.end
        spans.append(
            {
                "start": mention.start,
                "end": mention.end,
                "label": mention.label,
                "params": {
                    "entity_id": escape(mention.entity_id),
                    "href": escape(entity_href.format(id=mention.entity_id)),
                },
            }
        )
    renderer = EntityRenderer({"template": _TEMPLATE})
    html = renderer.render([{"text": body, "ents": spans, "settings": {"dir": _DIRECTION}}])
    if not (html.startswith(_WRAP_OPEN) and html.endswith(_WRAP_CLOSE)):
        raise UnsafeRendering(
            "[E923] displaCy's wrapper changed: update workers/web/highlight.py for this spaCy version"
        )
    inner = html[len(_WRAP_OPEN) : len(html) - len(_WRAP_CLOSE)]
    # every part is escaped: the text by displaCy, our parameters above, labels checked
    return Highlighted(Markup(f'<div class="entities">{inner}</div>'), tuple(skipped))


def _problem(body: str, mention: StoredMention, previous_end: int) -> str | None:
    where = f"[E922] mention {mention.text!r} at {mention.start}-{mention.end} of entity {mention.entity_id!r}"
    if mention.label not in LABELS:
        return f"{where}: label {mention.label!r} is not an entity label of the schema"
    if not _ENTITY_ID.match(mention.entity_id):
        return f"{where}: the entity id does not match {_ENTITY_ID.pattern}"
    if not 0 <= mention.start < mention.end <= len(body) or body[mention.start : mention.end] != mention.text:
        return f"{where}: the offsets do not quote the body (the stored article is inconsistent)"
    if mention.start < previous_end:
        return f"{where}: overlaps the mention before it"
    return None


def label_css() -> str:
    """CSS giving each label displaCy's colour (served as a stylesheet, not inline)."""
    rules = [f".entity {{ background: {DEFAULT_ENTITY_COLOR}; }}"]
    for label in LABELS:
        colour = DEFAULT_LABEL_COLORS.get(label, DEFAULT_ENTITY_COLOR)
        rules.append(f".ent-{label} {{ background: {colour}; }}")
    return "\n".join(rules) + "\n"
