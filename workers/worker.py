"""Wire the settings, the NLP core and the Faust adapter into a runnable worker."""

from __future__ import annotations

import faust

from workers.agents.enrich import register_enrich_agent
from workers.app import create_app
from workers.enrich import Enricher
from workers.nlp.pipeline import load_pipeline
from workers.process import RecordProcessor
from workers.settings import Settings
from workers.topics import declare_topics

__all__ = ["build_app", "run_worker"]


def build_app(settings: Settings, enricher: Enricher) -> faust.App:
    """A Faust app with the enrichment agent attached."""
    app = create_app(settings)
    register_enrich_agent(app, declare_topics(app, settings), RecordProcessor(enricher, settings))
    return app


def run_worker(settings: Settings) -> None:
    """Load the model, then consume until SIGINT/SIGTERM (Faust handles the signals).

    The model is loaded before the worker joins the consumer group, so a broken model
    setting fails at once instead of after partitions were assigned.
    """
    enricher = Enricher(load_pipeline(settings.spacy_model))
    app = build_app(settings, enricher)
    worker = faust.Worker(app, loglevel=settings.log_level, quiet=True)
    worker.execute_from_commandline()
