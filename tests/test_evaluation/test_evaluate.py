"""Behaviour of ``evaluate``: every system on every gold set."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from spacy.language import Language

from tests.test_evaluation.conftest import span
from workers.evaluation import NewsflowSystem, StockSpacySystem, evaluate, load_gold
from workers.evaluation.gold import GoldDocument
from workers.evaluation.scoring import PredictedClaim
from workers.evaluation.systems import Output

TEXT = "Rami Abdurrahman told The Associated Press that Hama would fall."
WriteGold = Callable[..., Path]


def _gold(write_gold: WriteGold) -> Path:
    claim = {
        "claimant": span(TEXT, "Rami Abdurrahman"), "claimant_resolved": "Rami Abdurrahman",
        "cue": span(TEXT, "told", lemma="tell"), "content": span(TEXT, "Hama would fall"), "stance": "assert",
    }  # fmt: skip
    entities = [span(TEXT, "Rami Abdurrahman", label="PERSON"), span(TEXT, "Hama", label="GPE")]
    return write_gold({"id": "a", "text": TEXT, "entities": entities, "claims": [claim]})


def test_each_system_is_scored_on_entities_and_at_each_threshold(nlp: Language, write_gold: WriteGold) -> None:
    result = evaluate([load_gold(_gold(write_gold))], [NewsflowSystem(nlp), StockSpacySystem(nlp)], (0.3, 0.8))
    assert [(r.system, r.gold) for r in result.entities] == [("newsflow", "gold"), ("stock", "gold")]
    assert [(r.system, r.threshold) for r in result.claims] == [
        ("newsflow", 0.3), ("newsflow", 0.8), ("stock", 0.3), ("stock", 0.8),
    ]  # fmt: skip


def test_pipeline_finds_the_gold_claim_with_its_claimant(nlp: Language, write_gold: WriteGold) -> None:
    result = evaluate([load_gold(_gold(write_gold))], [NewsflowSystem(nlp)], (0.8,))
    (claims,) = result.claims
    assert (claims.scores.counts.tp, claims.scores.claimant_right, claims.scores.cue_right) == (1, 1, 1)


def test_gold_without_claims_gets_no_claim_rows(nlp: Language, write_gold: WriteGold) -> None:
    path = write_gold({"id": "a", "text": TEXT, "entities": [span(TEXT, "Hama", label="GPE")]})
    result = evaluate([load_gold(path)], [StockSpacySystem(nlp)])
    assert result.claims == () and len(result.entities) == 1


class _EchoSystem:
    """A system that predicts the gold claims whose content is in ``found``, as ``kind``."""

    name = "echo"
    claims_note = ""
    claim_kinds = frozenset({"direct", "indirect"})

    def __init__(self, found: set[str], kind: str = "indirect") -> None:
        self._found, self._kind = found, kind

    def predict(self, documents: Sequence[GoldDocument]) -> list[Output]:
        return [
            Output(
                frozenset(),
                tuple(
                    PredictedClaim(
                        (c.content.start, c.content.end), (c.cue.start, c.cue.end), None, None, None, self._kind
                    )
                    for c in d.claims or ()
                    if c.content.text in self._found
                ),
            )
            for d in documents
        ]


BELIEF_TEXT = "Abdurrahman said Hama fell. He believes Homs will fall."


def _broad_gold(write_gold: WriteGold) -> Path:
    said = {
        "claimant": None,
        "cue": span(BELIEF_TEXT, "said"),
        "content": span(BELIEF_TEXT, "Hama fell"),
        "kind": "indirect",
    }
    believes = {
        "claimant": None, "cue": span(BELIEF_TEXT, "believes"), "content": span(BELIEF_TEXT, "Homs will fall"),
        "kind": "belief", "broad": True,
    }  # fmt: skip
    return write_gold({"id": "b", "text": BELIEF_TEXT, "claims": [said, believes]})


def test_set_with_broad_claims_is_scored_narrow_and_broad(write_gold: WriteGold) -> None:
    result = evaluate([load_gold(_broad_gold(write_gold))], [_EchoSystem({"Hama fell"})], (0.3,))
    assert [(r.variant, r.scores.counts.gold, r.scores.counts.recall) for r in result.claims] == [
        ("narrow", 1, 1.0), ("broad", 2, 0.5),
    ]  # fmt: skip


def test_narrow_scores_count_a_predicted_broad_claim_against_precision(write_gold: WriteGold) -> None:
    result = evaluate([load_gold(_broad_gold(write_gold))], [_EchoSystem({"Hama fell", "Homs will fall"})], (0.3,))
    narrow, broad = result.claims
    assert (narrow.scores.counts.precision, broad.scores.counts.precision) == (0.5, 1.0)


def test_broad_claims_are_counted_in_the_summary(write_gold: WriteGold) -> None:
    (summary,) = evaluate([load_gold(_broad_gold(write_gold))], [_EchoSystem(set())]).golds
    assert (summary.claims, summary.broad_claims) == (2, 1)


def test_set_without_broad_claims_is_scored_once_on_all_claims(write_gold: WriteGold) -> None:
    result = evaluate([load_gold(_gold(write_gold))], [_EchoSystem({"Hama would fall"})], (0.3,))
    assert [r.variant for r in result.claims] == ["all"]


def test_belief_claims_found_under_another_kind_count_for_belief_recall(write_gold: WriteGold) -> None:
    result = evaluate([load_gold(_broad_gold(write_gold))], [_EchoSystem({"Homs will fall"})], (0.3,))
    broad = next(r for r in result.claims if r.variant == "broad")
    assert (broad.scores.by_kind["belief"].recall, broad.scores.by_kind["belief"].precision) == (1.0, None)


def test_status_of_the_gold_set_reaches_every_result(write_gold: WriteGold) -> None:
    gold = load_gold(_broad_gold(write_gold), status="development", why="tuned on")
    result = evaluate([gold], [_EchoSystem(set())], (0.3,))
    assert [g.status for g in result.golds] == ["development"]
    assert {r.status for r in result.claims} == {"development"}
    assert result.golds[0].why == "tuned on"
