-- An article whose body makes a tsvector over PostgreSQL's 1 MB limit (SQLSTATE 54000:
-- a 900 KB body of distinct words) was refused whole, and dead-lettered: the store lost
-- its mentions and claims for want of a search index entry. The search vector stops being
-- a generated column, which cannot catch the error, and is filled by a trigger instead:
-- the same expression, and when it is over the limit the title's vector alone, with the
-- flag 'search_body_omitted' on the article. Bodies too short for the limit (a tsvector
-- takes at most about four bytes a body byte) skip the exception block and its
-- subtransaction, so the usual article costs what it did.
ALTER TABLE articles ALTER COLUMN search DROP EXPRESSION;

CREATE FUNCTION articles_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF octet_length(coalesce(NEW.body, '')) < 200000 THEN
        NEW.search := setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A')
                      || setweight(to_tsvector('english', coalesce(NEW.body, '')), 'B');
        RETURN NEW;
    END IF;
    BEGIN
        NEW.search := setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A')
                      || setweight(to_tsvector('english', coalesce(NEW.body, '')), 'B');
    EXCEPTION WHEN program_limit_exceeded THEN
        NEW.search := setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A');
        NEW.flags := array_append(NEW.flags, 'search_body_omitted');
    END;
    RETURN NEW;
END
$$;

CREATE TRIGGER articles_search_vector BEFORE INSERT OR UPDATE OF title, body ON articles
    FOR EACH ROW EXECUTE FUNCTION articles_search_vector();
