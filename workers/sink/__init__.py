"""The PostgreSQL sink: ``articles.enriched``, ``articles.dlq`` and the story stage's
``stories``, ``claim-links`` and ``trends`` into tables.

Modules: :mod:`~workers.sink.tables` (a row type per table), :mod:`~workers.sink.rows` (pure: the rows
of one event), :mod:`~workers.sink.story_rows` (pure: the rows of a story-stage event),
:mod:`~workers.sink.story_store` (which of a key's story-stage events wins, and their
writes), :mod:`~workers.sink.batch` (pure: records into a batch), :mod:`~workers.sink.parts` (pure: an
article event's left-out entities and claims put back) and :mod:`~workers.sink.part_reader` (reads
them from their topics), :mod:`~workers.sink.schema`
(migrations), :mod:`~workers.sink.store` (PostgreSQL adapter), :mod:`~workers.sink.retry` (which
database failures a retry can outlast, and the waits), :mod:`~workers.sink.consumer` (Kafka adapter),
:mod:`~workers.sink.local_cluster` (throwaway server for tests and bench); errors in
:mod:`~workers.sink.exceptions`.

Schema (``migrations/0001_init.sql``; spans are code-point offsets into the body, end
exclusive):

- ``articles`` (``article_id`` PK): the event's id, content hash, pipeline version,
  model, processed_at, title, body, source, url, languages, published_at, flags,
  duplicate_of, counts, the Kafka position it was read at, and ``search`` (a ``tsvector``
  of title and body, GIN index; filled by a trigger since ``0003``, the title's alone
  with the flag ``search_body_omitted`` when the whole is over PostgreSQL's 1 MB).
- ``entities`` (``entity_key`` PK, the global id ``label:slug`` of ``workers.ids``):
  latest name, label and place data (GeoNames id, country, lat/lon), first/last seen.
- ``article_entities`` (article_id, entity_key): salience, date, mention count.
- ``mentions`` (article_id, ordinal): entity_key, start/end offsets, text, title.
- ``claims`` (article_id, claim_id): claim id (indexed), claimant entity key, text and span, cue text,
  lemma and span, content and span, kind, stance, channel, recipient, original speaker,
  broad, and ``search`` (``tsvector`` of the content, GIN index).
- ``dead_letters`` (read topic, partition, offset): the worker's dead letters and the
  records the sink could not read (``origin``).
- ``sink_offsets`` (group, topic, partition): the next offset to read, written in the
  transaction of the rows.
- ``schema_migrations``: versions applied.

From the story stage (``migrations/0005_stories.sql``): ``stories`` (one row per story,
its newest event), ``story_articles`` (one per article), ``claim_links`` (one per link)
and ``trends`` (one per entity and window); views ``story_summaries``,
``stories_last_day``, ``story_timeline`` and ``story_claims_ledger``.

Views: ``entity_mentions_per_day``, ``claims_by_claimant``, ``claims_about_entity``,
``entity_cooccurrence``, ``search_documents`` and the function ``search(query, max_rows)``.
The role ``newsflow_reader`` may select from the views and the tables the explorer
shows (``READER_RELATIONS`` in :mod:`~workers.sink.schema`), not from ``dead_letters``,
``sink_offsets`` or ``schema_migrations``.

An article re-enriched (another event id, i.e. other content, or another pipeline
version) replaces all its rows in one transaction; the same event twice is written once.
"""

from __future__ import annotations
