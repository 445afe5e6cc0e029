-- The story stage's outputs (issue #22): stories, which article is in which story, the
-- claim links of a story, and trending entities; the views for the questions users ask.
-- Written by the sink from the stories, claim-links and trends topics, in the same
-- transaction as the offsets it consumed, as the article tables are.
--
-- Story events are keyed by story id, so one story's events arrive in order: a story's
-- row is its newest event. An article is in exactly one story: story_articles is keyed
-- by the article (a replay after a crash sends the same events again, which change
-- nothing; a stage of another version may move an article, and its newest event wins).

CREATE TABLE stories (
    story_id     text PRIMARY KEY,
    label        text NOT NULL,               -- built from the leading entities
    size         integer NOT NULL,            -- articles in the story as its newest event counted them
    sources      text[] NOT NULL DEFAULT '{}',
    first_seen   timestamptz NOT NULL,        -- stream time of its first and newest article
    last_seen    timestamptz NOT NULL,
    entities     jsonb NOT NULL,              -- leading entities: [{"id", "name", "weight"}]
    version      text NOT NULL,               -- the story stage's version
    written_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stories_last_seen_idx ON stories (last_seen DESC);

CREATE TABLE story_articles (
    article_id   text PRIMARY KEY,            -- one story per article
    story_id     text NOT NULL,
    matched      text NOT NULL CHECK (matched IN ('new', 'entities_and_text', 'duplicate')),
    score        real NOT NULL,
    at           timestamptz NOT NULL,        -- the article's time in the stream
    source       text,
    version      text NOT NULL
);
CREATE INDEX story_articles_story_idx ON story_articles (story_id, at);

-- One row per link (its id does not depend on which claim came first). Each side keeps
-- what the event said of it, so a link reads whole before (or without) its articles.
CREATE TABLE claim_links (
    link_id               text PRIMARY KEY,
    story_id              text NOT NULL,
    proposition           text NOT NULL,      -- the id of the proposition's first claim
    kind                  text NOT NULL CHECK (kind IN ('contradicts', 'corroborates')),
    claim_id              text NOT NULL,
    claim_article_id      text NOT NULL,
    claim_claimant        text,
    claim_stance          text NOT NULL,
    claim_polarity        text NOT NULL CHECK (claim_polarity IN ('asserts', 'denies')),
    claim_text            text NOT NULL,
    claim_start           integer NOT NULL,
    claim_end             integer NOT NULL,
    other_id              text NOT NULL,
    other_article_id      text NOT NULL,
    other_claimant        text,
    other_stance          text NOT NULL,
    other_polarity        text NOT NULL CHECK (other_polarity IN ('asserts', 'denies')),
    other_text            text NOT NULL,
    other_start           integer NOT NULL,
    other_end             integer NOT NULL,
    similarity            real NOT NULL,
    shared_entities       text[] NOT NULL DEFAULT '{}',
    version               text NOT NULL
);
CREATE INDEX claim_links_story_idx ON claim_links (story_id, proposition);

CREATE TABLE trends (
    trend_id      text PRIMARY KEY,           -- entity and window start
    entity_key    text NOT NULL,
    name          text NOT NULL,
    label         text NOT NULL,
    window_start  timestamptz NOT NULL,
    window_end    timestamptz NOT NULL,
    count         integer NOT NULL,
    baseline      real NOT NULL,
    score         real NOT NULL,
    statistic     text NOT NULL,
    stories       text[] NOT NULL DEFAULT '{}',
    version       text NOT NULL
);
CREATE INDEX trends_window_end_idx ON trends (window_end DESC);
CREATE INDEX trends_entity_idx ON trends (entity_key);

-- A story as its members count it: articles (copies included), originals (copies the
-- duplicate index flagged left out) and distinct sources.
CREATE VIEW story_summaries AS
SELECT s.story_id, s.label, s.first_seen, s.last_seen, s.entities,
       count(sa.article_id) AS articles,
       count(sa.article_id) FILTER (WHERE sa.matched <> 'duplicate') AS originals,
       count(DISTINCT sa.source) AS sources
FROM stories s
JOIN story_articles sa USING (story_id)
GROUP BY s.story_id;

-- The stories of the last day of the stream (stream time: the newest story's last
-- article, so a replayed or archived stream reads like a live one), by size; order by
-- sources for "by number of sources".
CREATE VIEW stories_last_day AS
SELECT *
FROM story_summaries
WHERE last_seen >= (SELECT max(last_seen) FROM stories) - interval '1 day'
ORDER BY originals DESC, sources DESC, last_seen DESC;

-- A story's timeline: its articles by time, with what the articles table holds of them
-- (NULL until the sink has written the article itself).
CREATE VIEW story_timeline AS
SELECT sa.story_id, sa.at, sa.article_id, sa.source, sa.matched, sa.score,
       a.title, a.url, a.duplicate_of
FROM story_articles sa
LEFT JOIN articles a USING (article_id);

-- A story's claims ledger: every linked claim once per proposition, with its claimant
-- and whether it asserts or denies the proposition; group by (story_id, proposition).
CREATE VIEW story_claims_ledger AS
SELECT DISTINCT ON (story_id, proposition, claim_id)
       story_id, proposition, claim_id, article_id, claimant, stance, polarity, text, start_offset, end_offset
FROM (
    SELECT story_id, proposition, claim_id, claim_article_id AS article_id, claim_claimant AS claimant,
           claim_stance AS stance, claim_polarity AS polarity, claim_text AS text,
           claim_start AS start_offset, claim_end AS end_offset
    FROM claim_links
    UNION ALL
    SELECT story_id, proposition, other_id, other_article_id, other_claimant,
           other_stance, other_polarity, other_text, other_start, other_end
    FROM claim_links
) sides
ORDER BY story_id, proposition, claim_id;
