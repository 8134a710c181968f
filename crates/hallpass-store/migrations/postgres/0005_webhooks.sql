-- Webhooks: endpoints, the deliveries still to make, and the log of every attempt.

-- An event is dispatched once the deliveries it causes are written (in the dispatcher's
-- transaction); events recorded before this migration go to no endpoint.
ALTER TABLE events ADD COLUMN dispatched BIGINT NOT NULL DEFAULT 0;
UPDATE events SET dispatched = 1;
CREATE INDEX events_undispatched ON events (id) WHERE dispatched = 0;

CREATE TABLE webhooks (
    id            TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    product       TEXT COLLATE "C" NOT NULL,
    env           TEXT COLLATE "C",
    url           TEXT   NOT NULL,
    events        TEXT   NOT NULL, -- '*' or type names joined by commas
    description   TEXT,
    enabled       BIGINT NOT NULL CHECK (enabled IN (0, 1)),
    sealed_secret BYTEA  NOT NULL, -- sealed with the master key, bound to the id
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    failing_since BIGINT
);
CREATE INDEX webhooks_by_product ON webhooks (product, created_at, id);

-- Deliveries still to make: a row from dispatch until delivered or given up.
CREATE TABLE webhook_deliveries (
    webhook_id      TEXT COLLATE "C" NOT NULL,
    event_id        TEXT COLLATE "C" NOT NULL,
    payload         TEXT   NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_until   BIGINT, -- a node's lease while it makes an attempt
    PRIMARY KEY (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at);

-- Every attempt, for GET /v1/webhooks/{id}/deliveries; swept with the events.
CREATE TABLE webhook_attempts (
    webhook_id  TEXT COLLATE "C" NOT NULL,
    event_id    TEXT COLLATE "C" NOT NULL,
    event_type  TEXT   NOT NULL,
    at          BIGINT NOT NULL,
    attempt     BIGINT NOT NULL,
    status      BIGINT,
    error       TEXT,
    duration_ms BIGINT NOT NULL,
    PRIMARY KEY (webhook_id, event_id, attempt)
);
CREATE INDEX webhook_attempts_by_webhook ON webhook_attempts (webhook_id, at);
CREATE INDEX webhook_attempts_by_at ON webhook_attempts (at);
