-- newsflow sink schema, version 1: the tables the sink writes from articles.enriched and
-- articles.dlq, the offsets it consumed (same transaction as the rows), the views for the
-- questions users ask, and select rights for the read-only role.
--
-- Spans are Unicode code-point offsets into articles.body, end exclusive, as on the wire:
-- substr(body, start_offset + 1, end_offset - start_offset) = text.

CREATE TABLE articles (
    article_id           text PRIMARY KEY,
    event_id             text NOT NULL,          -- hash of article id and body: the same content, the same id
    content_hash         text,                   -- workers.ids.content_hash(body); NULL when the event left the body out
    pipeline_version     text NOT NULL,
    model                text NOT NULL,
    model_version        text NOT NULL,
    processed_at         timestamptz NOT NULL,
    title                text,
    body                 text,                   -- NULL only with the flag body_omitted
    source               text,
    url                  text,
    language             text,
    detected_language    text,
    language_confidence  real,
    published_at         timestamptz,            -- NULL when absent or not a timestamp
    published_at_text    text,                   -- as received
    flags                text[] NOT NULL DEFAULT '{}',
    duplicate_of         text,                   -- an earlier article with the same or nearly the same text
    duplicate_kind       text CHECK (duplicate_kind IN ('exact', 'near')),
    duplicate_similarity real,
    entity_count         integer NOT NULL,
    claim_count          integer NOT NULL,
    kafka_topic          text NOT NULL,          -- where the sink read the event
    kafka_partition      integer NOT NULL,
    kafka_offset         bigint NOT NULL,
    written_at           timestamptz NOT NULL DEFAULT now(),
    search               tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(body, '')), 'B')
    ) STORED
);
CREATE INDEX articles_search_idx ON articles USING gin (search);
CREATE INDEX articles_published_at_idx ON articles (published_at);
CREATE INDEX articles_event_id_idx ON articles (event_id);

-- One row per entity id (workers.ids.entity_id: label and canonical name, the same in
-- every article), with the name, label and place data of the latest article naming it.
CREATE TABLE entities (
    entity_key     text PRIMARY KEY,
    name           text NOT NULL,
    label          text NOT NULL,
    geonames_id    integer,
    geo_name       text,
    feature_class  text,
    country_code   text,
    latitude       double precision,
    longitude      double precision,
    first_seen_at  timestamptz NOT NULL,         -- processed_at of the first article written
    last_seen_at   timestamptz NOT NULL          -- processed_at of the latest article naming it
);
CREATE INDEX entities_label_idx ON entities (label);

-- The entities of one article: its salience there, its date (for DATE entities).
CREATE TABLE article_entities (
    article_id     text NOT NULL REFERENCES articles ON DELETE CASCADE,
    entity_key     text NOT NULL,
    name           text NOT NULL,                -- as this article names it
    label          text NOT NULL,
    salience       real,
    date           text,
    mention_count  integer NOT NULL,
    PRIMARY KEY (article_id, entity_key)
);
CREATE INDEX article_entities_entity_idx ON article_entities (entity_key);

CREATE TABLE mentions (
    article_id    text NOT NULL REFERENCES articles ON DELETE CASCADE,
    ordinal       integer NOT NULL,              -- position in the event (entity by entity)
    entity_key    text NOT NULL,
    start_offset  integer NOT NULL,
    end_offset    integer NOT NULL,
    text          text NOT NULL,
    title         text,                          -- "Mr", "President" written before a person
    PRIMARY KEY (article_id, ordinal)
);
CREATE INDEX mentions_entity_idx ON mentions (entity_key);

CREATE TABLE claims (
    claim_id               text NOT NULL,        -- stable: hash of article id and spans
    article_id             text NOT NULL REFERENCES articles ON DELETE CASCADE,
    ordinal                integer NOT NULL,
    claimant_key           text,                 -- entity_key of the claimant, when linked
    claimant_text          text,
    claimant_start         integer,
    claimant_end           integer,
    cue_text               text NOT NULL,
    cue_lemma              text NOT NULL,
    cue_start              integer NOT NULL,
    cue_end                integer NOT NULL,
    content                text NOT NULL,
    content_start          integer NOT NULL,
    content_end            integer NOT NULL,
    kind                   text NOT NULL CHECK (kind IN ('direct', 'indirect', 'mixed', 'belief')),
    stance                 text NOT NULL,
    channel                text,
    channel_start          integer,
    channel_end            integer,
    recipient              text,
    original_speaker_key   text,
    original_speaker_text  text,
    broad                  boolean NOT NULL,     -- counts only in a broad attribution scheme
    search                 tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED,
    -- the claim id alone is unique in practice (it hashes the article id); keyed with the
    -- article so that no collision could ever make a batch fail for good
    PRIMARY KEY (article_id, claim_id)
);
CREATE INDEX claims_claim_id_idx ON claims (claim_id);
CREATE INDEX claims_claimant_idx ON claims (claimant_key);
CREATE INDEX claims_search_idx ON claims USING gin (search);

-- Inputs the pipeline could not enrich (from articles.dlq, origin 'worker') and records
-- the sink could not read (origin 'sink'). Keyed by where the sink read them.
CREATE TABLE dead_letters (
    read_topic      text NOT NULL,
    read_partition  integer NOT NULL,
    read_offset     bigint NOT NULL,
    origin          text NOT NULL CHECK (origin IN ('worker', 'sink')),
    reason          text NOT NULL,
    error           text NOT NULL,
    topic           text,                        -- where the failed input was
    partition       integer,
    "offset"        bigint,
    key             text,
    value           text,
    value_encoding  text,
    failed_at       timestamptz,
    article_id      text,
    replays         integer NOT NULL DEFAULT 0,
    attempts        integer NOT NULL DEFAULT 0,
    value_omitted   boolean NOT NULL DEFAULT false,
    written_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (read_topic, read_partition, read_offset)
);
CREATE INDEX dead_letters_reason_idx ON dead_letters (reason);

-- Kafka's pattern for offsets kept in an external store: written in the transaction
-- of the rows, read on partition assignment to seek.
CREATE TABLE sink_offsets (
    group_id     text NOT NULL,
    topic        text NOT NULL,
    partition    integer NOT NULL,
    next_offset  bigint NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, topic, partition)
);

-- ---------------------------------------------------------------------------
-- Views: the questions users ask
-- ---------------------------------------------------------------------------

-- How often an entity is mentioned per day (publication day, else processing day).
CREATE VIEW entity_mentions_per_day AS
SELECT m.entity_key,
       e.name,
       e.label,
       (coalesce(a.published_at, a.processed_at) AT TIME ZONE 'UTC')::date AS day,
       count(DISTINCT m.article_id) AS articles,
       count(*) AS mentions
  FROM mentions m
  JOIN articles a USING (article_id)
  LEFT JOIN entities e USING (entity_key)
 GROUP BY m.entity_key, e.name, e.label, day;

-- Every claim with its claimant and article.
CREATE VIEW claims_by_claimant AS
SELECT c.claimant_key,
       coalesce(e.name, c.claimant_text) AS claimant_name,
       c.claimant_text,
       c.claim_id,
       c.article_id,
       a.title,
       a.url,
       coalesce(a.published_at, a.processed_at) AS published_at,
       c.cue_lemma,
       c.content,
       c.kind,
       c.stance,
       c.channel,
       c.broad
  FROM claims c
  JOIN articles a USING (article_id)
  LEFT JOIN entities e ON e.entity_key = c.claimant_key;

-- Claims whose content mentions an entity (one row per claim and entity).
CREATE VIEW claims_about_entity AS
SELECT DISTINCT ON (m.entity_key, c.claim_id)
       m.entity_key,
       e.name AS entity_name,
       c.claim_id,
       c.article_id,
       a.title,
       coalesce(a.published_at, a.processed_at) AS published_at,
       c.claimant_key,
       c.claimant_text,
       c.cue_lemma,
       c.content,
       c.kind,
       c.stance,
       c.broad
  FROM claims c
  JOIN mentions m ON m.article_id = c.article_id
                 AND m.start_offset >= c.content_start
                 AND m.end_offset <= c.content_end
  JOIN articles a ON a.article_id = c.article_id
  LEFT JOIN entities e ON e.entity_key = m.entity_key
 ORDER BY m.entity_key, c.claim_id;

-- Pairs of entities named in the same articles (each pair once: entity_a < entity_b).
CREATE VIEW entity_cooccurrence AS
SELECT x.entity_key AS entity_a,
       ea.name AS name_a,
       y.entity_key AS entity_b,
       eb.name AS name_b,
       count(*) AS articles,
       max(coalesce(a.published_at, a.processed_at)) AS last_seen
  FROM article_entities x
  JOIN article_entities y ON y.article_id = x.article_id AND x.entity_key < y.entity_key
  JOIN articles a ON a.article_id = x.article_id
  LEFT JOIN entities ea ON ea.entity_key = x.entity_key
  LEFT JOIN entities eb ON eb.entity_key = y.entity_key
 GROUP BY x.entity_key, ea.name, y.entity_key, eb.name;

-- Articles (title and body) and claims (content) in one full-text surface:
--   SELECT * FROM search_documents WHERE document @@ websearch_to_tsquery('english', 'q')
-- Both branches filter on their own GIN index.
CREATE VIEW search_documents AS
SELECT 'article'::text AS kind,
       a.article_id AS id,
       a.article_id,
       a.title,
       coalesce(a.title, left(a.body, 200)) AS text,
       coalesce(a.published_at, a.processed_at) AS published_at,
       a.search AS document
  FROM articles a
UNION ALL
SELECT 'claim'::text AS kind,
       c.claim_id AS id,
       c.article_id,
       a.title,
       c.content AS text,
       coalesce(a.published_at, a.processed_at) AS published_at,
       c.search AS document
  FROM claims c
  JOIN articles a USING (article_id);

-- Ranked search with web-style syntax ("quoted phrase", or, -not): SELECT * FROM search('q').
CREATE FUNCTION search(query text, max_rows integer DEFAULT 50)
RETURNS TABLE (kind text, id text, article_id text, title text, text text,
               published_at timestamptz, rank real)
LANGUAGE sql STABLE AS $$
    SELECT d.kind, d.id, d.article_id, d.title, d.text, d.published_at,
           ts_rank(d.document, q) AS rank
      FROM search_documents d, websearch_to_tsquery('english', query) q
     WHERE d.document @@ q
     ORDER BY rank DESC, d.published_at DESC
     LIMIT max_rows
$$;
