-- Webhooks: endpoints, the deliveries still to make, and the log of every attempt.

-- An event is dispatched once the deliveries it causes are written (in the dispatcher's
-- transaction); events recorded before this migration go to no endpoint.
ALTER TABLE events ADD COLUMN dispatched INTEGER NOT NULL DEFAULT 0;
UPDATE events SET dispatched = 1;
CREATE INDEX events_undispatched ON events (id) WHERE dispatched = 0;

CREATE TABLE webhooks (
    id            TEXT NOT NULL PRIMARY KEY,
    product       TEXT NOT NULL,
    env           TEXT,
    url           TEXT   NOT NULL,
    events        TEXT   NOT NULL, -- '*' or type names joined by commas
    description   TEXT,
    enabled       INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    sealed_secret BLOB   NOT NULL, -- sealed with the master key, bound to the id
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    failing_since INTEGER
) STRICT;
CREATE INDEX webhooks_by_product ON webhooks (product, created_at, id);

-- Deliveries still to make: a row from dispatch until delivered or given up.
CREATE TABLE webhook_deliveries (
    webhook_id      TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    payload         TEXT   NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_until   INTEGER, -- a node's lease while it makes an attempt
    PRIMARY KEY (webhook_id, event_id)
) STRICT;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at);

-- Every attempt, for GET /v1/webhooks/{id}/deliveries; swept with the events.
CREATE TABLE webhook_attempts (
    webhook_id  TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    event_type  TEXT   NOT NULL,
    at          INTEGER NOT NULL,
    attempt     INTEGER NOT NULL,
    status      INTEGER,
    error       TEXT,
    duration_ms INTEGER NOT NULL,
    PRIMARY KEY (webhook_id, event_id, attempt)
) STRICT;
CREATE INDEX webhook_attempts_by_webhook ON webhook_attempts (webhook_id, at);
CREATE INDEX webhook_attempts_by_at ON webhook_attempts (at);
