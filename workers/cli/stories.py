"""``newsflow stories``: the story stage (no PATH), or the same code offline on files."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import orjson

from workers.cli.output import open_output
from workers.cli.progress import say
from workers.exceptions import ConfigError
from workers.inputs.exceptions import InputError
from workers.inputs.files import InputArticle, InputTally, check_article, read_inputs
from workers.pipeline.events import encode
from workers.settings import Settings
from workers.stories.article import StoryArticle, story_article
from workers.stories.assign import StoryAssigner, StoryParams
from workers.stories.events import link_events, story_event
from workers.stories.trends import TrendDetector, TrendParams
from workers.stories.version import stage_version

if TYPE_CHECKING:
    from workers.pipeline.enrich import Enricher

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "stories",
        help="group articles into stories and link their claims: the stage on Kafka, or offline on files",
        description="Two modes, one code. Without PATH: the story stage, a worker of its own. It "
        "consumes articles.enriched (NEWSFLOW_TOPIC_ENRICHED) in the group NEWSFLOW_STORIES_GROUP_ID, "
        "where one member holds every partition and the others stand by, and publishes each "
        "placement on stories and the claim links on claim-links (keyed by story id). Its state is "
        "journaled and checkpointed on <group>-changelog, so a restarted or standby member resumes "
        "where the last one stopped. Serves /metrics, /healthz, /readyz on "
        "NEWSFLOW_STORIES_METRICS_PORT (9401); runs until SIGINT or SIGTERM (exit 0; 70: Kafka did "
        'not take its records in time). See docs/stories.md, "The stream stage". '
        "With PATH: offline, no Kafka. Read articles in the order given, assign each to a story (an open one whose "
        "entities and text it matches, or a new one) and link the claims of a story that different "
        "claimants make about one proposition (contradicts, corroborates), with the same code as the "
        "stories stage. Inputs: enriched articles (articles.enriched values, e.g. the output of "
        "newsflow enrich), or raw articles, which are enriched first; .json, .jsonl, .txt, "
        "directories of them, or - for JSON lines on stdin. Writes one JSON line per article: "
        '{"story": <stories event>, "links": [<claim-links event>, ...], "trends": [<trends event>, ...]} '
        "(schemas/story.v1.json, schemas/claim-link.v1.json, schemas/trend.v1.json): the trends are "
        "those the article made cross, an entity named in far more articles in its window than "
        "in the windows before (docs/stories.md, Trends). Exit codes: 0 every input placed; 1 some "
        "input failed or none was found; 2 usage or configuration error.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="offline: input files, directories or -")
    p.add_argument(
        "--reset-state",
        nargs="?",
        const="here",
        choices=("here", "earliest"),
        metavar="FROM",
        help="stage: forget the saved state (e.g. after [E420]) and exit; with every stage stopped. "
        "'here' (the default) starts afresh where the old state had got to, 'earliest' places every "
        "article of the topic again",
    )
    p.add_argument("-o", "--output", metavar="OUT", help="write here instead of stdout")
    p.add_argument("--model", help="spaCy pipeline for raw articles (overrides NEWSFLOW_SPACY_MODEL)")
    defaults = StoryParams()
    p.add_argument(
        "--threshold",
        type=float,
        default=defaults.threshold,
        metavar="S",
        help=f"least match score to join a story, 0..1 (default {defaults.threshold})",
    )
    p.add_argument(
        "--idle-hours",
        type=float,
        default=defaults.idle.total_seconds() / 3600,
        metavar="H",
        help="a story closes after this many hours without a new article, in article time "
        f"(default {defaults.idle.total_seconds() / 3600:g})",
    )
    trends = TrendParams()
    p.add_argument(
        "--trend-window-hours",
        type=float,
        default=trends.window.total_seconds() / 3600,
        metavar="H",
        help=f"trends: the length of a window, in article time (default {trends.window.total_seconds() / 3600:g})",
    )
    p.add_argument(
        "--trend-baseline-windows",
        type=int,
        default=trends.baseline_windows,
        metavar="N",
        help="trends: an entity's baseline is its mean count over this many windows before "
        f"(default {trends.baseline_windows})",
    )
    p.add_argument(
        "--trend-min-count",
        type=int,
        default=trends.min_count,
        metavar="N",
        help=f"trends: least articles naming the entity in the window (default {trends.min_count})",
    )
    p.add_argument(
        "--trend-threshold",
        type=float,
        default=trends.threshold,
        metavar="Z",
        help=f"trends: least score (count - baseline) / sqrt(max(baseline, 1)) (default {trends.threshold:g})",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Assign every input of ``args.paths`` to a story; returns the exit code."""
    from datetime import timedelta

    if not 0 <= args.threshold <= 1 or args.idle_hours <= 0:
        say("newsflow stories: error: --threshold must be in 0..1 and --idle-hours above 0")
        return 2
    try:
        trend_params = TrendParams(
            window=timedelta(hours=args.trend_window_hours),
            baseline_windows=args.trend_baseline_windows,
            min_count=args.trend_min_count,
            threshold=args.trend_threshold,
        )
    except ConfigError as exc:
        say(f"newsflow stories: error: {exc}")
        return 2
    settings = settings.with_overrides(spacy_model=args.model)
    params = StoryParams(threshold=args.threshold, idle=timedelta(hours=args.idle_hours))
    if not args.paths:
        return _stage(args, settings, params)
    if args.reset_state:
        say("newsflow stories: error: --reset-state is for the stage (no PATH)")
        return 2
    assigner = StoryAssigner(params)
    version = stage_version(params, trend_params)
    detector = TrendDetector(trend_params, version=version)
    out = open_output(args.output)
    tally = InputTally()
    stories: set[str] = set()
    trends = 0
    try:
        for article in _articles(args.paths, settings, tally):
            assignment = assigner.assign(article)
            stories.add(assignment.story.id)
            found = detector.observe(article, assignment.story.id)
            trends += len(found)
            line = {
                "story": story_event(assignment, version),
                "links": link_events(assignment, version),
                "trends": found,
            }
            out.write(orjson.dumps(line) + b"\n")
            tally.done += 1
        out.flush()
    finally:
        if args.output:
            out.close()
    say(f"newsflow stories: {tally.done} articles in {len(stories)} stories, {tally.failed} failed; {trends} trends")
    return tally.exit_code


def _stage(args: argparse.Namespace, settings: Settings, params: StoryParams) -> int:
    from workers.stories.stage.runner import reset_state, run_stage  # Kafka clients: only here

    if args.output or args.model:
        say("newsflow stories: error: -o and --model are for the offline mode (with PATH)")
        return 2
    if args.reset_state:
        say(f"newsflow stories: {reset_state(settings, args.reset_state, params)}")
        return 0
    return run_stage(settings, params=params)


def _articles(paths: list[str], settings: Settings, tally: InputTally) -> Iterator[StoryArticle]:
    enricher: Enricher | None = None

    def failed(error: InputError) -> None:
        tally.failed += 1
        say(f"newsflow stories: {error}")

    for item in read_inputs(paths, on_error=failed):
        event = _enriched(item)
        if event is None:
            try:
                raw = check_article(item, max_body_bytes=settings.max_body_bytes)
            except InputError as error:
                failed(error)
                continue
            if enricher is None:
                enricher = _enricher(settings)
            event = orjson.loads(encode(enricher(raw)))
        try:
            yield story_article(event)
        except (KeyError, ValueError, TypeError) as exc:
            failed(InputError("E310", item.origin, f"not an enriched article the stories stage can read: {exc!r}"))


def _enriched(item: InputArticle) -> dict[str, Any] | None:
    """The record as an enriched event, or None when it is a raw article."""
    try:
        data = orjson.loads(item.value)
    except orjson.JSONDecodeError:
        return None
    if isinstance(data, dict) and "processing" in data and "entities" in data:
        return data
    return None


def _enricher(settings: Settings) -> Enricher:
    from workers.nlp.pipeline import load_pipeline
    from workers.pipeline.enrich import Enricher  # spaCy is heavy: only for raw inputs

    return Enricher(load_pipeline(settings.spacy_model))
