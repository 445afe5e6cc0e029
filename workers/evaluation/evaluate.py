"""Run every system on every gold set and score the predictions.

A set whose gold marks some claims ``broad`` is scored on claims twice: ``narrow``
(the broad claims removed from the gold, and the claims a system marks broad removed
from its predictions) and ``broad`` (every gold claim and every prediction). A set
with no broad claim follows the narrow scheme and is scored once, variant ``all``,
also without the predictions marked broad.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

from workers.evaluation.gold import GoldClaim, GoldSet
from workers.evaluation.manifest import Status
from workers.evaluation.schemes import LabelledSpan, project
from workers.evaluation.scoring import ClaimScores, Counts, PredictedClaim, score_claims, score_entities

if TYPE_CHECKING:  # the systems load spaCy, the story runs scikit-learn; only their types are needed here
    from workers.evaluation.story_runs import StoryResult
    from workers.evaluation.systems import System

__all__ = [
    "DEFAULT_THRESHOLDS",
    "ClaimResult",
    "ClaimVariant",
    "EntityResult",
    "Evaluation",
    "GoldSummary",
    "claim_variants",
    "evaluate",
]

#: Overlap thresholds of the SFU Gender Gap Tracker's evaluation.
DEFAULT_THRESHOLDS: Final = (0.3, 0.8)

#: Which gold claims a claim score counts: without the broad ones, all of them, or
#: all of them in a set that marks none broad.
ClaimVariant = Literal["narrow", "broad", "all"]


@dataclass(frozen=True, slots=True)
class GoldSummary:
    """What one gold set holds, and its status in the manifest."""

    name: str
    scheme: str
    documents: int
    entities: int
    claims: int
    status: Status = "unlabelled"
    why: str = ""
    #: Claims only the broad definition counts (included in ``claims``).
    broad_claims: int = 0


@dataclass(frozen=True, slots=True)
class EntityResult:
    """Entity scores of one system on one gold set: "overall" and per label."""

    gold: str
    system: str
    counts: dict[str, Counts]
    status: Status = "unlabelled"


@dataclass(frozen=True, slots=True)
class ClaimResult:
    """Claim scores of one system on one gold set at one threshold."""

    gold: str
    system: str
    note: str
    threshold: float
    scores: ClaimScores
    variant: ClaimVariant = "all"
    status: Status = "unlabelled"
    #: The claim kinds the system can emit (a kind outside it has no precision).
    claim_kinds: frozenset[str] = frozenset()
    #: A narrow view's gold scored against every prediction, those the system marks
    #: broad too: what it finds but a consumer of narrow claims drops. None for broad.
    with_broad: ClaimScores | None = None


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Everything ``newsflow eval`` reports."""

    golds: tuple[GoldSummary, ...]
    entities: tuple[EntityResult, ...]
    claims: tuple[ClaimResult, ...]
    #: The story sets' results (:mod:`workers.evaluation.story_runs`).
    stories: tuple[StoryResult, ...] = ()


def evaluate(
    gold_sets: Sequence[GoldSet], systems: Sequence[System], thresholds: Sequence[float] = DEFAULT_THRESHOLDS
) -> Evaluation:
    """Score each system on each gold set (entities where the gold has them, claims
    where it has them, in each variant, at each threshold)."""
    golds, entity_results, claim_results = [], [], []
    for gold in gold_sets:
        docs = gold.documents
        golds.append(
            GoldSummary(
                gold.name,
                gold.scheme,
                len(docs),
                sum(len(d.entities or ()) for d in docs),
                sum(len(d.claims or ()) for d in docs),
                gold.status,
                gold.why,
                sum(c.broad for d in docs for c in d.claims or ()),
            )
        )
        for system in systems:
            outputs = system.predict(docs)
            with_entities = [(d, o) for d, o in zip(docs, outputs, strict=True) if d.entities is not None]
            if with_entities:
                pairs = [
                    (
                        project(
                            (LabelledSpan(e.start, e.end, e.label) for e in d.entities or ()),
                            gold.scheme,
                            d.text,
                            gold=True,
                        ),
                        project(o.entities, gold.scheme, d.text),
                    )
                    for d, o in with_entities
                ]
                entity_results.append(EntityResult(gold.name, system.name, score_entities(pairs), gold.status))
            with_claims = [
                (d.claims or (), o.claims) for d, o in zip(docs, outputs, strict=True) if d.claims is not None
            ]
            if not with_claims:
                continue
            for variant, keep in claim_variants([c for claims, _ in with_claims for c in claims]):
                documents = [
                    (tuple(c for c in claims if keep(c)), predicted_in(variant, predicted))
                    for claims, predicted in with_claims
                ]
                every_prediction = [
                    (tuple(c for c in claims if keep(c)), predicted) for claims, predicted in with_claims
                ]
                for threshold in thresholds:
                    claim_results.append(
                        ClaimResult(
                            gold.name,
                            system.name,
                            system.claims_note,
                            threshold,
                            score_claims(documents, threshold),
                            variant,
                            gold.status,
                            system.claim_kinds,
                            None if variant == "broad" else score_claims(every_prediction, threshold),
                        )
                    )
    return Evaluation(tuple(golds), tuple(entity_results), tuple(claim_results))


def predicted_in(variant: ClaimVariant, predicted: tuple[PredictedClaim, ...]) -> tuple[PredictedClaim, ...]:
    """The predictions a variant scores: a narrow view (``narrow``, or ``all`` in a set
    that marks no claim broad, so follows the narrow scheme) leaves out the claims the
    system itself marks broad, as a consumer of narrow claims would; ``broad`` keeps
    every one."""
    if variant == "broad":
        return predicted
    return tuple(c for c in predicted if not c.broad)


def claim_variants(claims: Sequence[GoldClaim]) -> list[tuple[ClaimVariant, Callable[[GoldClaim], bool]]]:
    """The variants to score ``claims`` in, each with the test a gold claim must pass
    to count: narrow and broad when some claim is broad, else all."""
    if any(c.broad for c in claims):
        return [("narrow", lambda c: not c.broad), ("broad", lambda c: True)]
    return [("all", lambda c: True)]
