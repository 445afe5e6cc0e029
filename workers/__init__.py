"""newsflow: a streaming news-enrichment pipeline on Apache Kafka.

Raw articles on ``articles.raw`` are enriched with named entities and attributed claims
by Faust stream workers and published to ``articles.enriched``, ``claims`` and
``entities``; inputs that cannot be enriched go to ``articles.dlq``.
"""

__version__ = "0.1.0"
