"""Behaviour of ``evaluate``: every system on every gold set."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from spacy.language import Language

from tests.test_evaluation.conftest import span
from workers.evaluation import NewsflowSystem, StockSpacySystem, evaluate, load_gold

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
