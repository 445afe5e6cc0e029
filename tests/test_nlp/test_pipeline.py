from __future__ import annotations

from spacy.language import Language

from workers.nlp.pipeline import installed_model_info, model_info
from workers.settings import DEFAULT_MODEL


def test_the_installed_models_meta_names_what_the_loaded_model_reports(nlp: Language) -> None:
    assert installed_model_info(DEFAULT_MODEL) == model_info(nlp)


def test_a_model_that_is_not_installed_has_no_info() -> None:
    assert installed_model_info("no_such_model_xyz") is None
