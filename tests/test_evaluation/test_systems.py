"""Behaviour of the evaluated systems on gold texts."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

from spacy.language import Language

from workers.evaluation.evaluate import predicted_in
from workers.evaluation.gold import GOLD_KINDS, GoldDocument
from workers.evaluation.schemes import LabelledSpan
from workers.evaluation.scoring import PredictedClaim
from workers.evaluation.systems import (
    NewsflowSystem,
    StockSpacySystem,
    _newsflow_output,
    gold_kind,
    quotation_baseline,
)
from workers.models import Claim, ClaimKind, Cue, EnrichedArticle, Span

TEXT = "The Britain-based Syrian Observatory for Human Rights said gunmen entered Hama. It added that they held it."


def _doc(text: str = TEXT) -> GoldDocument:
    return GoldDocument("d", text, None, None, (), ())


def test_stock_system_reports_raw_spacy_entities(nlp: Language) -> None:
    (output,) = StockSpacySystem(nlp).predict([_doc()])
    expected = {LabelledSpan(e.start_char, e.end_char, e.label_) for e in nlp(TEXT).ents}
    assert output.entities == expected


def test_newsflow_system_resolves_claimants_to_entity_names(nlp: Language) -> None:
    (output,) = NewsflowSystem(nlp).predict([_doc()])
    assert [c.claimant_resolved for c in output.claims] == ["Syrian Observatory for Human Rights"] * 2


def test_quotation_baseline_attributes_a_quotation_to_the_nearest_name(nlp: Language) -> None:
    text = "“We will rebuild the bridge,” Mayor Anne Hidalgo said."
    (claim,) = quotation_baseline(nlp(text))
    assert text[claim.content[0] : claim.content[1]] == "We will rebuild the bridge,"
    assert claim.claimant_resolved == "Anne Hidalgo"
    assert text[claim.cue[0] : claim.cue[1]] == "said"


def test_quotation_baseline_skips_short_quotations(nlp: Language) -> None:
    assert quotation_baseline(nlp('The team named it "Robogee" last year.')) == ()


def test_newsflow_system_gives_claim_kinds_in_gold_terms(nlp: Language) -> None:
    (output,) = NewsflowSystem(nlp).predict([_doc()])
    assert [c.kind for c in output.claims] == ["indirect", "indirect"]


def test_every_pipeline_claim_kind_maps_to_a_gold_kind() -> None:
    assert NewsflowSystem.claim_kinds <= set(GOLD_KINDS)


def test_quotation_baseline_calls_every_quotation_direct(nlp: Language) -> None:
    (claim,) = quotation_baseline(nlp("“We will rebuild the bridge,” Mayor Anne Hidalgo said."))
    assert claim.kind == "direct"


def _article_with(*claims: Claim) -> EnrichedArticle:
    return cast(EnrichedArticle, SimpleNamespace(entities=(), claims=claims))


def _claim(kind: ClaimKind, *, broad: bool) -> Claim:
    return Claim("c", None, Cue("believes", "believe", 4, 12), Span("x", 13, 14), kind, "assert", broad=broad)


def test_the_pipeline_output_says_which_claims_are_broad() -> None:
    article = _article_with(_claim("indirect", broad=False), _claim("belief", broad=True))
    assert [(c.kind, c.broad) for c in _newsflow_output(article).claims] == [("indirect", False), ("belief", True)]


def test_narrow_views_leave_out_predictions_marked_broad_and_the_broad_view_keeps_them() -> None:
    said = PredictedClaim((0, 5), (6, 10), None, None, "assert", "indirect")
    believed = PredictedClaim((11, 15), (16, 20), None, None, "assert", "belief", broad=True)
    assert predicted_in("narrow", (said, believed)) == (said,)
    assert predicted_in("all", (said, believed)) == (said,)
    assert predicted_in("broad", (said, believed)) == (said, believed)


def test_belief_maps_to_the_gold_kind_belief() -> None:
    assert gold_kind("belief") == "belief"
    assert "belief" in NewsflowSystem.claim_kinds
