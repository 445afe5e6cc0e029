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

Claims without a named claimant are never linked (nobody to set against whom), and a
claimant is never linked with itself. The evidence travels with the link: the cosine
and the entities both contents name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from scipy import sparse

from workers.stories.article import StoryClaim
from workers.stories.text import cosine

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
    vector: sparse.csr_matrix,
    others: Iterable[tuple[StoryClaim, sparse.csr_matrix]],
    *,
    same_threshold: float,
    shared_threshold: float,
    names: Mapping[str, str] | None = None,
    topic: frozenset[str] = frozenset(),
) -> list[ClaimLink]:
    """The links of ``claim`` (its content's TF-IDF ``vector``) with each of ``others``.

    Args:
        same_threshold: least content cosine of one proposition.
        shared_threshold: least content cosine when the contents share an entity.
        names: display names of entity ids, for the evidence (ids where missing).
        topic: entities the whole story is about: naming one of them is no sign that
            two contents state one proposition, so they do not count as shared.
    """
    if claim.claimant is None:
        return []
    links = []
    for other, other_vector in others:
        if other.claimant is None or other.claimant == claim.claimant or other.id == claim.id:
            continue
        similarity = cosine(vector, other_vector)
        shared = (claim.entities & other.entities) - topic
        if similarity < same_threshold and not (shared and similarity >= shared_threshold):
            continue
        kind: LinkKind = "corroborates" if polarity(claim) == polarity(other) else "contradicts"
        evidence = tuple(sorted((names or {}).get(e, e) for e in shared))
        links.append(ClaimLink(kind, claim, other, round(similarity, 4), evidence))
    return links
