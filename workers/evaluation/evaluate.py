"""Run every system on every gold set and score the predictions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from workers.evaluation.gold import GoldSet
from workers.evaluation.schemes import LabelledSpan, project
from workers.evaluation.scoring import ClaimScores, Counts, score_claims, score_entities
from workers.evaluation.systems import System

__all__ = ["DEFAULT_THRESHOLDS", "ClaimResult", "EntityResult", "Evaluation", "GoldSummary", "evaluate"]

#: Overlap thresholds of the SFU Gender Gap Tracker's evaluation.
DEFAULT_THRESHOLDS: Final = (0.3, 0.8)


@dataclass(frozen=True, slots=True)
class GoldSummary:
    """What one gold set holds."""

    name: str
    scheme: str
    documents: int
    entities: int
    claims: int


@dataclass(frozen=True, slots=True)
class EntityResult:
    """Entity scores of one system on one gold set: "overall" and per label."""

    gold: str
    system: str
    counts: dict[str, Counts]


@dataclass(frozen=True, slots=True)
class ClaimResult:
    """Claim scores of one system on one gold set at one threshold."""

    gold: str
    system: str
    note: str
    threshold: float
    scores: ClaimScores


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Everything ``newsflow eval`` reports."""

    golds: tuple[GoldSummary, ...]
    entities: tuple[EntityResult, ...]
    claims: tuple[ClaimResult, ...]


def evaluate(
    gold_sets: Sequence[GoldSet], systems: Sequence[System], thresholds: Sequence[float] = DEFAULT_THRESHOLDS
) -> Evaluation:
    """Score each system on each gold set (entities where the gold has them, claims
    where it has them, at each threshold)."""
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
                entity_results.append(EntityResult(gold.name, system.name, score_entities(pairs)))
            with_claims = [
                (d.claims or (), o.claims) for d, o in zip(docs, outputs, strict=True) if d.claims is not None
            ]
            if with_claims:
                for threshold in thresholds:
                    claim_results.append(
                        ClaimResult(
                            gold.name, system.name, system.claims_note, threshold, score_claims(with_claims, threshold)
                        )
                    )
    return Evaluation(tuple(golds), tuple(entity_results), tuple(claim_results))
