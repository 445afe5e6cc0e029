"""Which construction attributes a gold claim, and claim recall by construction."""

from __future__ import annotations

import pytest

from workers.evaluation.constructions import construction
from workers.evaluation.evaluate import ClaimResult, Evaluation, GoldSummary
from workers.evaluation.gold import GoldClaim, GoldSpan
from workers.evaluation.report import format_report, to_json
from workers.evaluation.scoring import ClaimScores, Counts, PredictedClaim, score_claims


def _spans(text: str, cue: str, content: str) -> tuple[tuple[int, int], tuple[int, int]]:
    c, k = text.index(cue), text.index(content)
    return (c, c + len(cue)), (k, k + len(content))


@pytest.mark.parametrize(
    ("text", "cue", "content", "expected"),
    [
        ("The mayor said that the pier would reopen.", "said", "the pier would reopen", "cue_before"),
        ('The mayor said: "The pier reopens."', "said", "The pier reopens.", "cue_before"),
        ("The mayor said on Tuesday the pier would reopen.", "said", "the pier would reopen", "cue_before_insertion"),
        (
            "She told fishermen at the harbour the pier would reopen.",
            "told",
            "the pier would reopen",
            "cue_before_insertion",
        ),
        (
            '"The pier reopens in May," argued the head of the harbour board.',
            "argued",
            "The pier reopens in May",
            "cue_after",
        ),
        (
            '"It reopens," she wrote. "We will not close the harbour."',
            "wrote",
            "We will not close the harbour.",
            "continuation",
        ),
        ("Our boats wait, she said.\nThe pier must reopen soon.", "said", "The pier must reopen soon", "continuation"),
        (
            "According to the harbour board, the pier reopens in May.",
            "According to",
            "the pier reopens in May",
            "according_to",
        ),
        ("The pier reopens in May, according to the board.", "according to", "The pier reopens in May", "according_to"),
        ("The board's announcement that the pier reopens came late.", "announcement", "the pier reopens", "nominal"),
        ("In a statement, the board said nothing of the pier.", "In a statement", "the board said nothing", "nominal"),
    ],
)
def test_a_claim_is_classed_by_where_its_cue_stands(text: str, cue: str, content: str, expected: str) -> None:
    assert construction(*_spans(text, cue, content), text) == expected


def _claim(text: str, cue: str, content: str) -> GoldClaim:
    (cs, ce), (ks, ke) = _spans(text, cue, content)
    return GoldClaim(
        None,
        None,
        GoldSpan(cue, cs, ce),
        GoldSpan(content, ks, ke),
        "assert",
        construction=construction((cs, ce), (ks, ke), text),
    )


def test_recall_is_counted_by_construction() -> None:
    text = "The mayor said on Tuesday the pier would reopen. According to the board, boats wait."
    gold = (_claim(text, "said", "the pier would reopen"), _claim(text, "According to", "boats wait"))
    found = PredictedClaim((gold[0].content.start, gold[0].content.end), (0, 0), None, None, "assert")
    scores = score_claims([(gold, (found,))], 0.3)
    assert {k: (c.tp, c.gold) for k, c in scores.by_construction.items()} == {
        "cue_before_insertion": (1, 1),
        "according_to": (0, 1),
    }


def _evaluation() -> Evaluation:
    narrow = ClaimScores(Counts(1, 2, 2), by_construction={"cue_after": Counts(1, 0, 2)})
    wide = ClaimScores(Counts(2, 3, 2), by_construction={"cue_after": Counts(2, 0, 2)})
    return Evaluation(
        golds=(GoldSummary("news", "ontonotes", 1, 0, 2, "development", "tuned on it"),),
        entities=(),
        claims=(ClaimResult("news", "newsflow", "", 0.3, narrow, "narrow", "development", with_broad=wide),),
    )


def test_the_report_gives_recall_by_construction_only_when_asked() -> None:
    assert "Claims by construction" not in format_report(_evaluation())
    report = format_report(_evaluation(), constructions=True)
    row = next(line for line in report.splitlines() if "| cue_after" in line)
    assert [cell.strip() for cell in row.split("|")[1:-1]] == [
        "narrow",
        "cue_after",
        "newsflow",
        "0.3",
        "2",
        "50.0",
        "100.0",
    ]


def test_json_gives_recall_by_construction_and_what_broad_marked_claims_add() -> None:
    claims = to_json(_evaluation())["claims"][0]
    assert claims["by_construction"] == {"cue_after": {"gold": 2, "matched": 1, "recall": 0.5, "matched_with_broad": 2}}
