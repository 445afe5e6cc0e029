"""Behaviour of the manifest of gold sets: statuses, and what a run scores."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from workers.evaluation import GoldError, default_gold_paths, load_manifest, select
from workers.evaluation.manifest import MANIFEST_PATH

WriteManifest = Callable[..., Path]


@pytest.fixture
def write_manifest(tmp_path: Path) -> WriteManifest:
    """Factory: a ``sets.json`` listing ``(file, status)`` pairs; ``files`` are created
    (empty: the manifest never reads them)."""

    def write(*sets: tuple[str, str], files: tuple[str, ...] = ()) -> Path:
        for name in files:
            (tmp_path / name).write_text("", encoding="utf-8")
        entries: list[dict[str, Any]] = [{"file": f, "status": s, "why": f"why {f}"} for f, s in sets]
        path = tmp_path / "sets.json"
        path.write_text(json.dumps({"sets": entries}), encoding="utf-8")
        return path

    return write


def test_shipped_manifest_labels_every_shipped_set() -> None:
    statuses = {e.path.name: e.status for e in load_manifest().entries}
    assert statuses == {
        "seed.gold.json": "development",
        "wikigold.jsonl": "development",
        "wikinews.gold.jsonl": "development",
        "entities-dev.gold.jsonl": "development",
        "gum-news.gold.jsonl": "development",
        "gum-interviews.gold.jsonl": "development",
        "invented.gold.jsonl": "development",
        "stories-dev.gold.jsonl": "development",
    }


def test_shipped_manifest_lists_no_blind_set() -> None:
    # The project holds no held-out data (issue #20): a set it holds was tuned on, or
    # written alongside rules for its own sentences, so it is development.
    assert [e.path.name for e in load_manifest().entries if e.status != "development"] == []


def test_shipped_manifest_lists_every_gold_file_next_to_it() -> None:
    assert load_manifest().unlisted() == []


def test_shipped_manifest_says_why_for_every_set() -> None:
    assert all(e.why for e in load_manifest().entries)


def test_default_gold_paths_are_the_development_sets_only() -> None:
    assert [p.name for p in default_gold_paths()] == [
        "seed.gold.json",
        "wikigold.jsonl",
        "wikinews.gold.jsonl",
        "entities-dev.gold.jsonl",
        "gum-news.gold.jsonl",
        "gum-interviews.gold.jsonl",
        "invented.gold.jsonl",
        "stories-dev.gold.jsonl",
    ]
    assert all(p.parent == MANIFEST_PATH.parent for p in default_gold_paths())


def test_without_paths_development_sets_are_scored_and_blind_ones_held_back(write_manifest: WriteManifest) -> None:
    manifest = load_manifest(
        write_manifest(("dev.jsonl", "development"), ("held.jsonl", "blind"), files=("dev.jsonl", "held.jsonl"))
    )
    selection = select(manifest)
    assert [e.name for e in selection.scored] == ["dev"]
    assert [e.name for e in selection.held_back] == ["held"]


def test_blind_sets_are_held_back_even_when_not_written_yet(write_manifest: WriteManifest) -> None:
    manifest = load_manifest(
        write_manifest(("dev.jsonl", "development"), ("held.jsonl", "blind"), files=("dev.jsonl",))
    )
    selection = select(manifest)
    assert [e.name for e in selection.held_back] == ["held"] and selection.missing == ()


def test_blind_selects_the_blind_sets_only(write_manifest: WriteManifest) -> None:
    manifest = load_manifest(
        write_manifest(("dev.jsonl", "development"), ("held.jsonl", "blind"), files=("dev.jsonl", "held.jsonl"))
    )
    selection = select(manifest, blind=True)
    assert [(e.name, e.status) for e in selection.scored] == [("held", "blind")]
    assert selection.held_back == ()


def test_listed_file_that_does_not_exist_is_missing_not_an_error(write_manifest: WriteManifest) -> None:
    manifest = load_manifest(
        write_manifest(("dev.jsonl", "development"), ("held.jsonl", "blind"), files=("dev.jsonl",))
    )
    selection = select(manifest, blind=True)
    assert selection.scored == () and [e.name for e in selection.missing] == ["held"]


def test_given_paths_get_the_manifest_status_and_unknown_ones_are_unlabelled(
    write_manifest: WriteManifest, tmp_path: Path
) -> None:
    manifest = load_manifest(write_manifest(("held.jsonl", "blind"), files=("held.jsonl",)))
    selection = select(manifest, [tmp_path / "held.jsonl", tmp_path / "other.jsonl"])
    assert [(e.name, e.status) for e in selection.scored] == [("held", "blind"), ("other", "unlabelled")]


def test_gold_files_the_manifest_does_not_list_are_reported(write_manifest: WriteManifest, tmp_path: Path) -> None:
    manifest = load_manifest(write_manifest(("dev.jsonl", "development"), files=("dev.jsonl", "stray.gold.jsonl")))
    assert select(manifest).unlisted == (tmp_path / "stray.gold.jsonl",)


def test_unknown_status_is_an_error(write_manifest: WriteManifest) -> None:
    with pytest.raises(GoldError, match="E802"):
        load_manifest(write_manifest(("dev.jsonl", "tuned")))


def test_missing_manifest_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(GoldError, match="E802"):
        load_manifest(tmp_path / "sets.json")


def test_no_existing_development_set_is_its_own_error(
    write_manifest: WriteManifest, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = load_manifest(write_manifest(("gone.jsonl", "development")))
    monkeypatch.setattr("workers.evaluation.manifest.load_manifest", lambda: manifest)
    with pytest.raises(GoldError, match="E803"):
        default_gold_paths()
