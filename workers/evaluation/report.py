"""Format an :class:`~workers.evaluation.evaluate.Evaluation` as Markdown tables.

Markdown, so that the same text reads well in a terminal and pastes into the docs.
Scores are percentages with one decimal, as the published quote-extractor figures.

Every set is named with its status (development, blind, unlabelled), and the report
opens with what the statuses mean: development figures show fit, not quality. What
a run left out (blind sets held back, listed files missing, files the manifest does
not list) is said at the top, from the :class:`~workers.evaluation.manifest.Selection`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from workers.evaluation.constructions import CONSTRUCTIONS
from workers.evaluation.evaluate import ClaimResult, EntityResult, Evaluation, GoldSummary
from workers.evaluation.gold import GOLD_KINDS
from workers.evaluation.manifest import Selection
from workers.evaluation.markdown import pct as _pct
from workers.evaluation.markdown import table as _table
from workers.evaluation.scoring import Counts, KindCounts
from workers.evaluation.story_report import format_stories, stories_json

__all__ = ["BLIND_WARNING", "NOTICE", "NO_BLIND_SET", "format_report", "not_scored", "to_json"]

_OVERALL = "overall"
_VARIANT_ORDER: Final = ("all", "narrow", "broad")

#: The report's first line.
NOTICE: Final = (
    "Development figures are not evidence of quality: the rules or the label mapping were shaped on "
    "development sets, so their scores show fit. Only a blind set, scored once at the end, is evidence, "
    "and the project holds none: held-out measurement happens on data the project does not hold."
)
#: Why ``newsflow eval --blind`` scores nothing when the manifest lists no blind set.
NO_BLIND_SET: Final = (
    "the manifest lists no blind set, and the shipped one never will: every set the project holds is "
    "development data. Held-out measurement happens on data the project does not hold: list such a "
    "set with status blind in a manifest of its own and give it with --sets FILE."
)
#: Said whenever a blind set is scored.
BLIND_WARNING: Final = (
    "Warning: a blind set is to be scored once, at the end. A rule changed after reading its figures "
    "makes it development data: record the figures and mark the set development in sets.json."
)
_CLAIMS_INTRO: Final = (
    "Claims: SFU Gender Gap Tracker matching (content overlap |gold ∩ pred| / |gold| above the threshold, "
    "one-to-one); claimant, cue, stance and kind: share of matches that got them right. "
    "claims = narrow: gold without the claims marked broad; broad: every gold claim; "
    "all: the set marks no claim broad."
)
_KINDS_INTRO: Final = (
    "by kind: R = share of the gold claims of the kind that were matched (by a prediction of any kind); "
    "P = share of the predictions of the kind that were matched (to a gold claim of any kind); "
    "same kind = share of the matched gold claims of the kind predicted with that kind; "
    "n/a = undefined (no prediction, or no match, of the kind)."
)

_CONSTRUCTIONS_INTRO: Final = (
    "how the text attributes each gold claim, read off the gold alone (workers/evaluation/constructions.py); "
    "R = share of the gold claims of the construction that were matched; "
    "R, marked broad too = the same, counting the predictions the system marks broad, which a narrow "
    "view leaves out (the gap between the two is what it finds but calls broad)."
)


def format_report(
    evaluation: Evaluation,
    selection: Selection | None = None,
    *,
    constructions: bool = False,
    story_grid: bool = False,
) -> str:
    """The notice and what was left out, the gold sets, entity scores per set, then
    claim scores per set, overall and by kind (and by construction, if asked), then
    the story sets (and their grids, if asked)."""
    lines = [NOTICE]
    lines += not_scored(selection) if selection else []
    statuses = [g.status for g in evaluation.golds] + [s.status for s in evaluation.stories]
    if "blind" in statuses:
        lines.append(BLIND_WARNING)
    if not evaluation.golds:  # story sets only
        return "\n".join([*lines, *format_stories(evaluation.stories, grid=story_grid)]) + "\n"
    lines += ["", "Gold sets:", ""]
    lines += _table(
        ["gold", "status", "scheme", "documents", "entity mentions", "claims", "broad claims"],
        [
            [
                g.name,
                g.status,
                g.scheme if g.entities else "-",
                str(g.documents),
                str(g.entities),
                str(g.claims),
                str(g.broad_claims),
            ]
            for g in evaluation.golds
        ],
    )
    lines += [""] + [f"- {g.name} ({g.status}): {g.why or 'no reason given'}" for g in evaluation.golds]
    for gold in evaluation.golds:
        results = [r for r in evaluation.entities if r.gold == gold.name]
        if results:
            lines += ["", f"Entities, {_named(gold)} ({_scheme_note(gold.scheme)}): exact span and label", ""]
            lines += _table(["system", "label", "P", "R", "F1", "gold", "predicted"], _entity_rows(results))
    if evaluation.claims:
        lines += ["", _CLAIMS_INTRO]
    for gold in evaluation.golds:
        claims = [r for r in evaluation.claims if r.gold == gold.name]
        if claims:
            lines += _claim_section(gold, claims)
            if constructions:
                lines += ["", f"Claims by construction, {_named(gold)}; {_CONSTRUCTIONS_INTRO}", ""]
                lines += _table(
                    ["claims", "construction", "system", "overlap >", "gold", "R", "R, marked broad too"],
                    _construction_rows(claims),
                )
    lines += format_stories(evaluation.stories, grid=story_grid)
    return "\n".join(lines) + "\n"


def not_scored(selection: Selection) -> list[str]:
    """One line each: blind sets held back, listed sets missing, unlisted gold files."""
    lines = []
    if selection.held_back:
        sets = ", ".join(f"{e.name} ({_shown(e.path)}{_unwritten(e.path)})" for e in selection.held_back)
        lines.append(f"Blind sets, not scored: {sets}. They are scored with `newsflow eval --blind`, once, at the end.")
    elif selection.chosen == "development":
        lines.append("No blind set is listed in the manifest: nothing here is evidence of quality.")
    if selection.missing:
        sets = ", ".join(f"{e.name} ({e.status}, {_shown(e.path)})" for e in selection.missing)
        lines.append(f"Listed in the manifest but missing, not scored: {sets}.")
    if selection.unlisted:
        files = ", ".join(str(_shown(p)) for p in selection.unlisted)
        lines.append(f"Not in the manifest, not scored (give the path to score it as unlabelled): {files}.")
    return lines


def to_json(evaluation: Evaluation, selection: Selection | None = None) -> dict[str, Any]:
    """The evaluation as plain data (scores as fractions; ``None`` where undefined)."""
    return {
        "notice": NOTICE,
        "not_scored": _not_scored_json(selection) if selection else [],
        "stories": stories_json(evaluation.stories),
        "golds": [_fields(g) for g in evaluation.golds],
        "entities": [
            {
                "gold": r.gold,
                "set": r.gold,
                "status": r.status,
                "system": r.system,
                "labels": {k: _counts(c) for k, c in sorted(r.counts.items())},
            }
            for r in evaluation.entities
        ],
        "claims": [
            {
                # "gold" is overwritten by the gold count below (as it always was); "set" names the set.
                "gold": r.gold,
                "set": r.gold,
                "status": r.status,
                "variant": r.variant,
                "system": r.system,
                "note": r.note,
                "threshold": r.threshold,
                **_counts(r.scores.counts),
                "claimant": r.scores.share(r.scores.claimant_right),
                "cue": r.scores.share(r.scores.cue_right),
                "stance": r.scores.share(r.scores.stance_right, r.scores.stance_judged),
                "kind": r.scores.share(r.scores.kind_right, r.scores.kind_judged),
                "system_kinds": sorted(r.claim_kinds),
                "by_kind": {k: _kind_counts(c) for k, c in _kinds_in_order(r.scores.by_kind)},
                "by_construction": {
                    name: {
                        "gold": c.gold,
                        "matched": c.tp,
                        "recall": _rounded(c.recall if c.gold else None),
                        "matched_with_broad": r.with_broad.by_construction[name].tp if r.with_broad else None,
                    }
                    for name, c in r.scores.by_construction.items()
                },
            }
            for r in evaluation.claims
        ],
    }


def _not_scored_json(selection: Selection) -> list[dict[str, Any]]:
    return [
        *(
            {"gold": e.name, "path": str(e.path), "status": e.status, "exists": e.path.exists(), "reason": "blind"}
            for e in selection.held_back
        ),
        *(
            {"gold": e.name, "path": str(e.path), "status": e.status, "exists": False, "reason": "missing"}
            for e in selection.missing
        ),
        *(
            {"gold": p.name.split(".")[0], "path": str(p), "status": "unlabelled", "exists": True, "reason": "unlisted"}
            for p in selection.unlisted
        ),
    ]


def _fields(item: Any) -> dict[str, Any]:
    return {name: getattr(item, name) for name in item.__slots__}


def _counts(c: Counts) -> dict[str, Any]:
    return {
        "tp": c.tp,
        "predicted": c.predicted,
        "gold": c.gold,
        "precision": round(c.precision, 4),
        "recall": round(c.recall, 4),
        "f1": round(c.f1, 4),
    }


def _kind_counts(c: KindCounts) -> dict[str, Any]:
    same = c.same_kind / c.gold_matched if c.gold_matched else None
    return {
        "gold": c.gold,
        "predicted": c.predicted,
        "gold_matched": c.gold_matched,
        "predicted_matched": c.predicted_matched,
        "same_kind": c.same_kind,
        "precision": _rounded(c.precision),
        "recall": _rounded(c.recall),
        "f1": _rounded(c.f1),
        "same_kind_share": _rounded(same),
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _named(gold: GoldSummary) -> str:
    return f"{gold.name} [{gold.status}]"


def _scheme_note(scheme: str) -> str:
    if scheme == "conll":
        return "CoNLL labels; predictions mapped, same-type neighbours merged as IO tags do"
    return "OntoNotes labels; numeric types not scored"


def _entity_rows(results: list[EntityResult]) -> list[list[str]]:
    labels = sorted({label for r in results for label, c in r.counts.items() if c.gold and label != _OVERALL})
    rows = []
    for label in [_OVERALL, *labels]:
        for result in results:
            c = result.counts.get(label, Counts())
            rows.append(
                [result.system, label, _pct(c.precision), _pct(c.recall), _pct(c.f1), str(c.gold), str(c.predicted)]
            )
    return rows


def _claim_section(gold: GoldSummary, results: list[ClaimResult]) -> list[str]:
    results = sorted(results, key=lambda r: _VARIANT_ORDER.index(r.variant))  # stable: system, threshold stay
    broad = f", {gold.broad_claims} of them broad" if gold.broad_claims else ", none marked broad"
    counted = f"{gold.claims} gold claim{'' if gold.claims == 1 else 's'}"
    lines = ["", f"Claims, {_named(gold)}: {counted}{broad}", ""]
    lines += _table(
        ["claims", "system", "overlap >", "P", "R", "F1", "claimant", "cue", "stance", "kind", "gold", "predicted"],
        [_claim_row(r) for r in results],
    )
    rows, absent = _kind_rows(results)
    if rows:
        lines += ["", f"Claims by kind, {_named(gold)}; {_KINDS_INTRO}", ""]
        lines += _table(
            ["claims", "kind", "system", "overlap >", "P", "R", "F1", "same kind", "gold", "predicted"], rows
        )
        lines += [""] * bool(absent) + [f"- n/a: {note}" for note in absent]
    return lines


def _claim_row(r: ClaimResult) -> list[str]:
    s = r.scores
    return [
        r.variant,
        _system(r),
        f"{r.threshold:g}",
        _pct(s.counts.precision),
        _pct(s.counts.recall),
        _pct(s.counts.f1),
        _pct(s.share(s.claimant_right)),
        _pct(s.share(s.cue_right)),
        _pct(s.share(s.stance_right, s.stance_judged)) if s.stance_judged else "n/a",
        _pct(s.share(s.kind_right, s.kind_judged)) if s.kind_judged else "n/a",
        str(s.counts.gold),
        str(s.counts.predicted),
    ]


def _kind_rows(results: list[ClaimResult]) -> tuple[list[list[str]], list[str]]:
    """Rows grouped by variant, then kind, then system and threshold; and one note for
    each system with a gold kind it cannot emit (its precision there is n/a)."""
    rows, notes = [], {}
    for variant in dict.fromkeys(r.variant for r in results):
        of_variant = [r for r in results if r.variant == variant]
        kinds = dict.fromkeys(k for r in of_variant for k, _ in _kinds_in_order(r.scores.by_kind))
        for kind in kinds:
            for r in of_variant:
                c = r.scores.by_kind.get(kind, KindCounts())
                if c.gold and kind not in r.claim_kinds:
                    notes[(r.system, kind)] = (
                        f"{_system(r)} has no `{kind}` claims: its {kind} R is the share of gold {kind} claims "
                        "it finds under another kind"
                    )
                same = _pct(c.same_kind / c.gold_matched) if c.gold_matched else "n/a"
                rows.append(
                    [
                        variant,
                        kind,
                        _system(r),
                        f"{r.threshold:g}",
                        _optional_pct(c.precision),
                        _optional_pct(c.recall),
                        _optional_pct(c.f1),
                        same,
                        str(c.gold),
                        str(c.predicted),
                    ]
                )
    return rows, list(notes.values())


def _construction_rows(results: list[ClaimResult]) -> list[list[str]]:
    rows = []
    for variant in dict.fromkeys(r.variant for r in sorted(results, key=lambda r: _VARIANT_ORDER.index(r.variant))):
        of_variant = [r for r in results if r.variant == variant]
        for name in _constructions_in_order(of_variant):
            for r in of_variant:
                c = r.scores.by_construction.get(name, Counts())
                wide = r.with_broad.by_construction.get(name, Counts()) if r.with_broad else None
                rows.append(
                    [
                        variant,
                        name,
                        _system(r),
                        f"{r.threshold:g}",
                        str(c.gold),
                        _pct(c.recall) if c.gold else "n/a",
                        _pct(wide.recall) if wide is not None and wide.gold else "n/a",
                    ]
                )
    return rows


def _constructions_in_order(results: list[ClaimResult]) -> list[str]:
    seen = {name for r in results for name, c in r.scores.by_construction.items() if c.gold}
    return [name for name in CONSTRUCTIONS if name in seen] + sorted(seen - set(CONSTRUCTIONS))


def _kinds_in_order(by_kind: dict[str, KindCounts]) -> list[tuple[str, KindCounts]]:
    order = {kind: i for i, kind in enumerate(GOLD_KINDS)}
    return sorted(by_kind.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))


def _system(r: ClaimResult) -> str:
    return f"{r.system} ({r.note})" if r.note else r.system


def _unwritten(path: Path) -> str:
    return "" if path.exists() else ", not written yet"


def _shown(path: Path) -> Path:
    try:
        return path.resolve().relative_to(Path.cwd())
    except ValueError:
        return path


def _optional_pct(value: float | None) -> str:
    return "n/a" if value is None else _pct(value)
