-- Telegram runtime: tenants' bots, the groups they serve, the people they meet, message
-- history, templates and reply rules, daily statistics, and the fleet's workers and leases.

-- ─── Fleet (control plane) ───────────────────────────────────────────────────────
-- A worker process: registered at start, heartbeats, removed when it stops.
CREATE TABLE workers (
  id            text PRIMARY KEY,
  pool          text NOT NULL DEFAULT 'shared',
  capacity      integer NOT NULL CHECK (capacity > 0),
  version       text NOT NULL,
  hostname      text,
  pid           integer,
  started_at    timestamptz NOT NULL DEFAULT now(),
  heartbeat_at  timestamptz NOT NULL DEFAULT now(),
  draining      boolean NOT NULL DEFAULT false,
  health        jsonb NOT NULL DEFAULT '{}'
);

-- One row per tenant session: who runs it (worker_id), until when (expires_at, database
-- clock), and the fencing epoch, raised on every grant so a stale holder's writes fail.
CREATE TABLE leases (
  tenant_id      uuid PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  worker_id      text,
  epoch          bigint NOT NULL DEFAULT 0,
  expires_at     timestamptz,
  pool           text NOT NULL DEFAULT 'shared',
  weight         integer NOT NULL DEFAULT 1,
  state          text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'backoff', 'failed', 'stopped')),
  failures       integer NOT NULL DEFAULT 0,
  retry_at       timestamptz,
  last_error     text,
  restarts       integer NOT NULL DEFAULT 0,
  granted_at     timestamptz,
  health         jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX leases_worker ON leases (worker_id);
SELECT protect_tenant_table('leases');

-- ─── Bots ─────────────────────────────────────────────────────────────────────────
CREATE TABLE bots (
  tenant_id               uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id                      uuid NOT NULL DEFAULT gen_random_uuid(),
  telegram_bot_id         bigint NOT NULL,
  username                text NOT NULL,
  first_name              text NOT NULL,
  token_sealed            text NOT NULL,          -- AES-256-GCM under KOVAN_SECRET_KEY
  token_hint              text NOT NULL,          -- "123456:…wxyz", safe to show
  can_read_all_group_messages boolean NOT NULL DEFAULT false,
  mode                    text NOT NULL DEFAULT 'polling' CHECK (mode IN ('polling', 'webhook')),
  route_id                text NOT NULL,          -- opaque webhook path id, never the token
  webhook_secret_sealed   text NOT NULL,
  status                  text NOT NULL DEFAULT 'connected' CHECK (status IN ('connected', 'degraded', 'failed', 'disconnected')),
  status_reason           text,
  update_offset           bigint NOT NULL DEFAULT 0,
  last_update_at          timestamptz,
  last_send_at            timestamptz,
  last_error              text,
  last_error_at           timestamptz,
  webhook_checked_at      timestamptz,
  webhook_repairs         integer NOT NULL DEFAULT 0,
  created_at              timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
-- A Telegram bot serves one tenant: two would mean two pollers and stolen webhooks.
CREATE UNIQUE INDEX bots_telegram_bot_key ON bots (telegram_bot_id) WHERE status <> 'disconnected';
CREATE UNIQUE INDEX bots_route_key ON bots (route_id);
SELECT protect_tenant_table('bots');

-- Webhook ingress: which tenant and bot does this opaque route id belong to?
CREATE FUNCTION bot_find_route(route text)
  RETURNS TABLE (tenant_id uuid, bot_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT b.tenant_id, b.id FROM bots b WHERE b.route_id = route AND b.status <> 'disconnected'
  $$;
-- Connecting a bot: is this Telegram bot already served by another tenant? (yes/no only)
CREATE FUNCTION bot_is_taken(tg_bot_id bigint, except_tenant uuid)
  RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT EXISTS (SELECT 1 FROM bots WHERE telegram_bot_id = tg_bot_id AND status <> 'disconnected' AND tenant_id <> except_tenant)
  $$;
REVOKE ALL ON FUNCTION bot_find_route(text), bot_is_taken(bigint, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION bot_find_route(text), bot_is_taken(bigint, uuid) TO kovan_app;

-- Updates already handled, so a redelivered update (webhook retry, poller restart) is a no-op.
CREATE TABLE processed_updates (
  tenant_id    uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  bot_id       uuid NOT NULL,
  update_id    bigint NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, bot_id, update_id)
);
CREATE INDEX processed_updates_age ON processed_updates (received_at);
SELECT protect_tenant_table('processed_updates');

-- ─── Groups ───────────────────────────────────────────────────────────────────────
CREATE TABLE groups (
  tenant_id          uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id                 uuid NOT NULL DEFAULT gen_random_uuid(),
  bot_id             uuid NOT NULL,
  chat_id            bigint NOT NULL,
  type               text NOT NULL CHECK (type IN ('group', 'supergroup', 'channel')),
  title              text NOT NULL,
  username           text,
  member_count       integer,
  bot_status         text NOT NULL CHECK (bot_status IN ('member', 'administrator', 'restricted', 'left', 'kicked')),
  bot_can_invite     boolean NOT NULL DEFAULT false,
  bot_can_delete     boolean NOT NULL DEFAULT false,
  enabled            boolean NOT NULL DEFAULT true,
  paused_reason      text,                       -- e.g. over the plan's group limit
  settings           jsonb NOT NULL DEFAULT '{}',
  migrated_from_chat_id bigint,
  added_at           timestamptz NOT NULL DEFAULT now(),
  removed_at         timestamptz,
  updated_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, bot_id, chat_id)
);
SELECT protect_tenant_table('groups');

-- ─── Audience ─────────────────────────────────────────────────────────────────────
-- Everyone the tenant's bot has seen. Telegram user ids are BIGINT (they exceed 2^31).
CREATE TABLE tg_users (
  tenant_id         uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  user_id           bigint NOT NULL,
  username          text,
  first_name        text NOT NULL DEFAULT '',
  last_name         text,
  language_code     text,
  is_bot            boolean NOT NULL DEFAULT false,
  first_seen_at     timestamptz NOT NULL DEFAULT now(),
  last_seen_at      timestamptz NOT NULL DEFAULT now(),
  message_count     integer NOT NULL DEFAULT 0,
  started_at        timestamptz,   -- wrote to the bot privately: may receive private messages
  blocked_at        timestamptz,   -- blocked the bot: private messages stop
  dm_window_until   timestamptz,   -- join request: may be messaged until then (Telegram: 5 min)
  PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX tg_users_first_seen ON tg_users (tenant_id, first_seen_at);
SELECT protect_tenant_table('tg_users');

-- ─── History ──────────────────────────────────────────────────────────────────────
CREATE TABLE messages (
  tenant_id            uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id                   bigint GENERATED ALWAYS AS IDENTITY,
  bot_id               uuid NOT NULL,
  chat_id              bigint NOT NULL,
  chat_type            text NOT NULL,
  telegram_message_id  bigint,
  user_id              bigint,
  direction            text NOT NULL CHECK (direction IN ('in', 'out')),
  kind                 text NOT NULL,   -- text, command, join, leave, join_request, service, reply, welcome, invite, scheduled, broadcast
  text                 text,
  template_id          uuid,
  delivery_id          uuid,
  status               text NOT NULL,   -- in: received; out: sent, failed, rejected
  reason               text,
  at                   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX messages_at ON messages (tenant_id, at DESC, id DESC);
CREATE INDEX messages_chat_at ON messages (tenant_id, chat_id, at DESC, id DESC);
SELECT protect_tenant_table('messages');

-- ─── Templates and reply rules ────────────────────────────────────────────────────
CREATE TABLE templates (
  tenant_id    uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  kind         text NOT NULL CHECK (kind IN ('message', 'invite', 'reply')),
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
  content      text NOT NULL CHECK (length(content) BETWEEN 1 AND 4096),
  advanced     boolean NOT NULL DEFAULT false,  -- uses conditionals/filters (Premium)
  created_by   uuid,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, kind, name)
);
SELECT protect_tenant_table('templates');

CREATE TABLE reply_rules (
  tenant_id             uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id                    uuid NOT NULL DEFAULT gen_random_uuid(),
  name                  text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
  trigger_type          text NOT NULL CHECK (trigger_type IN ('keyword', 'regex', 'command')),
  trigger               text NOT NULL CHECK (length(trigger) BETWEEN 1 AND 200),
  case_sensitive        boolean NOT NULL DEFAULT false,
  scope                 text NOT NULL DEFAULT 'both' CHECK (scope IN ('groups', 'private', 'both')),
  group_ids             uuid[] NOT NULL DEFAULT '{}',  -- empty: every group
  template_id           uuid NOT NULL,
  priority              integer NOT NULL DEFAULT 100,  -- lower runs first
  cooldown_user_seconds integer NOT NULL DEFAULT 0 CHECK (cooldown_user_seconds >= 0),
  cooldown_chat_seconds integer NOT NULL DEFAULT 0 CHECK (cooldown_chat_seconds >= 0),
  enabled               boolean NOT NULL DEFAULT true,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, template_id) REFERENCES templates (tenant_id, id)
);
SELECT protect_tenant_table('reply_rules');

-- Last time a rule fired per user / per chat, for cooldowns.
CREATE TABLE reply_rule_hits (
  tenant_id  uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  rule_id    uuid NOT NULL,
  scope_key  text NOT NULL,   -- 'u:<user id>' or 'c:<chat id>'
  last_at    timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, rule_id, scope_key)
);
SELECT protect_tenant_table('reply_rule_hits');

-- ─── Statistics ───────────────────────────────────────────────────────────────────
-- Daily rollups kept current as updates and sends happen: dashboards read O(days) rows.
-- chat_id 0 holds the tenant-wide totals; other rows break them down per group.
CREATE TABLE stats_daily (
  tenant_id          uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  day                date NOT NULL,
  chat_id            bigint NOT NULL DEFAULT 0,
  messages_in        integer NOT NULL DEFAULT 0,
  messages_out       integer NOT NULL DEFAULT 0,
  new_users          integer NOT NULL DEFAULT 0,
  active_users       integer NOT NULL DEFAULT 0,
  joins              integer NOT NULL DEFAULT 0,
  leaves             integer NOT NULL DEFAULT 0,
  join_requests      integer NOT NULL DEFAULT 0,
  deliveries_failed  integer NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, day, chat_id)
);
SELECT protect_tenant_table('stats_daily');
