"""Format an :class:`~workers.evaluation.evaluate.Evaluation` as Markdown tables.

Markdown, so that the same text reads well in a terminal and pastes into the README.
Scores are percentages with one decimal, as the published quote-extractor figures.
"""

from __future__ import annotations

from typing import Any

from workers.evaluation.evaluate import ClaimResult, EntityResult, Evaluation
from workers.evaluation.scoring import Counts

__all__ = ["format_report", "to_json"]

_OVERALL = "overall"


def format_report(evaluation: Evaluation) -> str:
    """The gold sets, then entity scores per gold set, then claim scores."""
    lines = ["Gold sets:", ""]
    lines += _table(
        ["gold", "scheme", "documents", "entity mentions", "claims"],
        [
            [g.name, g.scheme if g.entities else "-", str(g.documents), str(g.entities), str(g.claims)]
            for g in evaluation.golds
        ],
    )
    for gold in evaluation.golds:
        results = [r for r in evaluation.entities if r.gold == gold.name]
        if not results:
            continue
        lines += ["", f"Entities, {gold.name} ({_scheme_note(gold.scheme)}): exact span and label", ""]
        lines += _table(["system", "label", "P", "R", "F1", "gold", "predicted"], _entity_rows(results))
    if evaluation.claims:
        lines += [
            "",
            "Claims: SFU Gender Gap Tracker matching (content overlap |gold ∩ pred| / |gold| above the "
            "threshold, one-to-one); claimant, cue and stance: share of matches that got them right",
            "",
        ]
        lines += _table(
            ["gold", "system", "overlap >", "P", "R", "F1", "claimant", "cue", "stance", "gold", "predicted"],
            [_claim_row(r) for r in evaluation.claims],
        )
    return "\n".join(lines) + "\n"


def to_json(evaluation: Evaluation) -> dict[str, Any]:
    """The evaluation as plain data (scores as fractions)."""
    return {
        "golds": [_fields(g) for g in evaluation.golds],
        "entities": [
            {"gold": r.gold, "system": r.system, "labels": {k: _counts(c) for k, c in sorted(r.counts.items())}}
            for r in evaluation.entities
        ],
        "claims": [
            {
                "gold": r.gold,
                "system": r.system,
                "note": r.note,
                "threshold": r.threshold,
                **_counts(r.scores.counts),
                "claimant": r.scores.share(r.scores.claimant_right),
                "cue": r.scores.share(r.scores.cue_right),
                "stance": r.scores.share(r.scores.stance_right, r.scores.stance_judged),
            }
            for r in evaluation.claims
        ],
    }


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


def _claim_row(r: ClaimResult) -> list[str]:
    s = r.scores
    system = f"{r.system} ({r.note})" if r.note else r.system
    stance = _pct(s.share(s.stance_right, s.stance_judged)) if s.stance_judged else "n/a"
    return [
        r.gold,
        system,
        f"{r.threshold:g}",
        _pct(s.counts.precision),
        _pct(s.counts.recall),
        _pct(s.counts.f1),
        _pct(s.share(s.claimant_right)),
        _pct(s.share(s.cue_right)),
        stance,
        str(s.counts.gold),
        str(s.counts.predicted),
    ]


def _pct(value: float) -> str:
    return f"{100 * value:.1f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(header[i]), *(len(r[i]) for r in rows)) if rows else len(header[i]) for i in range(len(header))]
    numeric = [all(_is_number(r[i]) for r in rows) and bool(rows) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        padded = [c.rjust(w) if n else c.ljust(w) for c, w, n in zip(cells, widths, numeric, strict=True)]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(("-" * (w + 1) + ":") if n else ("-" * (w + 2)) for w, n in zip(widths, numeric, strict=True))
        + "|"
    )
    return [line(header), rule, *(line(r) for r in rows)]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return cell == "n/a"
    return True
