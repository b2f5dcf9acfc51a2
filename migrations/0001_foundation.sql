-- Foundation: the application role, the tenant-isolation helper, tenants and accounts.
--
-- Two roles take part:
--   * the schema owner (whoever runs migrations) owns every object and has BYPASSRLS; the
--     application never connects as it. The narrow SECURITY DEFINER functions below run with
--     its rights, and they are the only cross-tenant doors (listed in docs/TENANCY.md).
--   * kovan_app: what the API and workers connect as. Owns nothing, no BYPASSRLS, so every
--     tenant table is filtered by the policy on app.tenant_id.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kovan_app') THEN
    CREATE ROLE kovan_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- another database in this cluster created it at the same moment
END $$;

GRANT USAGE ON SCHEMA public TO kovan_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO kovan_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO kovan_app;
REVOKE ALL ON schema_migrations FROM kovan_app;

-- The tenant the current transaction is scoped to, or NULL (then no tenant row is visible).
CREATE FUNCTION current_tenant_id() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;

-- Every tenant table calls this once: RLS on, forced (the owner is filtered too unless it
-- has BYPASSRLS), and one policy that both filters reads and checks writes.
CREATE FUNCTION protect_tenant_table(tbl regclass) RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
  EXECUTE format('CREATE POLICY tenant_isolation ON %s USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id())', tbl);
END $$;
REVOKE ALL ON FUNCTION protect_tenant_table(regclass) FROM PUBLIC;

-- Plans are a control-plane catalogue: readable by the app, changed only by migrations/operators.
CREATE TABLE plans (
  code              text PRIMARY KEY,
  name              text NOT NULL,
  price_cents       integer,                 -- NULL: custom pricing (Enterprise)
  currency          text NOT NULL DEFAULT 'USD',
  max_groups        integer,                 -- NULL: unlimited
  messages_per_day  integer,                 -- NULL: set per tenant (Enterprise)
  features          text[] NOT NULL DEFAULT '{}',
  session_weight    integer NOT NULL DEFAULT 1, -- share of a worker a session of this plan takes
  rank              integer NOT NULL,         -- order for upgrade/downgrade and gating
  public            boolean NOT NULL DEFAULT true
);
REVOKE INSERT, UPDATE, DELETE ON plans FROM kovan_app;

INSERT INTO plans (code, name, price_cents, max_groups, messages_per_day, features, session_weight, rank) VALUES
  ('basic',      'Basic',      1999, 5,    100,  '{basic_templates}', 1, 1),
  ('advanced',   'Advanced',   3999, 15,   500,  '{basic_templates,custom_templates,basic_analytics}', 2, 2),
  ('premium',    'Premium',    7999, NULL, 2000, '{basic_templates,custom_templates,advanced_templates,auto_reply,basic_analytics,advanced_analytics,reports,api_access}', 4, 3),
  ('enterprise', 'Enterprise', NULL, NULL, NULL, '{basic_templates,custom_templates,advanced_templates,auto_reply,basic_analytics,advanced_analytics,reports,api_access,dedicated_isolation,custom_limits}', 8, 4);

CREATE TABLE tenants (
  id           uuid PRIMARY KEY,
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'deleted')),
  is_operator  boolean NOT NULL DEFAULT false,
  worker_pool  text NOT NULL DEFAULT 'shared',
  created_at   timestamptz NOT NULL DEFAULT now()
);
-- tenants has no tenant_id column: its policy keys on id instead.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants USING (id = current_tenant_id()) WITH CHECK (id = current_tenant_id());

CREATE TABLE members (
  tenant_id        uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id               uuid NOT NULL DEFAULT gen_random_uuid(),
  username         text NOT NULL CHECK (username ~ '^[a-z0-9_.-]{3,32}$'),
  email            text NOT NULL CHECK (length(email) <= 254),
  password_hash    text,
  role             text NOT NULL CHECK (role IN ('owner', 'admin', 'viewer')),
  display_name     text,
  telegram_user_id bigint,
  language         text,
  failed_logins    integer NOT NULL DEFAULT 0,
  locked_until     timestamptz,
  last_login_at    timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
-- Logins are global: one username / e-mail / Telegram account belongs to one member anywhere.
CREATE UNIQUE INDEX members_username_key ON members (username);
CREATE UNIQUE INDEX members_email_key ON members (lower(email));
CREATE UNIQUE INDEX members_telegram_key ON members (telegram_user_id) WHERE telegram_user_id IS NOT NULL;
SELECT protect_tenant_table('members');

CREATE TABLE sessions (
  tenant_id        uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id               uuid NOT NULL DEFAULT gen_random_uuid(),
  member_id        uuid NOT NULL,
  token_hash       bytea NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  last_seen_at     timestamptz NOT NULL DEFAULT now(),
  idle_expires_at  timestamptz NOT NULL,
  expires_at       timestamptz NOT NULL,
  revoked_at       timestamptz,
  user_agent       text,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX sessions_token_hash_key ON sessions (token_hash);
SELECT protect_tenant_table('sessions');

CREATE TABLE password_resets (
  tenant_id   uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id          uuid NOT NULL DEFAULT gen_random_uuid(),
  member_id   uuid NOT NULL,
  token_hash  bytea NOT NULL,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX password_resets_token_hash_key ON password_resets (token_hash);
SELECT protect_tenant_table('password_resets');

CREATE TABLE subscriptions (
  tenant_id                uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id                       uuid NOT NULL DEFAULT gen_random_uuid(),
  plan_code                text NOT NULL REFERENCES plans(code),
  status                   text NOT NULL CHECK (status IN ('trialing', 'active', 'past_due', 'suspended', 'cancelled')),
  current_period_start     timestamptz NOT NULL DEFAULT now(),
  current_period_end       timestamptz,
  trial_ends_at            timestamptz,
  custom_max_groups        integer,       -- Enterprise: per-tenant limits
  custom_messages_per_day  integer,
  created_at               timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
-- One live subscription per tenant; history keeps the ended ones.
CREATE UNIQUE INDEX subscriptions_live_key ON subscriptions (tenant_id) WHERE status <> 'cancelled';
SELECT protect_tenant_table('subscriptions');

CREATE TABLE tenant_configs (
  tenant_id   uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  key         text NOT NULL,
  value       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  uuid,
  PRIMARY KEY (tenant_id, key)
);
SELECT protect_tenant_table('tenant_configs');

CREATE TABLE audit_log (
  tenant_id   uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id          bigint GENERATED ALWAYS AS IDENTITY,
  member_id   uuid,
  action      text NOT NULL,
  entity      text NOT NULL,
  entity_id   text,
  before      jsonb,
  after       jsonb,
  at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_log_at ON audit_log (tenant_id, at DESC);
SELECT protect_tenant_table('audit_log');

-- ─── The narrow cross-tenant doors ────────────────────────────────────────────────
-- Each answers one question with the least it can, for a caller that does not know the
-- tenant yet. They run as the owner (SECURITY DEFINER) with a fixed search_path.

-- Login: who is this username or e-mail, and what is needed to check the password?
CREATE FUNCTION auth_find_login(identifier text)
  RETURNS TABLE (tenant_id uuid, member_id uuid, password_hash text, locked_until timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT m.tenant_id, m.id, m.password_hash, m.locked_until
    FROM members m JOIN tenants t ON t.id = m.tenant_id
    WHERE (m.username = lower(identifier) OR lower(m.email) = lower(identifier)) AND t.status <> 'deleted'
  $$;

-- Authentication of a request: which live session does this token hash belong to, as
-- whom, and is its sliding expiry due to be extended (at most once a minute)? One round trip.
CREATE FUNCTION auth_find_session(hash bytea)
  RETURNS TABLE (tenant_id uuid, session_id uuid, member_id uuid, role text, needs_touch boolean)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT s.tenant_id, s.id, s.member_id, m.role, s.last_seen_at < now() - interval '1 minute'
      FROM sessions s JOIN tenants t ON t.id = s.tenant_id
      JOIN members m ON m.tenant_id = s.tenant_id AND m.id = s.member_id
     WHERE s.token_hash = hash AND s.revoked_at IS NULL AND s.expires_at > now()
       AND s.idle_expires_at > now() AND t.status <> 'deleted'
  $$;

-- Password reset: which member has this e-mail (request), which reset has this token (confirm)?
CREATE FUNCTION auth_find_member_by_email(address text)
  RETURNS TABLE (tenant_id uuid, member_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT m.tenant_id, m.id FROM members m WHERE lower(m.email) = lower(address)
  $$;

CREATE FUNCTION auth_find_password_reset(hash bytea)
  RETURNS TABLE (tenant_id uuid, reset_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT r.tenant_id, r.id FROM password_resets r
    WHERE r.token_hash = hash AND r.used_at IS NULL AND r.expires_at > now()
  $$;

-- Mini App login: which member linked this Telegram account?
CREATE FUNCTION auth_find_telegram_member(tg_user_id bigint)
  RETURNS TABLE (tenant_id uuid, member_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT m.tenant_id, m.id FROM members m WHERE m.telegram_user_id = tg_user_id
  $$;

-- Registration: is this username or e-mail taken anywhere? (answers a yes/no, nothing else)
CREATE FUNCTION auth_login_taken(wanted_username text, wanted_email text)
  RETURNS TABLE (username_taken boolean, email_taken boolean)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT EXISTS (SELECT 1 FROM members WHERE username = lower(wanted_username)),
           EXISTS (SELECT 1 FROM members WHERE lower(email) = lower(wanted_email))
  $$;

REVOKE ALL ON FUNCTION auth_find_login(text), auth_find_session(bytea), auth_find_member_by_email(text),
  auth_find_password_reset(bytea), auth_find_telegram_member(bigint), auth_login_taken(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_find_login(text), auth_find_session(bytea), auth_find_member_by_email(text),
  auth_find_password_reset(bytea), auth_find_telegram_member(bigint), auth_login_taken(text, text) TO kovan_app;
