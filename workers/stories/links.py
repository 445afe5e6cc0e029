"""Claims of one story that state the same thing: who corroborates, who contradicts.

Two claims are linked when different claimants make them about the same proposition.
"The same proposition" is read from the contents alone: their TF-IDF cosine
(:mod:`workers.stories.text`) above ``same_threshold``, or above ``shared_threshold``
when the contents also name a common entity that is not one of the story's topic
(every claim of a story about a singer names the singer). The link is:

- ``contradicts`` when their polarities differ: one denies (stance ``deny``) what the
  other asserts or confirms, or one content negates ("not", "never", "no") what the
  other states (a denial of a negation asserts; two negations in one sentence cancel:
  "there is no village we have not reached");
- ``corroborates`` when their polarities agree.

Claims without a named claimant are never linked (nobody to set against whom), a
claimant is never linked with itself, and a claim links with at most one claim of each
other claimant (its most similar), so copies and repetitions do not multiply links.
The evidence travels with the link: the cosine and the entities both contents name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from workers.stories.article import StoryClaim

__all__ = ["ClaimLink", "LinkKind", "link", "polarity"]

LinkKind = Literal["contradicts", "corroborates"]

_SENTENCE_END: Final = re.compile(r"[.!?;]+\s+")
_NEGATION: Final = re.compile(r"\b(?:not|no|never|none|neither|nor|nobody|nothing)\b|n['\u2019]t\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ClaimLink:
    """Two claims about one proposition, by different claimants."""

    kind: LinkKind
    claim: StoryClaim
    other: StoryClaim
    similarity: float
    shared_entities: tuple[str, ...]
    #: The proposition both claims state, named by the first claim of the story that
    #: stated it (the assigner sets it: a claim linked to a claim of an existing
    #: proposition joins that proposition).
    proposition: str = ""


def polarity(claim: StoryClaim) -> int:
    """+1 when the claim holds its content true, -1 when it holds it false.

    A content negates when one of its sentences holds an odd number of negations: two
    in one sentence cancel ("there is no village we have not reached" asserts).
    """
    sign = -1 if claim.stance == "deny" else 1
    negates = any(len(_NEGATION.findall(sentence)) % 2 for sentence in _SENTENCE_END.split(claim.content))
    return -sign if negates else sign


def link(
    claim: StoryClaim,
    others: Sequence[StoryClaim],
    similarities: Sequence[float],
    *,
    same_threshold: float,
    shared_threshold: float,
    names: Mapping[str, str] | None = None,
    topic: frozenset[str] = frozenset(),
) -> list[ClaimLink]:
    """The links of ``claim`` with ``others``, given the cosine of its content with each
    (``similarities[i]`` for ``others[i]``): at most one per other claimant, the most
    similar of that claimant's claims, so that a claimant repeating itself (or a copy of
    an article) does not multiply the links.

    Args:
        same_threshold: least content cosine of one proposition.
        shared_threshold: least content cosine when the contents share an entity.
        names: display names of entity ids, for the evidence (ids where missing).
        topic: entities the whole story is about: naming one of them is no sign that
            two contents state one proposition, so they do not count as shared.
    """
    if claim.claimant is None:
        return []
    best: dict[str, tuple[float, StoryClaim]] = {}
    for other, similarity in zip(others, similarities, strict=True):
        if other.claimant is None or other.claimant == claim.claimant or other.id == claim.id:
            continue
        if similarity < same_threshold and not (
            similarity >= shared_threshold and (claim.entities & other.entities) - topic
        ):
            continue
        if other.claimant not in best or similarity > best[other.claimant][0]:
            best[other.claimant] = (similarity, other)
    links = []
    for similarity, other in best.values():
        kind: LinkKind = "corroborates" if polarity(claim) == polarity(other) else "contradicts"
        evidence = tuple(sorted((names or {}).get(e, e) for e in (claim.entities & other.entities) - topic))
        links.append(ClaimLink(kind, claim, other, round(float(similarity), 4), evidence))
    return links
