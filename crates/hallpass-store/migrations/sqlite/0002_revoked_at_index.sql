-- revocations_since (the catch-up query): revoked sessions by when they were revoked.
CREATE INDEX sessions_by_revoked_at ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;
