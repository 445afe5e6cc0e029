"""Precision, recall and F1 of entities and claims against gold.

Entities: exact span and label, overall and per label (micro-averaged over
documents).

Claims are matched the way the SFU Gender Gap Tracker evaluates its quote extractor
(Asr et al. 2021): a gold claim matches the predicted claim whose content span
covers the largest share of it, |gold ∩ predicted| / |gold|, when that share is
above a threshold; each prediction matches at most one gold claim (pairs are taken
greedily, largest share first). For the matched pairs we also report how many have
the right claimant, cue and stance:

- claimant: both absent; or the spans overlap and the names agree after
  resolution: the gold ``claimant_resolved`` (else its text) and the prediction's
  resolved name (its entity's name, else its text) are equal once folded, or one
  contains the other as a run of whole words ("Syrian Observatory for Human
  Rights" in "The Britain-based Syrian Observatory for Human Rights");
- cue: the same span;
- stance: the same stance (only where the gold gives one);
- kind: the same kind (direct, indirect, mixed, belief).

By kind: every claim is matched as above, whatever its kind; then recall of a kind
is the share of gold claims of that kind that were matched (to a prediction of any
kind), and precision of a kind the share of predicted claims of that kind that were
matched (to a gold claim of any kind). So a kind the system never emits (the
pipeline has no ``belief``) still has a recall: how many such claims it finds under
another kind; its precision is undefined.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from workers.evaluation.gold import GoldClaim
from workers.evaluation.schemes import LabelledSpan
from workers.nlp.names import name_key

__all__ = [
    "UNSPECIFIED_KIND",
    "ClaimScores",
    "Counts",
    "KindCounts",
    "PredictedClaim",
    "match_claims",
    "score_claims",
    "score_entities",
]

OVERALL = "overall"
#: The kind of a claim whose gold or system gives none.
UNSPECIFIED_KIND = "unspecified"


@dataclass(slots=True)
class Counts:
    """True positives, predictions and gold items; precision, recall and F1 from them."""

    tp: int = 0
    predicted: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class PredictedClaim:
    """A system's claim as scored: offsets, the claimant's resolved name, stance and
    kind (in the gold's terms)."""

    content: tuple[int, int]
    cue: tuple[int, int]
    claimant: tuple[int, int] | None
    claimant_resolved: str | None
    stance: str | None
    kind: str | None = None
    #: The system marks it as a claim only a broad attribution scheme counts.
    broad: bool = False


@dataclass(slots=True)
class KindCounts:
    """Gold and predicted claims of one kind, and how many of each were matched.

    Matching ignores kind, so the two matched counts differ when a gold claim of one
    kind is matched by a prediction of another.
    """

    gold: int = 0
    predicted: int = 0
    #: Gold claims of this kind matched by a prediction (of any kind).
    gold_matched: int = 0
    #: Predicted claims of this kind matched to a gold claim (of any kind).
    predicted_matched: int = 0
    #: Gold claims of this kind matched by a prediction of the same kind.
    same_kind: int = 0

    @property
    def precision(self) -> float | None:
        """Matched share of the predictions of this kind; ``None`` when there are none."""
        return self.predicted_matched / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        """Matched share of the gold claims of this kind; ``None`` when there are none."""
        return self.gold_matched / self.gold if self.gold else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(slots=True)
class ClaimScores:
    """Matching counts, and how many matches got each attribute right."""

    counts: Counts = field(default_factory=Counts)
    claimant_right: int = 0
    cue_right: int = 0
    stance_right: int = 0
    #: Matches whose gold gives a stance (the denominator of ``stance_right``).
    stance_judged: int = 0
    kind_right: int = 0
    #: Matches whose gold gives a kind (the denominator of ``kind_right``).
    kind_judged: int = 0
    by_kind: dict[str, KindCounts] = field(default_factory=dict)
    #: Gold claims (``gold``) and matched ones (``tp``) by the construction that
    #: attributes them (:mod:`workers.evaluation.constructions`); ``predicted`` unused.
    by_construction: dict[str, Counts] = field(default_factory=dict)

    def share(self, right: int, of: int | None = None) -> float:
        """``right`` as a share of the matches (or of ``of``)."""
        total = self.counts.tp if of is None else of
        return right / total if total else 0.0


def score_entities(
    documents: Iterable[tuple[set[LabelledSpan], set[LabelledSpan]]],
) -> dict[str, Counts]:
    """Exact span+label counts over (gold, predicted) pairs of documents.

    Returns:
        "overall" and one entry per label seen in gold or predictions.
    """
    counts: dict[str, Counts] = defaultdict(Counts)
    for gold, predicted in documents:
        for span in gold:
            counts[span.label].gold += 1
            counts[OVERALL].gold += 1
        for span in predicted:
            counts[span.label].predicted += 1
            counts[OVERALL].predicted += 1
            if span in gold:
                counts[span.label].tp += 1
                counts[OVERALL].tp += 1
    counts.setdefault(OVERALL, Counts())
    return dict(counts)


def match_claims(
    gold: Sequence[GoldClaim], predicted: Sequence[PredictedClaim], threshold: float
) -> list[tuple[int, int]]:
    """One-to-one matches (gold index, predicted index) whose overlap share is above
    ``threshold``, taken greedily by largest share (ties: document order)."""
    pairs: list[tuple[float, int, int]] = []
    for g, claim in enumerate(gold):
        length = claim.content.end - claim.content.start
        for p, pred in enumerate(predicted):
            overlap = min(claim.content.end, pred.content[1]) - max(claim.content.start, pred.content[0])
            if overlap > 0 and length > 0 and overlap / length > threshold:
                pairs.append((overlap / length, g, p))
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    matches = []
    for _, g, p in pairs:
        if g not in used_gold and p not in used_pred:
            used_gold.add(g)
            used_pred.add(p)
            matches.append((g, p))
    return sorted(matches)


def score_claims(
    documents: Iterable[tuple[Sequence[GoldClaim], Sequence[PredictedClaim]]], threshold: float
) -> ClaimScores:
    """Claim matching counts and attribute accuracy over (gold, predicted) pairs."""
    scores = ClaimScores()
    by_kind: dict[str, KindCounts] = defaultdict(KindCounts)
    by_construction: dict[str, Counts] = defaultdict(Counts)
    for gold, predicted in documents:
        scores.counts.gold += len(gold)
        scores.counts.predicted += len(predicted)
        for gold_claim in gold:
            by_kind[gold_claim.kind or UNSPECIFIED_KIND].gold += 1
            by_construction[gold_claim.construction].gold += 1
        for pred in predicted:
            by_kind[pred.kind or UNSPECIFIED_KIND].predicted += 1
        for g, p in match_claims(gold, predicted, threshold):
            scores.counts.tp += 1
            gold_claim, pred = gold[g], predicted[p]
            by_construction[gold_claim.construction].tp += 1
            scores.claimant_right += claimant_is_right(gold_claim, pred)
            scores.cue_right += (gold_claim.cue.start, gold_claim.cue.end) == pred.cue
            if gold_claim.stance is not None:
                scores.stance_judged += 1
                scores.stance_right += gold_claim.stance == pred.stance
            gold_kind, pred_kind = gold_claim.kind or UNSPECIFIED_KIND, pred.kind or UNSPECIFIED_KIND
            by_kind[gold_kind].gold_matched += 1
            by_kind[pred_kind].predicted_matched += 1
            by_kind[gold_kind].same_kind += gold_kind == pred_kind
            if gold_claim.kind is not None:
                scores.kind_judged += 1
                scores.kind_right += gold_kind == pred_kind
    scores.by_kind = dict(by_kind)
    scores.by_construction = dict(by_construction)
    return scores


def claimant_is_right(gold: GoldClaim, pred: PredictedClaim) -> bool:
    """Whether ``pred`` names the gold claimant (see the module docstring)."""
    if gold.claimant is None or pred.claimant is None:
        return gold.claimant is None and pred.claimant is None
    if pred.claimant[0] >= gold.claimant.end or gold.claimant.start >= pred.claimant[1]:
        return False
    expected = _folded(gold.claimant_resolved or gold.claimant.text)
    actual = _folded(pred.claimant_resolved or "")
    return bool(expected and actual) and (_contains(expected, actual) or _contains(actual, expected))


def _folded(name: str) -> tuple[str, ...]:
    key = name_key(name)
    return key[1:] if key[:1] == ("the",) else key


def _contains(outer: tuple[str, ...], inner: tuple[str, ...]) -> bool:
    return any(outer[i : i + len(inner)] == inner for i in range(len(outer) - len(inner) + 1))
