"""How central each entity is to its article, from 0 to 1.

Three signals that news writing makes reliable: how often the thing is mentioned
(relative to the most mentioned thing of the article), how early it first appears
(the lead names what the story is about), and whether the headline names it. The
weights favour frequency; a thing in the headline and the first line that is also
the most mentioned scores 1.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from workers.models import Entity

__all__ = ["salience_scores"]

_FREQUENCY: Final = 0.5
_POSITION: Final = 0.3
_HEADLINE: Final = 0.2


def salience_scores(entities: Sequence[Entity], *, text_length: int, title: str | None) -> list[float]:
    """One score per entity, in order, rounded to three decimals.

    Args:
        entities: The article's entities (mentions sorted by start).
        text_length: Length of the body, to place the first mention.
        title: The headline, if the article has one.
    """
    if not entities:
        return []
    most = max(len(e.mentions) for e in entities)
    headline = _headline_words(title)
    scores = []
    for entity in entities:
        frequency = len(entity.mentions) / most
        position = 1.0 - entity.mentions[0].start / max(text_length, 1)
        named = _in_headline(entity, headline, title or "")
        score = _FREQUENCY * frequency + _POSITION * position + _HEADLINE * named
        scores.append(round(min(max(score, 0.0), 1.0), 3))
    return scores


_WORDS: Final = re.compile(r"\w+")


def _headline_words(title: str | None) -> frozenset[str]:
    return frozenset(_WORDS.findall(title)) if title else frozenset()


def _in_headline(entity: Entity, words: frozenset[str], title: str) -> bool:
    """Whether the headline names the entity: any mention's text as written, or a
    person's surname ("Assad" in "Assad flees")."""
    if not words:
        return False
    forms = {m.text for m in entity.mentions} | {entity.name}
    if entity.label == "PERSON":
        forms.add(entity.name.split()[-1])
    for form in forms:
        parts = _WORDS.findall(form)
        if len(parts) == 1 and parts[0] in words:
            return True
        if len(parts) > 1 and all(p in words for p in parts) and _contains_phrase(title, form):
            return True
    return False


def _contains_phrase(title: str, phrase: str) -> bool:
    """Whether ``phrase`` occurs in ``title`` as whole words."""
    at = title.find(phrase)
    while at >= 0:
        end = at + len(phrase)
        if (at == 0 or not title[at - 1].isalnum()) and (end == len(title) or not title[end].isalnum()):
            return True
        at = title.find(phrase, at + 1)
    return False
