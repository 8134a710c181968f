-- Events about the deployment itself (admin keys created or deleted) belong to no product.
-- SQLite cannot drop a NOT NULL constraint in place: the table is made anew and refilled.

CREATE TABLE events_new (
    id           TEXT NOT NULL PRIMARY KEY, -- evt_ + ULID: sorts in creation order
    type         TEXT   NOT NULL,
    at           INTEGER NOT NULL,
    product      TEXT,
    env          TEXT,
    session_id   TEXT,
    identifier   TEXT,
    data         TEXT   NOT NULL,
    actor_kind   TEXT   NOT NULL CHECK (actor_kind IN ('admin', 'access', 'browser', 'system')),
    actor_key_id TEXT
) STRICT;

INSERT INTO events_new SELECT * FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;

CREATE INDEX events_by_product ON events (product, id);
CREATE INDEX events_by_session ON events (session_id, id) WHERE session_id IS NOT NULL;
CREATE INDEX events_by_identifier ON events (product, identifier, id) WHERE identifier IS NOT NULL;
CREATE INDEX events_by_at ON events (at);
