"""Behaviour of entity and claim scoring."""

from __future__ import annotations

from workers.evaluation.gold import GoldClaim, GoldSpan
from workers.evaluation.schemes import LabelledSpan
from workers.evaluation.scoring import (
    Counts,
    PredictedClaim,
    claimant_is_right,
    match_claims,
    score_claims,
    score_entities,
)


def _gold(
    start: int,
    end: int,
    claimant: tuple[int, int, str] | None = (0, 2, "It"),
    resolved: str | None = None,
    kind: str | None = None,
) -> GoldClaim:
    who = GoldSpan(claimant[2], claimant[0], claimant[1]) if claimant else None
    content = GoldSpan("x" * (end - start), start, end)
    return GoldClaim(who, resolved, GoldSpan("said", 3, 7), content, "assert", kind)


def _pred(
    start: int,
    end: int,
    claimant: tuple[int, int] | None = (0, 2),
    resolved: str | None = "It",
    kind: str | None = None,
) -> PredictedClaim:
    return PredictedClaim((start, end), (3, 7), claimant, resolved, "assert", kind)


def test_counts_give_precision_recall_and_f1() -> None:
    counts = Counts(tp=3, predicted=4, gold=6)
    assert (counts.precision, counts.recall, round(counts.f1, 4)) == (0.75, 0.5, 0.6)


def test_empty_counts_score_zero() -> None:
    assert (Counts().precision, Counts().recall, Counts().f1) == (0.0, 0.0, 0.0)


def test_entities_need_exact_span_and_label() -> None:
    gold = {LabelledSpan(0, 4, "GPE"), LabelledSpan(10, 15, "PERSON")}
    predicted = {LabelledSpan(0, 4, "GPE"), LabelledSpan(10, 15, "ORG"), LabelledSpan(10, 14, "PERSON")}
    counts = score_entities([(gold, predicted)])
    assert (counts["overall"].tp, counts["overall"].predicted, counts["overall"].gold) == (1, 3, 2)
    assert (counts["PERSON"].tp, counts["ORG"].predicted) == (0, 1)


def test_claim_matches_when_it_covers_enough_of_the_gold_content() -> None:
    assert match_claims([_gold(10, 20)], [_pred(11, 40)], 0.8) == [(0, 0)]
    assert match_claims([_gold(10, 20)], [_pred(12, 40)], 0.8) == []  # 0.8 is not above 0.8
    assert match_claims([_gold(10, 20)], [_pred(17, 40)], 0.3) == []


def test_each_prediction_matches_one_gold_claim_at_most() -> None:
    assert len(match_claims([_gold(10, 20), _gold(10, 21)], [_pred(10, 21)], 0.3)) == 1


def test_largest_overlap_wins() -> None:
    assert match_claims([_gold(10, 20)], [_pred(10, 14), _pred(10, 19)], 0.3) == [(0, 1)]


def test_claim_scores_count_matches_and_right_attributes() -> None:
    scores = score_claims([([_gold(10, 20), _gold(30, 40)], [_pred(10, 20), _pred(50, 60)])], 0.3)
    assert (scores.counts.tp, scores.counts.predicted, scores.counts.gold) == (1, 2, 2)
    assert (scores.claimant_right, scores.cue_right, scores.stance_right) == (1, 1, 1)


def test_resolved_pronoun_claimant_is_right() -> None:
    gold = _gold(10, 20, resolved="Syrian Observatory for Human Rights")
    assert claimant_is_right(gold, _pred(10, 20, resolved="Syrian Observatory for Human Rights"))


def test_unresolved_pronoun_claimant_is_wrong() -> None:
    assert not claimant_is_right(_gold(10, 20, resolved="Syrian Observatory for Human Rights"), _pred(10, 20))


def test_claimant_name_contained_in_the_gold_description_is_right() -> None:
    gold = _gold(10, 20, claimant=(0, 9, "The Britain-based Syrian Observatory"))
    assert claimant_is_right(gold, _pred(10, 20, claimant=(0, 9), resolved="Syrian Observatory"))


def test_claimant_elsewhere_in_the_text_is_wrong() -> None:
    assert not claimant_is_right(_gold(10, 20), _pred(10, 20, claimant=(50, 52)))


def test_missing_claimant_is_right_only_when_gold_has_none() -> None:
    assert claimant_is_right(_gold(10, 20, claimant=None), _pred(10, 20, claimant=None, resolved=None))
    assert not claimant_is_right(_gold(10, 20), _pred(10, 20, claimant=None, resolved=None))


def test_recall_of_a_kind_counts_gold_claims_found_under_any_kind() -> None:
    gold = [_gold(10, 20, kind="belief"), _gold(30, 40, kind="belief")]
    scores = score_claims([(gold, [_pred(10, 20, kind="indirect")])], 0.3)
    belief = scores.by_kind["belief"]
    assert (belief.gold, belief.gold_matched, belief.recall, belief.same_kind) == (2, 1, 0.5, 0)


def test_kind_the_system_never_predicts_has_no_precision() -> None:
    scores = score_claims([([_gold(10, 20, kind="belief")], [_pred(10, 20, kind="indirect")])], 0.3)
    assert (scores.by_kind["belief"].precision, scores.by_kind["belief"].f1) == (None, None)


def test_precision_of_a_kind_counts_its_predictions_matched_to_any_gold_kind() -> None:
    scores = score_claims(
        [([_gold(10, 20, kind="belief")], [_pred(10, 20, kind="indirect"), _pred(50, 60, kind="indirect")])], 0.3
    )
    indirect = scores.by_kind["indirect"]
    assert (indirect.predicted, indirect.predicted_matched, indirect.precision, indirect.recall) == (2, 1, 0.5, None)


def test_kind_is_right_when_gold_and_prediction_agree() -> None:
    gold = [_gold(10, 20, kind="direct"), _gold(30, 40, kind="mixed")]
    scores = score_claims([(gold, [_pred(10, 20, kind="direct"), _pred(30, 40, kind="indirect")])], 0.3)
    assert (scores.kind_right, scores.kind_judged) == (1, 2)
    assert (scores.by_kind["direct"].same_kind, scores.by_kind["mixed"].same_kind) == (1, 0)


def test_claims_without_a_kind_are_counted_as_unspecified() -> None:
    scores = score_claims([([_gold(10, 20)], [_pred(10, 20)])], 0.3)
    assert (scores.by_kind["unspecified"].gold, scores.kind_judged) == (1, 0)
