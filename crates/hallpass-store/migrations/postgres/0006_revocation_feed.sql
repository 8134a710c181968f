-- The revocation feed (docs/API.md §14.4) is per product and env, and every node serves it from
-- memory: the change notices of revocations and supersessions now also say the session's
-- product and env, and a supersession says when the data version moved (`before` for
-- verifiers that only read `iat`). New fields are appended, so the payload stays
-- `<kind> <fields…>` separated by single spaces; tags never contain one.

CREATE OR REPLACE FUNCTION hallpass_notify_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hallpass_changes',
        'revoked ' || NEW.id || ' ' || NEW.token_expires_at || ' ' || NEW.product || ' ' || NEW.env);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION hallpass_notify_superseded() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hallpass_changes',
        'superseded ' || NEW.id || ' ' || NEW.data_version || ' ' || NEW.superseded_until
        || ' ' || NEW.product || ' ' || NEW.env || ' ' || NEW.superseded_at);
    RETURN NULL;
END $$;
