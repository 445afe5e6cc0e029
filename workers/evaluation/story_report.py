"""The story sets' part of the ``newsflow eval`` report: Markdown tables and JSON.

Per story set: what it holds, the clustering of every run (the stage and its
baselines, :mod:`workers.evaluation.story_runs`) by BCubed and pairwise precision,
recall and F1, and the claim links of every run by kind. With ``grid``, also the
clustering at every entity weight and threshold (with the time window and without)
and the links on the gold stories at every pair of link thresholds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from workers.evaluation.markdown import pct, table
from workers.evaluation.scoring import Counts
from workers.evaluation.story_gold import LINK_KINDS
from workers.evaluation.story_scoring import LinkScores

if TYPE_CHECKING:  # they load scikit-learn; only their types are needed here
    from workers.evaluation.clustering import ClusterScores
    from workers.evaluation.story_runs import StoryResult

__all__ = ["format_stories", "stories_json"]

_LINKS_INTRO: Final = (
    "a predicted link matches a gold link of the same kind when each gold claim content is covered by "
    "more than 30% by one of the linked claims' contents (|gold ∩ pred| / |gold|, in either order), one to "
    "one; links across articles only (the gold links each claim to an earlier article; links within one "
    "article are counted apart); any kind = the same matching with the kinds ignored."
)


def format_stories(results: Sequence[StoryResult], *, grid: bool = False) -> list[str]:
    """The report's lines for the story sets."""
    lines: list[str] = []
    for r in results:
        links = ", ".join(f"{n} {kind}" for kind, n in r.gold_links.items())
        lines += [
            "",
            f"Stories, {r.gold} [{r.status}]: {r.articles} articles ({r.composed} composed), "
            f"{r.gold_stories} gold stories, {sum(r.gold_links.values())} gold claim links ({links})",
            "",
            f"- {r.gold} ({r.status}): {r.why or 'no reason given'}",
            f"- newsflow defaults: entity weight {r.params.entity_weight:g}, threshold {r.params.threshold:g}, "
            f"idle {r.params.idle.total_seconds() / 3600:g} h, link thresholds {r.params.link_threshold:g} "
            f"and {r.params.link_shared_threshold:g} with a shared entity",
            "",
        ]
        lines += table(
            ["run", "set by", "entity weight", "threshold", "stories", *_CLUSTER_HEADER],
            [
                [
                    run.name,
                    run.note,
                    _optional(run.entity_weight),
                    _optional(run.threshold),
                    str(run.clusters.predicted_stories),
                    *_cluster_cells(run.clusters),
                ]
                for run in r.runs
            ],
        )
        lines += ["", f"Claim links, {r.gold} [{r.status}]; {_LINKS_INTRO}", ""]
        rows = []
        for run in r.runs:
            for kind, counts in [*_kinds(run.links), ("any kind", run.links.any_kind)]:
                rows.append([run.name, kind, *_link_cells(counts)])
        lines += table(["run", "kind", "P", "R", "F1", "gold", "predicted", "matched"], rows)
        within = ", ".join(f"{run.name} {run.links.within_article}" for run in r.runs if run.links.within_article)
        lines += ["", f"- links within one article, not scored: {within or 'none'}"]
        if grid:
            lines += _grids(r)
    return lines


_CLUSTER_HEADER: Final = ["BCubed P", "BCubed R", "BCubed F1", "pairwise P", "pairwise R", "pairwise F1"]


def _cluster_cells(c: ClusterScores) -> list[str]:
    return [
        pct(c.bcubed_precision),
        pct(c.bcubed_recall),
        pct(c.bcubed_f1),
        pct(c.pairwise_precision),
        pct(c.pairwise_recall),
        pct(c.pairwise_f1),
    ]


def _kinds(links: LinkScores) -> list[tuple[str, Counts]]:
    return [*((kind, links.by_kind.get(kind, Counts())) for kind in LINK_KINDS), ("overall", links.overall)]


def _link_cells(c: Counts) -> list[str]:
    return [
        pct(c.precision) if c.predicted else "n/a",
        pct(c.recall) if c.gold else "n/a",
        pct(c.f1) if c.predicted and c.gold else "n/a",
        str(c.gold),
        str(c.predicted),
        str(c.tp),
    ]


def _grids(r: StoryResult) -> list[str]:
    idle = f"{r.params.idle.total_seconds() / 3600:g} h"
    lines = [
        "",
        f"Story clustering grid, {r.gold} [{r.status}]: BCubed F1 / pairwise F1 at each entity weight "
        f"(0 = text only, 1 = entities only) and threshold; window: the idle time of {idle}, or none (a century)",
        "",
    ]
    thresholds = sorted({g.threshold for g in r.grid})
    rows = []
    for window in (True, False):
        for weight in sorted({g.entity_weight for g in r.grid}):
            cells = {g.threshold: g for g in r.grid if g.window is window and g.entity_weight == weight}
            if cells:
                rows.append(
                    [
                        idle if window else "none",
                        f"{weight:g}",
                        *(
                            f"{pct(cells[t].clusters.bcubed_f1)}/{pct(cells[t].clusters.pairwise_f1)}"
                            if t in cells
                            else "-"
                            for t in thresholds
                        ),
                    ]
                )
    lines += table(["window", "entity weight", *(f"{t:g}" for t in thresholds)], rows)
    lines += [
        "",
        f"Claim-link grid on the gold stories, {r.gold} [{r.status}]: the link rule at each pair of thresholds "
        "(content cosine; content cosine with a shared entity that is not the story's topic)",
        "",
    ]
    lines += table(
        ["link threshold", "with shared entity", "P", "R", "F1", "predicted", "matched", "any kind"],
        [
            [
                f"{g.link_threshold:g}",
                f"{g.link_shared_threshold:g}",
                *_link_cells(g.links.overall)[:3],
                str(g.links.overall.predicted),
                str(g.links.overall.tp),
                str(g.links.any_kind.tp),
            ]
            for g in r.link_grid
        ],
    )
    return lines


def stories_json(results: Sequence[StoryResult]) -> list[dict[str, Any]]:
    """The story sets' results as plain data (scores as fractions; ``None`` where undefined)."""
    return [
        {
            "set": r.gold,
            "status": r.status,
            "why": r.why,
            "articles": r.articles,
            "composed": r.composed,
            "gold_stories": r.gold_stories,
            "gold_links": dict(r.gold_links),
            "params": {
                "entity_weight": r.params.entity_weight,
                "threshold": r.params.threshold,
                "idle_hours": r.params.idle.total_seconds() / 3600,
                "link_threshold": r.params.link_threshold,
                "link_shared_threshold": r.params.link_shared_threshold,
            },
            "runs": [
                {
                    "run": run.name,
                    "set_by": run.note,
                    "entity_weight": run.entity_weight,
                    "threshold": run.threshold,
                    "clusters": _clusters_json(run.clusters),
                    "links": _links_json(run.links),
                }
                for run in r.runs
            ],
            "grid": [
                {
                    "window": g.window,
                    "entity_weight": g.entity_weight,
                    "threshold": g.threshold,
                    "clusters": _clusters_json(g.clusters),
                }
                for g in r.grid
            ],
            "link_grid": [
                {
                    "link_threshold": g.link_threshold,
                    "link_shared_threshold": g.link_shared_threshold,
                    "links": _links_json(g.links),
                }
                for g in r.link_grid
            ],
        }
        for r in results
    ]


def _clusters_json(c: ClusterScores) -> dict[str, Any]:
    return {
        "articles": c.articles,
        "gold_stories": c.gold_stories,
        "predicted_stories": c.predicted_stories,
        "bcubed": {"precision": _r(c.bcubed_precision), "recall": _r(c.bcubed_recall), "f1": _r(c.bcubed_f1)},
        "pairwise": {
            "precision": _r(c.pairwise_precision),
            "recall": _r(c.pairwise_recall),
            "f1": _r(c.pairwise_f1),
        },
    }


def _links_json(links: LinkScores) -> dict[str, Any]:
    return {
        **{kind: _counts_json(c) for kind, c in _kinds(links)},
        "any_kind": _counts_json(links.any_kind),
        "within_article": links.within_article,
    }


def _counts_json(c: Counts) -> dict[str, Any]:
    return {
        "gold": c.gold,
        "predicted": c.predicted,
        "matched": c.tp,
        "precision": _r(c.precision) if c.predicted else None,
        "recall": _r(c.recall) if c.gold else None,
        "f1": _r(c.f1) if c.predicted and c.gold else None,
    }


def _optional(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _r(value: float) -> float:
    return round(value, 4)
