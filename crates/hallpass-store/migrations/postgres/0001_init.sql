-- hallpass schema for PostgreSQL: the same tables and columns as on SQLite. Times are BIGINT
-- milliseconds since the Unix epoch (UTC); lists and configurations are JSON text; sealed
-- secrets and grace answers are BYTEA. Ids and tags use the "C" collation so that ordering
-- and `id < $n` compare bytes, as on SQLite, and indexes serve those comparisons.

CREATE TABLE products (
    tag             TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    name            TEXT   NOT NULL,
    envs            TEXT   NOT NULL, -- JSON array of env tags
    allowed_origins TEXT   NOT NULL, -- JSON array of origins
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    kind       TEXT   NOT NULL CHECK (kind IN ('admin', 'access', 'publishable')),
    product    TEXT COLLATE "C",
    env        TEXT COLLATE "C",
    name       TEXT   NOT NULL,
    hash       TEXT   NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE INDEX api_keys_by_product ON api_keys (product, created_at, id);

CREATE TABLE env_keys (
    kid           TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    product       TEXT COLLATE "C" NOT NULL,
    env           TEXT COLLATE "C" NOT NULL,
    purpose       TEXT   NOT NULL CHECK (purpose IN ('signing', 'data')),
    alg           TEXT   NOT NULL,
    sealed_secret BYTEA  NOT NULL,
    created_at    BIGINT NOT NULL,
    retired_at    BIGINT,
    verify_until  BIGINT
);

CREATE INDEX env_keys_by_env ON env_keys (product, env, purpose);

CREATE TABLE session_types (
    product    TEXT COLLATE "C" NOT NULL,
    tag        TEXT COLLATE "C" NOT NULL,
    config     TEXT   NOT NULL, -- JSON of SessionTypeConfig
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (product, tag)
);

CREATE TABLE sessions (
    id                    TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    product               TEXT COLLATE "C" NOT NULL,
    env                   TEXT COLLATE "C" NOT NULL,
    tag                   TEXT COLLATE "C" NOT NULL,
    identifier            TEXT COLLATE "C",
    data_jwe              TEXT   NOT NULL,
    created_at            BIGINT NOT NULL,
    token_lifetime_secs   BIGINT NOT NULL,
    token_issued_at       BIGINT NOT NULL,
    token_expires_at      BIGINT NOT NULL,
    refresh_expires_at    BIGINT NOT NULL,
    last_active_at        BIGINT NOT NULL,
    device_ip             TEXT,
    device_user_agent     TEXT,
    revoked_at            BIGINT,
    refresh_hash          TEXT   NOT NULL,
    previous_refresh_hash TEXT,
    rotated_at            BIGINT,
    grace_answer          BYTEA
);

-- list_sessions and revoke_all: one identifier's sessions, newest (highest ULID) first.
CREATE INDEX sessions_by_identifier ON sessions (product, env, tag, identifier, id);
-- delete_session_type: the sessions of one type across envs.
CREATE INDEX sessions_by_type ON sessions (product, tag);
-- sweep_expired.
CREATE INDEX sessions_by_refresh_expiry ON sessions (refresh_expires_at);
-- live_revocations: only revoked sessions are indexed, by when their last token expires.
CREATE INDEX sessions_revoked ON sessions (token_expires_at) WHERE revoked_at IS NOT NULL;
-- revocations_since (the catch-up query): revoked sessions by when they were revoked.
CREATE INDEX sessions_by_revoked_at ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;

-- Every refresh token hash a session was ever issued (current and older), for reuse detection.
CREATE TABLE refresh_tokens (
    hash       TEXT NOT NULL PRIMARY KEY,
    session_id TEXT COLLATE "C" NOT NULL REFERENCES sessions (id) ON DELETE CASCADE
);

CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);

-- Change notifications: every node LISTENs on `hallpass_changes` and applies what other nodes
-- committed (a notification is delivered only if, and when, its transaction commits). The
-- payload is `<kind> <fields…>` separated by single spaces; no field may contain a space
-- (ids, tags and hashes never do).

CREATE FUNCTION hallpass_notify_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hallpass_changes', 'revoked ' || NEW.id || ' ' || NEW.token_expires_at);
    RETURN NULL;
END $$;

CREATE TRIGGER sessions_revoked_notify AFTER UPDATE OF revoked_at ON sessions
    FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
    EXECUTE FUNCTION hallpass_notify_revoked();

CREATE FUNCTION hallpass_notify_api_key_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hallpass_changes', 'api_key_deleted ' || OLD.id);
    RETURN NULL;
END $$;

CREATE TRIGGER api_keys_deleted_notify AFTER DELETE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION hallpass_notify_api_key_deleted();

CREATE FUNCTION hallpass_notify_product_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hallpass_changes', 'product ' || OLD.tag);
    RETURN NULL;
END $$;

CREATE TRIGGER products_changed_notify AFTER UPDATE OR DELETE ON products
    FOR EACH ROW EXECUTE FUNCTION hallpass_notify_product_changed();

CREATE FUNCTION hallpass_notify_session_type_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hallpass_changes', 'session_type ' || OLD.product || ' ' || OLD.tag);
    RETURN NULL;
END $$;

CREATE TRIGGER session_types_changed_notify AFTER UPDATE OR DELETE ON session_types
    FOR EACH ROW EXECUTE FUNCTION hallpass_notify_session_type_changed();

CREATE FUNCTION hallpass_notify_env_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hallpass_changes', 'env_keys');
    RETURN NULL;
END $$;

CREATE TRIGGER env_keys_changed_notify AFTER INSERT OR UPDATE OR DELETE ON env_keys
    FOR EACH STATEMENT EXECUTE FUNCTION hallpass_notify_env_keys_changed();
