-- The session lifecycle after login: data changed in place (tokens of an older data version
-- are superseded), the time and methods of the user's last authentication.

ALTER TABLE sessions ADD COLUMN data_version BIGINT NOT NULL DEFAULT 0;
-- NULL for sessions started before this column existed: read as their created_at.
ALTER TABLE sessions ADD COLUMN auth_time BIGINT;
-- Authentication methods, separated by single spaces (a method never contains one).
ALTER TABLE sessions ADD COLUMN amr TEXT;
-- When the data version last moved, and until when tokens of older versions live.
ALTER TABLE sessions ADD COLUMN superseded_at BIGINT;
ALTER TABLE sessions ADD COLUMN superseded_until BIGINT;

-- live_supersessions: only updated sessions are indexed, by when their older tokens expire.
CREATE INDEX sessions_superseded ON sessions (superseded_until) WHERE superseded_until IS NOT NULL;
-- supersessions_since (the catch-up query).
CREATE INDEX sessions_by_superseded_at ON sessions (superseded_at) WHERE superseded_at IS NOT NULL;

CREATE FUNCTION hallpass_notify_superseded() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hallpass_changes',
        'superseded ' || NEW.id || ' ' || NEW.data_version || ' ' || NEW.superseded_until);
    RETURN NULL;
END $$;

CREATE TRIGGER sessions_superseded_notify AFTER UPDATE OF data_version ON sessions
    FOR EACH ROW WHEN (NEW.data_version > OLD.data_version)
    EXECUTE FUNCTION hallpass_notify_superseded();
