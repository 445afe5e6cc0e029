"""The manifest of gold sets (``seeds/eval/sets.json``): which set is development, which blind.

A development set is one something was tuned or chosen on (the rules, a label
mapping): its figures show how well the pipeline fits it, not how good it is. A
blind set is one nothing was tuned on; it is scored on request only (``newsflow eval
--blind``), once, at the end, so that nobody sees its figures by accident while
tuning. A gold file the manifest does not list is ``unlabelled``. The shipped
manifest lists no blind set: every set the project holds is development data, and
held-out measurement happens on data the project does not hold (given with
``--sets``).

The manifest is ``{"sets": [{"file", "status", "why"}, ...]}``; ``file`` is relative
to the manifest's directory. A listed file that does not exist (a blind set still
being written) is reported as missing, not an error.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal, get_args

from workers.evaluation.exceptions import GoldError

__all__ = [
    "MANIFEST_PATH",
    "Manifest",
    "Selection",
    "SetEntry",
    "Status",
    "default_gold_paths",
    "load_manifest",
    "select",
]

Status = Literal["development", "blind", "unlabelled"]
#: The statuses a manifest may give ("unlabelled" is what it does not list).
LISTED_STATUSES: Final = frozenset(get_args(Status)) - {"unlabelled"}
#: Where ``newsflow eval`` finds its gold sets when given no paths.
MANIFEST_PATH: Final = Path(__file__).resolve().parents[2] / "seeds" / "eval" / "sets.json"


@dataclass(frozen=True, slots=True)
class SetEntry:
    """One gold file and its status; ``why`` says in one line what earned the status."""

    path: Path
    status: Status
    why: str

    @property
    def name(self) -> str:
        """The set's name in reports: the file name up to the first dot."""
        return self.path.name.split(".")[0]


@dataclass(frozen=True, slots=True)
class Manifest:
    """Every listed gold set, in the manifest's order."""

    path: Path
    entries: tuple[SetEntry, ...]

    def entry_for(self, path: Path) -> SetEntry:
        """The entry of ``path``; an unlisted file is ``unlabelled``."""
        resolved = path.resolve()
        for entry in self.entries:
            if entry.path.resolve() == resolved:
                return entry
        return SetEntry(path, "unlabelled", "not listed in " + str(self.path))

    def unlisted(self) -> list[Path]:
        """Gold-looking files next to the manifest that it does not list."""
        listed = {e.path.resolve() for e in self.entries}
        return sorted(
            p
            for p in self.path.parent.glob("*")
            if p.suffix in (".json", ".jsonl") and p.resolve() != self.path.resolve() and p.resolve() not in listed
        )


@dataclass(frozen=True, slots=True)
class Selection:
    """What one ``newsflow eval`` run scores and what it leaves out, and why."""

    #: How the sets were chosen: the development or blind sets of the manifest, or paths.
    chosen: Literal["development", "blind", "paths"]
    #: The sets to score, existing files only.
    scored: tuple[SetEntry, ...]
    #: Blind sets not requested (scored with ``--blind``), present or not.
    held_back: tuple[SetEntry, ...] = ()
    #: Requested sets whose file does not exist.
    missing: tuple[SetEntry, ...] = ()
    #: Gold-looking files next to the manifest that it does not list (not scored).
    unlisted: tuple[Path, ...] = ()


def load_manifest(path: Path | None = None) -> Manifest:
    """Read a manifest (default: ``seeds/eval/sets.json``).

    Raises:
        GoldError: the manifest is missing, not JSON, or gives an unknown status.
    """
    path = MANIFEST_PATH if path is None else path
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = []
        for item in data["sets"]:
            status = item["status"]
            if status not in LISTED_STATUSES:
                raise ValueError(f"{item['file']}: status {status!r} is not one of {sorted(LISTED_STATUSES)}")
            entries.append(SetEntry(path.parent / str(item["file"]), status, str(item.get("why", ""))))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise GoldError(f"[E802] cannot load gold manifest {path}: {exc}") from None
    return Manifest(path, tuple(entries))


def select(manifest: Manifest, paths: Sequence[Path] = (), *, blind: bool = False) -> Selection:
    """The sets to score: ``paths`` with the manifest's status for each; else the
    blind sets when ``blind``; else the development sets, holding the blind ones back.

    Explicit paths are not checked for existence here: loading them reports it.
    """
    if paths:
        return Selection("paths", scored=tuple(manifest.entry_for(p) for p in paths))
    wanted: Literal["development", "blind"] = "blind" if blind else "development"
    chosen = [e for e in manifest.entries if e.status == wanted]
    return Selection(
        wanted,
        scored=tuple(e for e in chosen if e.path.exists()),
        held_back=() if blind else tuple(e for e in manifest.entries if e.status == "blind"),
        missing=tuple(e for e in chosen if not e.path.exists()),
        unlisted=tuple(manifest.unlisted()),
    )


def default_gold_paths() -> list[Path]:
    """The development gold files of ``seeds/eval/sets.json`` that exist, in its order.

    Raises:
        GoldError: the manifest cannot be read, or lists no development file that exists.
    """
    paths = [e.path for e in select(load_manifest()).scored]
    if not paths:
        raise GoldError(f"[E803] no development gold files listed in {MANIFEST_PATH} exist")
    return paths
