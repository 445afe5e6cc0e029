"""Behaviour of document-level label resolution."""

from __future__ import annotations

from workers.models import Mention
from workers.nlp.gazetteer import GAZETTEER, Place
from workers.nlp.labels import contiguous_parts, resolve_labels
from workers.nlp.mentions import Candidate, Context
from workers.nlp.names import name_key


def _cand(name: str, label: str, context: Context | None = None) -> Candidate:
    return Candidate(Mention(name, 0, len(name)), label, name, name_key(name), context)


def _place(name: str, kind: str) -> Place:
    return next(p for _, p in GAZETTEER.places(name_key(name)) if p.kind == kind)


def test_gpe_vote_wins_over_other_labels() -> None:
    labels = resolve_labels([_cand("Hama", "ORG"), _cand("Hama", "PERSON"), _cand("Hama", "GPE")], {})
    assert labels[("hama",)] == "GPE"


def test_surname_of_a_full_person_name_is_a_person() -> None:
    labels = resolve_labels([_cand("Kristen Wilkins", "PERSON"), _cand("Wilkins", "ORG")], {})
    assert labels[("wilkins",)] == "PERSON"


def test_org_context_outweighs_a_person_vote() -> None:
    labels = resolve_labels([_cand("Hayat Tahrir al-Sham", "PERSON", "org")], {})
    assert labels[name_key("Hayat Tahrir al-Sham")] == "ORG"


def test_title_context_keeps_a_person() -> None:
    labels = resolve_labels([_cand("Lincoln", "PERSON", "person"), _cand("Lincoln", "GPE")], {})
    assert labels[("lincoln",)] == "PERSON"


def test_country_is_a_place_whatever_spacy_said() -> None:
    labels = resolve_labels([_cand("Syria", "ORG")], {("syria",): _place("Syria", "country")})
    assert labels[("syria",)] == "GPE"


def test_continent_is_a_location() -> None:
    labels = resolve_labels([_cand("Europe", "ORG")], {("europe",): _place("Europe", "continent")})
    assert labels[("europe",)] == "LOC"


def test_known_city_with_a_locative_preposition_is_a_place() -> None:
    labels = resolve_labels([_cand("Perth", "PERSON", "locative")], {("perth",): _place("Perth", "city")})
    assert labels[("perth",)] == "GPE"


def test_known_city_without_place_evidence_keeps_spacys_label() -> None:
    labels = resolve_labels([_cand("Chelsea", "ORG")], {("chelsea",): _place("Chelsea", "city")})
    assert labels[("chelsea",)] == "ORG"


def test_known_city_tagged_only_as_nationality_is_a_place() -> None:
    labels = resolve_labels([_cand("Aleppo", "NORP")], {("aleppo",): _place("Aleppo", "city")})
    assert labels[("aleppo",)] == "GPE"


def test_majority_decides_without_other_evidence() -> None:
    labels = resolve_labels([_cand("Acme", "ORG"), _cand("Acme", "PERSON"), _cand("Acme", "ORG")], {})
    assert labels[("acme",)] == "ORG"


def test_contiguous_parts_are_every_shorter_run() -> None:
    assert contiguous_parts(("a", "b", "c")) == {("a",), ("b",), ("c",), ("a", "b"), ("b", "c")}
