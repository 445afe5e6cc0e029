"""Behaviour of gold file loading."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.test_evaluation.conftest import span
from workers.evaluation import GoldError, default_gold_paths, load_gold
from workers.evaluation.story_gold import is_story_file

TEXT = "Rami Abdurrahman told The Associated Press: “Hama falls.”"
WriteGold = Callable[..., Path]


def test_shipped_gold_sets_are_found_and_load() -> None:
    names = {load_gold(p).name for p in default_gold_paths() if not is_story_file(p)}
    assert {"seed", "wikigold", "wikinews"} <= names
    assert [p.name for p in default_gold_paths() if is_story_file(p)] == ["stories-dev.gold.jsonl"]


def test_seed_gold_has_51_mentions_and_8_claims() -> None:
    seed = load_gold(next(p for p in default_gold_paths() if p.name == "seed.gold.json"))
    (doc,) = seed.documents
    assert (len(doc.entities or ()), len(doc.claims or ())) == (51, 8)


def test_conll_labels_make_a_conll_gold_set(write_gold: WriteGold) -> None:
    path = write_gold({"id": "a", "text": TEXT, "entities": [span(TEXT, "Rami Abdurrahman", label="PER")]})
    assert load_gold(path).scheme == "conll"


def test_ontonotes_labels_make_an_ontonotes_gold_set(write_gold: WriteGold) -> None:
    path = write_gold({"id": "a", "text": TEXT, "entities": [span(TEXT, "Rami Abdurrahman", label="PERSON")]})
    assert load_gold(path).scheme == "ontonotes"


def test_single_json_document_loads(write_gold: WriteGold) -> None:
    path = write_gold({"id": "a", "text": TEXT, "entities": []}, suffix=".json")
    assert [d.id for d in load_gold(path).documents] == ["a"]


def test_document_without_claims_is_not_scored_on_claims(write_gold: WriteGold) -> None:
    (doc,) = load_gold(write_gold({"id": "a", "text": TEXT, "entities": []})).documents
    assert doc.claims is None and doc.entities == ()


def test_claim_fields_are_read(write_gold: WriteGold) -> None:
    claim = {
        "claimant": span(TEXT, "Rami Abdurrahman"), "claimant_resolved": "Rami Abdurrahman",
        "cue": span(TEXT, "told", lemma="tell"), "content": span(TEXT, "Hama falls."), "stance": "assert",
    }  # fmt: skip
    (doc,) = load_gold(write_gold({"id": "a", "text": TEXT, "claims": [claim]})).documents
    (gold,) = doc.claims or ()
    assert (gold.cue.text, gold.content.start, gold.stance) == ("told", TEXT.index("Hama"), "assert")


def test_span_that_does_not_quote_the_text_is_an_error(write_gold: WriteGold) -> None:
    bad = {"text": "Rami", "start": 1, "end": 5, "label": "PERSON"}
    with pytest.raises(GoldError, match="E801"):
        load_gold(write_gold({"id": "a", "text": TEXT, "entities": [bad]}))


def test_unreadable_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(GoldError, match="E801"):
        load_gold(tmp_path / "missing.jsonl")


def test_optional_fields_of_the_format_are_accepted(write_gold: WriteGold) -> None:
    claim = {
        "claimant": span(TEXT, "Rami Abdurrahman"), "cue": span(TEXT, "told", lemma="tell"),
        "content": span(TEXT, "Hama falls."), "kind": "belief", "broad": True,
    }  # fmt: skip
    entity = span(TEXT, "Rami Abdurrahman", label="PERSON", canonical="Rami Abdurrahman")
    document = {"id": "a", "title": "T", "source": "s", "text": TEXT, "entities": [entity], "claims": [claim]}
    (doc,) = load_gold(write_gold(document)).documents
    (gold,) = doc.claims or ()
    assert (gold.kind, gold.broad, doc.title) == ("belief", True, "T")


def test_claims_are_narrow_unless_marked_broad(write_gold: WriteGold) -> None:
    claim = {"claimant": None, "cue": span(TEXT, "told"), "content": span(TEXT, "Hama falls."), "kind": "direct"}
    (doc,) = load_gold(write_gold({"id": "a", "text": TEXT, "claims": [claim]})).documents
    assert [c.broad for c in doc.claims or ()] == [False]


def test_unknown_claim_kind_is_an_error(write_gold: WriteGold) -> None:
    claim = {"claimant": None, "cue": span(TEXT, "told"), "content": span(TEXT, "Hama falls."), "kind": "direkt"}
    with pytest.raises(GoldError, match="direkt"):
        load_gold(write_gold({"id": "a", "text": TEXT, "claims": [claim]}))


def test_gold_set_carries_the_status_it_is_loaded_with(write_gold: WriteGold) -> None:
    gold = load_gold(write_gold({"id": "a", "text": TEXT, "entities": []}), status="blind", why="held out")
    assert (gold.status, gold.why) == ("blind", "held out")


def test_gold_set_is_unlabelled_by_default(write_gold: WriteGold) -> None:
    assert load_gold(write_gold({"id": "a", "text": TEXT, "entities": []})).status == "unlabelled"
