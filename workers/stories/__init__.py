"""Stories across sources: the second stage of the pipeline, its pure core.

One story per real-world event, built online from the stream of enriched articles
(:mod:`~workers.stories.assign`), and the claims of a story that corroborate or
contradict each other (:mod:`~workers.stories.links`). No Kafka here: the offline
command (``newsflow stories FILE...``) and the stage run this same code.

- :mod:`~workers.stories.article`: what the stage reads of an enriched event;
- :mod:`~workers.stories.text`: TF-IDF vectors learnt as the stream goes (scikit-learn);
- :mod:`~workers.stories.links`: claim links;
- :mod:`~workers.stories.assign`: the single-pass assigner and its parameters;
- :mod:`~workers.stories.trends`: entities named far above their own baseline (bursts);
- :mod:`~workers.stories.events`: an assignment as its ``stories`` and ``claim-links`` events;
- :mod:`~workers.stories.snapshot`: the assigner's whole state as bytes, and back;
- :mod:`~workers.stories.stage`: the stage on Kafka (``newsflow stories`` without a PATH),
  its thin adapter: one active member, a journal and checkpoints on a changelog.
"""
