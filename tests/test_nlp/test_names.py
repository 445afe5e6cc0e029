"""Behaviour of name folding and canonical names."""

from __future__ import annotations

from workers.nlp.names import canonical_name, is_title_word, name_key


def test_name_key_folds_accents_case_and_punctuation() -> None:
    assert name_key("Ḩamāh") == name_key("HAMAH") == ("hamah",)


def test_name_key_splits_hyphenated_names_into_words() -> None:
    assert name_key("Hayat Tahrir al-Sham") == ("hayat", "tahrir", "al", "sham")


def test_name_key_keeps_a_name_without_latin_letters() -> None:
    assert name_key("دمشق") == ("دمشق",)


def test_title_word_ignores_case_and_trailing_period() -> None:
    assert is_title_word("Dr.") and is_title_word("PRESIDENT") and not is_title_word("Bashar")


def test_canonical_person_name_drops_titles() -> None:
    assert canonical_name("President Bashar Assad", "PERSON") == "Bashar Assad"


def test_canonical_name_keeps_a_lone_title_word() -> None:
    assert canonical_name("President", "PERSON") == "President"


def test_canonical_organisation_name_keeps_title_words() -> None:
    assert canonical_name("General Motors", "ORG") == "General Motors"


def test_canonical_place_name_drops_lower_case_designator() -> None:
    assert canonical_name("Hama province", "GPE") == "Hama"


def test_canonical_place_name_keeps_capitalised_designator() -> None:
    assert canonical_name("Kansas City", "GPE") == "Kansas City"


def test_canonical_name_drops_leading_the() -> None:
    assert canonical_name("the Syrian National Army", "ORG") == "Syrian National Army"
