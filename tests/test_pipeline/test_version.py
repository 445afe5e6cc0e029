from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workers import __version__
from workers.pipeline.enrich import Enricher
from workers.pipeline.version import (
    PipelineVersion,
    compose,
    data_files,
    fingerprint_files,
    pipeline_version,
    rule_files,
)

PACKAGE = Path(__file__).resolve().parents[2] / "workers"
LIBRARIES = (("spacy", "3.8.0"),)


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    """Factory-made copy of the rule modules under a fresh ``workers/`` root."""
    root = tmp_path / "workers"
    for name, path in rule_files(PACKAGE):
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return root


def test_the_same_inputs_give_the_same_version() -> None:
    assert pipeline_version("en_core_web_sm", "3.8.0") == pipeline_version("en_core_web_sm", "3.8.0")
    assert compose("0.1.0", "m", "1", LIBRARIES, "r", "d") == compose("0.1.0", "m", "1", LIBRARIES, "r", "d")


def test_the_version_is_the_package_version_and_twelve_hex_digits() -> None:
    version = pipeline_version("en_core_web_sm", "3.8.0").version
    package, _, digest = version.partition("+")
    assert package == __version__
    assert len(digest) == 12
    assert int(digest, 16) >= 0


def test_changing_a_rule_file_changes_the_rules_fingerprint(rules_copy: Path) -> None:
    before = fingerprint_files(rule_files(rules_copy))
    cues = rules_copy / "nlp" / "cues.py"
    cues.write_text(cues.read_text() + "\n# one more cue\n")
    assert fingerprint_files(rule_files(rules_copy)) != before


def test_the_rules_fingerprint_does_not_depend_on_where_the_package_lives(rules_copy: Path) -> None:
    assert fingerprint_files(rule_files(rules_copy)) == fingerprint_files(rule_files(PACKAGE))


def test_renaming_a_rule_file_changes_the_fingerprint(rules_copy: Path) -> None:
    before = fingerprint_files(rule_files(rules_copy))
    (rules_copy / "nlp" / "cues.py").rename(rules_copy / "nlp" / "cues_renamed.py")
    assert fingerprint_files(rule_files(rules_copy)) != before


def test_every_nlp_module_and_the_core_from_bytes_to_events_are_rules() -> None:
    names = {name for name, _ in rule_files(PACKAGE)}
    assert {f"nlp/{p.name}" for p in (PACKAGE / "nlp").glob("*.py")} <= names
    assert {"pipeline/enrich.py", "pipeline/screening.py", "pipeline/events.py", "models.py"} <= names
    assert "pipeline/dedup.py" in names  # it decides duplicate_of (the window, the band keys)
    assert "cli/__init__.py" not in names  # the command line decides no output


def test_the_gazetteer_data_files_exist() -> None:
    files = data_files()
    assert files
    assert all(path.is_file() for _, path in files)


@pytest.mark.parametrize(
    "change",
    [
        {"package": "0.2.0"},
        {"model": "en_core_web_md"},
        {"model_version": "3.8.1"},
        {"libraries": (("spacy", "3.8.1"),)},
        {"rules": "r2"},
        {"data": "d2"},
    ],
)
def test_any_part_changes_the_version(change: dict[str, object]) -> None:
    parts: dict[str, object] = {
        "package": "0.1.0",
        "model": "m",
        "model_version": "1",
        "libraries": LIBRARIES,
        "rules": "r",
        "data": "d",
    }
    base = compose(**parts)  # type: ignore[arg-type]
    assert compose(**{**parts, **change}).version != base.version  # type: ignore[arg-type]


def test_describe_names_the_version_and_its_parts() -> None:
    version = PipelineVersion("0.1.0+abc", "0.1.0", "en_m", "3.8.0", LIBRARIES, "a" * 64, "b" * 64)
    line = version.describe()
    assert line.startswith("pipeline 0.1.0+abc (model en_m 3.8.0; spacy 3.8.0;")
    assert "rules aaaaaaaaaaaa" in line
    assert "gazetteer data bbbbbbbbbbbb" in line


def test_every_enriched_event_carries_the_enrichers_pipeline_version(enricher: Enricher) -> None:
    from workers.models import RawArticle

    article = enricher(RawArticle(id="a1", body="The minister said the talks would resume."))
    assert article.processing.pipeline_version == enricher.version.version
    assert enricher.version == pipeline_version(article.processing.model, article.processing.model_version)


def test_passthrough_has_a_version_of_its_own(enricher: Enricher) -> None:
    assert Enricher(None).version.version != enricher.version.version
