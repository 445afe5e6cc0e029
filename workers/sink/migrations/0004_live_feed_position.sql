-- The explorer's live feed follows the articles in the order their transactions can no
-- longer change: written_xid is the id of the transaction that wrote the row (the same
-- for every row of a batch), written_seq orders the rows within it. A reader passes
-- only rows whose transaction id is below its snapshot's xmin (every transaction
-- below it has ended), so a transaction that started earlier but commits later is
-- never left behind the feed's position (workers/web/postgres.py). written_at stays:
-- it is what the pages show.
--
-- The index serves the feed (rows after a position, oldest first), the front page
-- (the newest rows) and the substring search of a stop-word query, which walks it
-- newest first and stops at a page of matches.
ALTER TABLE articles ADD COLUMN written_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE articles ADD COLUMN written_seq bigint GENERATED ALWAYS AS IDENTITY;
CREATE INDEX articles_feed_position_idx ON articles (written_xid, written_seq);
