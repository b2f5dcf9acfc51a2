-- The public API's own state: teammate invitations, API keys, and outgoing webhooks with
-- their delivery log. docs/API.md describes how each is used.

-- ─── Invitations ──────────────────────────────────────────────────────────────────
-- An owner invites a teammate by e-mail; the e-mailed token (stored as SHA-256) works
-- once, before expires_at, and creates a member of this tenant with the invited role.
CREATE TABLE invitations (
  tenant_id           uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id                  uuid NOT NULL DEFAULT gen_random_uuid(),
  email               text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  role                text NOT NULL CHECK (role IN ('owner', 'admin', 'viewer')),
  token_hash          bytea NOT NULL,
  invited_by          uuid,
  expires_at          timestamptz NOT NULL,
  accepted_at         timestamptz,
  accepted_member_id  uuid,
  revoked_at          timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX invitations_token_hash_key ON invitations (token_hash);
-- At most one open invitation per address and tenant: inviting again replaces it.
CREATE UNIQUE INDEX invitations_open_email ON invitations (tenant_id, lower(email)) WHERE accepted_at IS NULL AND revoked_at IS NULL;
SELECT protect_tenant_table('invitations');

-- ─── API keys ─────────────────────────────────────────────────────────────────────
-- `kvk_<prefix>_<secret>`: the prefix is visible and unique (it finds the row), the whole
-- key is stored only as SHA-256 and compared in constant time; last4 helps people tell
-- keys apart. Revoked keys stay for the audit trail.
CREATE TABLE api_keys (
  tenant_id              uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id                     uuid NOT NULL DEFAULT gen_random_uuid(),
  name                   text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
  prefix                 text NOT NULL CHECK (prefix ~ '^[a-z0-9]{8}$'),
  token_hash             bytea NOT NULL,
  last4                  text NOT NULL,
  scopes                 text[] NOT NULL CHECK (scopes <@ ARRAY['read', 'write']::text[] AND cardinality(scopes) > 0),
  rate_limit_per_minute  integer NOT NULL DEFAULT 600 CHECK (rate_limit_per_minute BETWEEN 1 AND 100000),
  member_id              uuid NOT NULL,            -- who created it; the key acts on their behalf
  expires_at             timestamptz,
  last_used_at           timestamptz,
  revoked_at             timestamptz,
  created_at             timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX api_keys_prefix_key ON api_keys (prefix);
SELECT protect_tenant_table('api_keys');

-- ─── Outgoing webhooks ────────────────────────────────────────────────────────────
CREATE TABLE webhooks (
  tenant_id       uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  url             text NOT NULL CHECK (length(url) BETWEEN 8 AND 2048),
  description     text CHECK (length(description) <= 200),
  secret_sealed   text NOT NULL,                   -- AES-GCM: needed in clear to sign
  secret_last4    text NOT NULL,
  events          text[] NOT NULL DEFAULT '{}',    -- empty: every event type
  enabled         boolean NOT NULL DEFAULT true,
  created_by      uuid,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
SELECT protect_tenant_table('webhooks');

-- One row per (webhook, event): the durable queue and the log the tenant sees.
--   pending → sending → succeeded | pending (retry with backoff) | failed (attempts used up)
CREATE TABLE webhook_deliveries (
  tenant_id         uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id                uuid NOT NULL DEFAULT gen_random_uuid(),
  webhook_id        uuid NOT NULL,
  event_id          text NOT NULL,                 -- deterministic: a replayed event is a no-op
  event_type        text NOT NULL,
  payload           jsonb NOT NULL,
  status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'succeeded', 'failed')),
  attempts          integer NOT NULL DEFAULT 0,
  next_attempt_at   timestamptz NOT NULL DEFAULT now(),
  last_status_code  integer,
  last_error        text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  finished_at       timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, webhook_id, event_id),
  FOREIGN KEY (tenant_id, webhook_id) REFERENCES webhooks (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (tenant_id, webhook_id, created_at DESC, id DESC);
SELECT protect_tenant_table('webhook_deliveries');

-- ─── The narrow cross-tenant doors of the API ─────────────────────────────────────

-- Authentication with an API key: which tenant's key has this prefix? The caller compares
-- the hash itself (constant time) and checks revocation and expiry in the tenant's scope.
CREATE FUNCTION api_key_find(key_prefix text)
  RETURNS TABLE (tenant_id uuid, key_id uuid, token_hash bytea)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT k.tenant_id, k.id, k.token_hash FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
     WHERE k.prefix = key_prefix AND t.status <> 'deleted'
  $$;

-- Accepting an invitation (a public route): which open invitation has this token hash?
CREATE FUNCTION invitation_find(hash bytea)
  RETURNS TABLE (tenant_id uuid, invitation_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT i.tenant_id, i.id FROM invitations i JOIN tenants t ON t.id = i.tenant_id
     WHERE i.token_hash = hash AND i.accepted_at IS NULL AND i.revoked_at IS NULL
       AND i.expires_at > now() AND t.status = 'active'
  $$;

-- The webhook relay: which tenants have an enabled webhook (their event channels to follow)?
CREATE FUNCTION webhook_tenants()
  RETURNS TABLE (tenant_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT DISTINCT w.tenant_id FROM webhooks w JOIN tenants t ON t.id = w.tenant_id
     WHERE w.enabled AND t.status = 'active'
  $$;

-- The webhook dispatcher: which tenants have deliveries due now?
CREATE FUNCTION webhook_due_tenants(max_tenants integer)
  RETURNS TABLE (tenant_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT d.tenant_id FROM webhook_deliveries d
     WHERE d.status IN ('pending', 'sending') AND d.next_attempt_at <= now()
     GROUP BY d.tenant_id ORDER BY min(d.next_attempt_at) LIMIT max_tenants
  $$;

REVOKE ALL ON FUNCTION api_key_find(text), invitation_find(bytea), webhook_tenants(), webhook_due_tenants(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api_key_find(text), invitation_find(bytea), webhook_tenants(), webhook_due_tenants(integer) TO kovan_app;

-- ─── Read paths of the statistics API ─────────────────────────────────────────────
-- The dashboard reads the tenant totals (chat 0) over a day range: by chat first, a 30-day
-- range is 30 index entries instead of 30 days × every group.
CREATE INDEX stats_daily_chat_day ON stats_daily (tenant_id, chat_id, day);
