"""The pure pipeline: one input record in, its output records out; no Kafka here.

Decode and validate (``decode``), look before the NLP (``screening``, ``language``),
enrich (``enrich``), find duplicates (``dedup``), build dead letters (``dlq``), fan an
article out to the output topics (``events``), guard against poison pills
(``inflight``), and decide one record's outcome (``process``); ``replay`` chooses dead
letters to replay.
"""
