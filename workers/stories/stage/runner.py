"""``newsflow stories`` (no PATH) as a process: logging, metrics server, signals, the stage.

Exit codes: 0 after SIGINT/SIGTERM (the batch in hand finished, a checkpoint written,
the group left); 70 when Kafka did not take the stage's records in time ([E424]: nothing
of the batch committed, the orchestrator restarts it); 2 for an error an operator must
act on ([E420]-[E423]), through the CLI's error handling.
"""

from __future__ import annotations

import logging
import threading
from typing import Literal

from prometheus_client import CollectorRegistry, PlatformCollector, ProcessCollector

from workers.kafka.client import wait_for_broker
from workers.metrics import StoriesMetrics
from workers.processes import setup_logging, stop_on_signals
from workers.settings import Settings
from workers.stories.assign import StoryAssigner, StoryParams
from workers.stories.exceptions import StageUnavailable
from workers.stories.stage.journal import SLOTS, Fence, StateLog, fence_key, manifest_key, plan_resume
from workers.stories.stage.kafka_io import ChangelogFollower
from workers.stream.health import HealthServer, Readiness

__all__ = ["EXIT_UNAVAILABLE", "ResetFrom", "reset_state", "run_stage"]

log = logging.getLogger("workers.stories.stage")

#: EX_SOFTWARE, as the worker: Kafka did not take the stage's writes in time.
EXIT_UNAVAILABLE = 70
ResetFrom = Literal["here", "earliest"]


def run_stage(settings: Settings, *, params: StoryParams | None = None, stop: threading.Event | None = None) -> int:
    """Serve metrics and run the stage until SIGINT/SIGTERM (or ``stop``); the exit code."""
    from workers.stories.stage.stage import StoryStage  # kafka clients: only when the stage runs

    setup_logging(settings.log_level)
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        stop_on_signals(stop, "stories")
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    metrics = StoriesMetrics(registry)
    readiness = Readiness(metrics, needs_partitions=False, starting="starting (reading the stage's changelog)")
    server = None
    if settings.stories_metrics_port:
        server = HealthServer(
            metrics,
            readiness,
            host=settings.metrics_host,
            port=settings.stories_metrics_port,
            port_setting="NEWSFLOW_STORIES_METRICS_PORT",
        )
        server.start()
    try:
        wait_for_broker(settings)
        stage = StoryStage(settings, metrics, readiness, stop=stop, params=params)
        log.info(
            "stories: %s -> %s, %s as group %s (one member active, the others standby), version %s",
            settings.topic_enriched,
            settings.topic_stories,
            settings.topic_claim_links,
            settings.stories_group_id,
            stage.version,
        )
        try:
            stage.run()
        except StageUnavailable as exc:
            if "[E424]" not in str(exc):
                raise
            log.critical("stories: %s", exc)
            return EXIT_UNAVAILABLE
        log.info("stories: stopped")
        return 0
    finally:
        if server is not None:
            server.stop()


def reset_state(settings: Settings, start: ResetFrom, params: StoryParams | None = None) -> str:
    """Forget the stage's saved state; returns what was done, for the operator.

    ``here``: a fresh state that resumes at the inputs the old one had reached (open
    stories are forgotten, nothing is placed twice). ``earliest``: no state and no
    offsets, so the stage places every article of ``articles.enriched`` again. Run it
    with every stage process stopped.
    """
    from workers.stories.stage.stage import StoryStage

    wait_for_broker(settings)
    state = StateLog()
    follower = ChangelogFollower(settings, state)
    follower.start()
    try:
        follower.catch_up(120.0)
        plan = plan_resume(state)
        # The old state is read without restoring it: its offsets come from its manifests
        # and journal, which name no stage version.
        offsets = dict(plan.offsets) if start == "here" else {}
        gone: list[tuple[bytes, bytes | None]] = [
            (key, None) for prefix in (b"journal/", b"fence/", b"chunk/") for key in state.items(prefix)
        ]
        gone += [(manifest_key(slot), None) for slot in SLOTS]
    finally:
        follower.close()
    metrics = StoriesMetrics(CollectorRegistry())
    stage = StoryStage(settings, metrics, Readiness(metrics), params=params)
    try:
        stage.write_changelog(gone)
        if offsets:
            epoch = plan.epoch + 1
            stage.placer = stage.new_placer(StoryAssigner(stage.params))
            stage.epoch, stage.seq, stage.offsets = epoch, plan.seq, offsets
            stage.write_changelog([(fence_key(epoch), Fence(epoch, plan.seq + 1, "reset-state").encode())])
            stage.checkpoint()
    finally:
        stage.close()
    where = f"resumes at {offsets}" if offsets else "places every article of the topic again"
    return f"the story stage's state is reset: it {where}"
