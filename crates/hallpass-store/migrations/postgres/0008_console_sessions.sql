-- Console sign-ins (docs/API.md §16): the hash of the cookie's token and the key it acts as.
-- Deleting the key ends its sign-ins.

CREATE TABLE console_sessions (
    token_hash   TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    key_id       TEXT COLLATE "C" NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);

-- The cascade from api_keys, and the sweep.
CREATE INDEX console_sessions_by_key ON console_sessions (key_id);
CREATE INDEX console_sessions_by_last_seen ON console_sessions (last_seen_at);
