-- The explorer collapses the copies the duplicate index flagged under their original
-- (issue #22): each list page asks for the copies of the originals it shows, by
-- duplicate_of. Only copies are indexed; an original has none.
CREATE INDEX articles_duplicate_of_idx ON articles (duplicate_of) WHERE duplicate_of IS NOT NULL;
