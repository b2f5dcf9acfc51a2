-- Idempotency-Key: a POST that creates work (a broadcast, a schedule, a plan request, a
-- Try-it message) records its key with its answer, in the same transaction as the work.
-- A retry with the key gets the stored answer instead of doing the work again; the same
-- key with another request is refused. The row is inserted when the request starts (a
-- concurrent retry waits on it) and carries the answer by the time it commits, so a
-- committed row always has one. Rows expire after a day (src/idempotency).
CREATE TABLE idempotency_keys (
  tenant_id            uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  key                  text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
  -- sha256 of method, route and body: tells a retry from another request under the same key
  request_fingerprint  bytea NOT NULL,
  response_status      smallint NOT NULL DEFAULT 0,
  response_body        text NOT NULL DEFAULT '',
  created_at           timestamptz NOT NULL DEFAULT now(),
  expires_at           timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (tenant_id, expires_at);
SELECT protect_tenant_table('idempotency_keys');
