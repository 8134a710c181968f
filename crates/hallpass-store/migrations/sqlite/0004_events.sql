-- Events: the audit record of every change to a session or to configuration, written in the
-- same transaction as the change. `data` is JSON text of the event's details (never session
-- data, tokens or secrets).

CREATE TABLE events (
    id           TEXT NOT NULL PRIMARY KEY, -- evt_ + ULID: sorts in creation order
    type         TEXT   NOT NULL,
    at           INTEGER NOT NULL,
    product      TEXT NOT NULL,
    env          TEXT,
    session_id   TEXT,
    identifier   TEXT,
    data         TEXT   NOT NULL,
    actor_kind   TEXT   NOT NULL CHECK (actor_kind IN ('admin', 'access', 'browser', 'system')),
    actor_key_id TEXT
) STRICT;

-- The audit query: a product's events newest first, optionally one session's or one user's.
CREATE INDEX events_by_product ON events (product, id);
CREATE INDEX events_by_session ON events (session_id, id) WHERE session_id IS NOT NULL;
CREATE INDEX events_by_identifier ON events (product, identifier, id) WHERE identifier IS NOT NULL;
-- The retention sweep.
CREATE INDEX events_by_at ON events (at);
