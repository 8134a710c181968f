-- hallpass schema for SQLite. Times are INTEGER milliseconds since the Unix epoch (UTC);
-- lists and configurations are JSON text; sealed secrets and grace answers are BLOBs.

CREATE TABLE products (
    tag             TEXT    NOT NULL PRIMARY KEY,
    name            TEXT    NOT NULL,
    envs            TEXT    NOT NULL, -- JSON array of env tags
    allowed_origins TEXT    NOT NULL, -- JSON array of origins
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;

CREATE TABLE api_keys (
    id         TEXT    NOT NULL PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('admin', 'access', 'publishable')),
    product    TEXT,
    env        TEXT,
    name       TEXT    NOT NULL,
    hash       TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX api_keys_by_product ON api_keys (product, created_at, id);

CREATE TABLE env_keys (
    kid           TEXT    NOT NULL PRIMARY KEY,
    product       TEXT    NOT NULL,
    env           TEXT    NOT NULL,
    purpose       TEXT    NOT NULL CHECK (purpose IN ('signing', 'data')),
    alg           TEXT    NOT NULL,
    sealed_secret BLOB    NOT NULL,
    created_at    INTEGER NOT NULL,
    retired_at    INTEGER,
    verify_until  INTEGER
) STRICT;

CREATE INDEX env_keys_by_env ON env_keys (product, env, purpose);

CREATE TABLE session_types (
    product    TEXT    NOT NULL,
    tag        TEXT    NOT NULL,
    config     TEXT    NOT NULL, -- JSON of SessionTypeConfig
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (product, tag)
) STRICT;

CREATE TABLE sessions (
    id                    TEXT    NOT NULL PRIMARY KEY,
    product               TEXT    NOT NULL,
    env                   TEXT    NOT NULL,
    tag                   TEXT    NOT NULL,
    identifier            TEXT,
    data_jwe              TEXT    NOT NULL,
    created_at            INTEGER NOT NULL,
    token_lifetime_secs   INTEGER NOT NULL,
    token_issued_at       INTEGER NOT NULL,
    token_expires_at      INTEGER NOT NULL,
    refresh_expires_at    INTEGER NOT NULL,
    last_active_at        INTEGER NOT NULL,
    device_ip             TEXT,
    device_user_agent     TEXT,
    revoked_at            INTEGER,
    refresh_hash          TEXT    NOT NULL,
    previous_refresh_hash TEXT,
    rotated_at            INTEGER,
    grace_answer          BLOB
) STRICT;

-- list_sessions and revoke_all: one identifier's sessions, by id.
CREATE INDEX sessions_by_identifier ON sessions (product, env, tag, identifier, id);
-- delete_session_type: the sessions of one type across envs.
CREATE INDEX sessions_by_type ON sessions (product, tag);
-- sweep_expired.
CREATE INDEX sessions_by_refresh_expiry ON sessions (refresh_expires_at);
-- live_revocations: only revoked sessions are indexed, by when their last token expires.
CREATE INDEX sessions_revoked ON sessions (token_expires_at) WHERE revoked_at IS NOT NULL;

-- Every refresh token hash a session was ever issued (current and older), for reuse detection.
CREATE TABLE refresh_tokens (
    hash       TEXT NOT NULL PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE
) STRICT;

CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);
