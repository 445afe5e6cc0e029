"""The story stage on Kafka (``newsflow stories`` without a PATH); see docs/stories.md.

- :mod:`~workers.stories.stage.assignor`: every partition to one member, the others stand by;
- :mod:`~workers.stories.stage.journal`: the changelog's records and the plan to resume (pure);
- :mod:`~workers.stories.stage.place`: one input record in, its output records out (pure);
- :mod:`~workers.stories.stage.kafka_io`: the changelog's follower, inputs read back by offset;
- :mod:`~workers.stories.stage.stage`: the loop: journal, place, publish, commit, checkpoint;
- :mod:`~workers.stories.stage.runner`: the process (metrics, signals) and ``--reset-state``.
"""
