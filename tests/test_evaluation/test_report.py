"""Behaviour of the report formatting."""

from __future__ import annotations

from pathlib import Path

from workers.evaluation.evaluate import ClaimResult, EntityResult, Evaluation, GoldSummary
from workers.evaluation.manifest import Selection, SetEntry
from workers.evaluation.report import format_report, to_json
from workers.evaluation.scoring import ClaimScores, Counts, KindCounts


def _evaluation() -> Evaluation:
    counts = {"overall": Counts(3, 4, 6), "GPE": Counts(3, 4, 6)}
    claims = ClaimScores(Counts(1, 2, 2), claimant_right=1, cue_right=0, stance_right=1, stance_judged=1)
    return Evaluation(
        golds=(GoldSummary("seed", "ontonotes", 1, 6, 2),),
        entities=(EntityResult("seed", "newsflow", counts),),
        claims=(ClaimResult("seed", "stock", "quotation-mark baseline", 0.3, claims),),
    )


def _kinds_evaluation() -> Evaluation:
    """A development set with one broad belief claim, scored narrow and broad."""
    narrow = ClaimScores(Counts(1, 2, 1), by_kind={"indirect": KindCounts(1, 2, 1, 1, 1)})
    broad = ClaimScores(
        Counts(2, 2, 2),
        kind_right=1,
        kind_judged=2,
        by_kind={"indirect": KindCounts(1, 2, 1, 2, 1), "belief": KindCounts(1, 0, 1, 0, 0)},
    )
    kinds = frozenset({"direct", "indirect", "mixed"})
    return Evaluation(
        golds=(GoldSummary("news", "ontonotes", 1, 0, 2, "development", "tuned on it", 1),),
        entities=(),
        claims=(
            ClaimResult("news", "newsflow", "", 0.3, narrow, "narrow", "development", kinds),
            ClaimResult("news", "newsflow", "", 0.3, broad, "broad", "development", kinds),
        ),
    )


def _row(report: str, start: str) -> list[str]:
    line = next(line for line in report.splitlines() if line.startswith(start))
    return [cell.strip() for cell in line.split("|")[1:-1]]


def test_report_shows_entity_scores_as_percentages() -> None:
    report = format_report(_evaluation())
    assert "| newsflow | overall | 75.0 | 50.0 | 60.0 |    6 |         4 |" in report


def test_report_names_the_baseline_of_a_claim_row() -> None:
    assert "stock (quotation-mark baseline)" in format_report(_evaluation())


def test_report_shows_attribute_shares_of_matches() -> None:
    row = _row(format_report(_evaluation()), "| all    | stock")
    assert row[6:10] == ["100.0", "0.0", "100.0", "n/a"]


def test_json_keeps_fractions_and_counts() -> None:
    data = to_json(_evaluation())
    assert data["entities"][0]["labels"]["overall"]["f1"] == 0.6
    assert (data["claims"][0]["claimant"], data["claims"][0]["tp"]) == (1.0, 1)


def test_claims_only_gold_set_shows_no_label_scheme() -> None:
    evaluation = Evaluation((GoldSummary("news", "ontonotes", 2, 0, 9),), (), ())
    assert "| news | unlabelled | -      |" in format_report(evaluation)


def test_report_opens_saying_development_figures_are_not_evidence_of_quality() -> None:
    assert format_report(_evaluation()).startswith("Development figures are not evidence of quality")


def test_every_set_is_named_with_its_status() -> None:
    report = format_report(_kinds_evaluation())
    assert _row(report, "| news |")[:2] == ["news", "development"]
    assert "- news (development): tuned on it" in report
    assert "Claims, news [development]: 2 gold claims, 1 of them broad" in report


def test_entity_heading_names_the_set_status() -> None:
    evaluation = Evaluation(
        (GoldSummary("wiki", "conll", 1, 6, 0, "development"),),
        (EntityResult("wiki", "newsflow", {"overall": Counts(3, 4, 6)}, "development"),),
        (),
    )
    assert "Entities, wiki [development] (CoNLL labels" in format_report(evaluation)


def test_held_back_blind_sets_are_named_with_how_to_score_them(tmp_path: Path) -> None:
    blind = SetEntry(tmp_path / "blind.gold.jsonl", "blind", "held out")
    report = format_report(_evaluation(), Selection("development", (), held_back=(blind,)))
    assert "Blind sets, not scored: blind (" in report and "not written yet" in report
    assert "`newsflow eval --blind`" in report


def test_development_run_says_when_no_blind_set_exists() -> None:
    report = format_report(_evaluation(), Selection("development", ()))
    assert "No blind set is listed in the manifest" in report


def test_listed_but_missing_sets_are_named(tmp_path: Path) -> None:
    missing = SetEntry(tmp_path / "extra.gold.jsonl", "development", "")
    report = format_report(_evaluation(), Selection("development", (), missing=(missing,)))
    assert "Listed in the manifest but missing, not scored: extra (development" in report


def test_scoring_a_blind_set_warns_that_it_is_scored_once() -> None:
    evaluation = Evaluation((GoldSummary("held", "ontonotes", 1, 0, 2, "blind"),), (), ())
    assert "a blind set is to be scored once, at the end" in format_report(evaluation)


def test_development_report_has_no_blind_warning() -> None:
    assert "scored once, at the end." not in format_report(_kinds_evaluation())


def test_claim_rows_name_the_narrow_and_broad_variants() -> None:
    report = format_report(_kinds_evaluation())
    assert _row(report, "| narrow | newsflow")[3:6] == ["50.0", "100.0", "66.7"]
    assert _row(report, "| broad  | newsflow")[9] == "50.0"  # kind right in 1 of 2 matches


def test_kind_the_system_lacks_shows_recall_and_no_precision() -> None:
    report = format_report(_kinds_evaluation())
    assert _row(report, "| broad  | belief")[4:8] == ["n/a", "100.0", "n/a", "0.0"]
    assert "- n/a: newsflow has no `belief` claims" in report


def test_json_gives_status_variant_and_scores_by_kind() -> None:
    data = to_json(_kinds_evaluation())
    assert data["golds"][0]["status"] == "development" and data["golds"][0]["broad_claims"] == 1
    broad = data["claims"][1]
    assert (broad["status"], broad["variant"], broad["kind"]) == ("development", "broad", 0.5)
    assert broad["by_kind"]["belief"] == {
        "gold": 1, "predicted": 0, "gold_matched": 1, "predicted_matched": 0, "same_kind": 0,
        "precision": None, "recall": 1.0, "f1": None, "same_kind_share": 0.0,
    }  # fmt: skip


def test_json_lists_what_was_not_scored(tmp_path: Path) -> None:
    blind = SetEntry(tmp_path / "blind.gold.jsonl", "blind", "held out")
    data = to_json(_evaluation(), Selection("development", (), held_back=(blind,)))
    assert data["not_scored"] == [
        {"gold": "blind", "path": str(blind.path), "status": "blind", "exists": False, "reason": "blind"}
    ]
    assert "not evidence of quality" in data["notice"]
