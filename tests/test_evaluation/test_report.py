"""Behaviour of the report formatting."""

from __future__ import annotations

from workers.evaluation.evaluate import ClaimResult, EntityResult, Evaluation, GoldSummary
from workers.evaluation.report import format_report, to_json
from workers.evaluation.scoring import ClaimScores, Counts


def _evaluation() -> Evaluation:
    counts = {"overall": Counts(3, 4, 6), "GPE": Counts(3, 4, 6)}
    claims = ClaimScores(Counts(1, 2, 2), claimant_right=1, cue_right=0, stance_right=1, stance_judged=1)
    return Evaluation(
        golds=(GoldSummary("seed", "ontonotes", 1, 6, 2),),
        entities=(EntityResult("seed", "newsflow", counts),),
        claims=(ClaimResult("seed", "stock", "quotation-mark baseline", 0.3, claims),),
    )


def test_report_shows_entity_scores_as_percentages() -> None:
    report = format_report(_evaluation())
    assert "| newsflow | overall | 75.0 | 50.0 | 60.0 |    6 |         4 |" in report


def test_report_names_the_baseline_of_a_claim_row() -> None:
    assert "stock (quotation-mark baseline)" in format_report(_evaluation())


def test_report_shows_attribute_shares_of_matches() -> None:
    row = next(line for line in format_report(_evaluation()).splitlines() if line.startswith("| seed | stock"))
    assert [cell.strip() for cell in row.split("|")][7:10] == ["100.0", "0.0", "100.0"]


def test_json_keeps_fractions_and_counts() -> None:
    data = to_json(_evaluation())
    assert data["entities"][0]["labels"]["overall"]["f1"] == 0.6
    assert (data["claims"][0]["claimant"], data["claims"][0]["tp"]) == (1.0, 1)


def test_claims_only_gold_set_shows_no_label_scheme() -> None:
    evaluation = Evaluation((GoldSummary("news", "ontonotes", 2, 0, 9),), (), ())
    assert "| news | -      |" in format_report(evaluation)
