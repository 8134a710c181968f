-- The session lifecycle after login: data changed in place (tokens of an older data version
-- are superseded), the time and methods of the user's last authentication.

ALTER TABLE sessions ADD COLUMN data_version INTEGER NOT NULL DEFAULT 0;
-- NULL for sessions started before this column existed: read as their created_at.
ALTER TABLE sessions ADD COLUMN auth_time INTEGER;
-- Authentication methods, separated by single spaces (a method never contains one).
ALTER TABLE sessions ADD COLUMN amr TEXT;
-- When the data version last moved, and until when tokens of older versions live.
ALTER TABLE sessions ADD COLUMN superseded_at INTEGER;
ALTER TABLE sessions ADD COLUMN superseded_until INTEGER;

-- live_supersessions: only updated sessions are indexed, by when their older tokens expire.
CREATE INDEX sessions_superseded ON sessions (superseded_until) WHERE superseded_until IS NOT NULL;
-- supersessions_since (the catch-up query).
CREATE INDEX sessions_by_superseded_at ON sessions (superseded_at) WHERE superseded_at IS NOT NULL;
