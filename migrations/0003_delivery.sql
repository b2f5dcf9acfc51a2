-- Delivery: the outbox every outgoing message passes through, the daily quota counter,
-- schedules (one-off, recurring, broadcasts) and their runs, and notifications to the tenant.
-- docs/DELIVERY.md explains the states and the guarantees these tables carry.

-- ─── Outbox ───────────────────────────────────────────────────────────────────────
-- One row per accepted message. Written in the same transaction as the decision to send
-- and the quota charge; drained by the worker holding the tenant's lease.
--   queued → claimed → sending → sent | failed        (claimed/sending carry the lease epoch)
--   queued/claimed → paused → queued                   (schedule paused and resumed)
--   queued/claimed/paused → cancelled
-- 'sending' is the attempt record, committed before the Telegram call: after a crash a row
-- still 'sending' is never sent again (docs/DELIVERY.md, "The guarantee").
CREATE TABLE outbox (
  tenant_id            uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id                   uuid NOT NULL DEFAULT gen_random_uuid(),
  seq                  bigint GENERATED ALWAYS AS IDENTITY,   -- arrival order within a priority
  idempotency_key      text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
  bot_id               uuid NOT NULL,
  chat_id              bigint NOT NULL,
  kind                 text NOT NULL CHECK (kind IN ('reply', 'join_request', 'welcome', 'invite', 'scheduled', 'broadcast', 'notification')),
  priority             smallint NOT NULL,                     -- lower goes first; derived from kind
  text                 text NOT NULL CHECK (length(text) BETWEEN 1 AND 16384),  -- HTML source; Telegram limits the parsed text
  parse_mode           text CHECK (parse_mode IN ('HTML')),
  reply_to_message_id  bigint,
  template_id          uuid,
  schedule_id          uuid,
  run_at               timestamptz,                           -- with schedule_id: the schedule run
  quota_day            date,                                  -- tenant-local day charged; NULL: quota-exempt
  not_before           timestamptz NOT NULL DEFAULT now(),
  status               text NOT NULL DEFAULT 'queued'
                       CHECK (status IN ('queued', 'paused', 'claimed', 'sending', 'sent', 'failed', 'cancelled')),
  attempts             integer NOT NULL DEFAULT 0,            -- Telegram calls made for this row
  claimed_by           text,                                  -- worker id of the claim
  claim_epoch          bigint,                                -- lease epoch of the claim (fencing)
  claim_expires_at     timestamptz,                           -- claims are leased, not held forever
  attempt_started_at   timestamptz,
  telegram_message_id  bigint,
  reason               text,                                  -- failed/cancelled: why; queued: last retry cause
  created_at           timestamptz NOT NULL DEFAULT now(),
  finished_at          timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX outbox_queue ON outbox (tenant_id, priority, seq) WHERE status = 'queued';
CREATE INDEX outbox_not_before ON outbox (tenant_id, not_before) WHERE status = 'queued';
CREATE INDEX outbox_in_progress ON outbox (tenant_id, claim_epoch) WHERE status IN ('claimed', 'sending');
CREATE INDEX outbox_schedule ON outbox (tenant_id, schedule_id, run_at) WHERE schedule_id IS NOT NULL;
CREATE INDEX outbox_finished ON outbox (tenant_id, finished_at) WHERE finished_at IS NOT NULL;
SELECT protect_tenant_table('outbox');

-- ─── Daily quota ──────────────────────────────────────────────────────────────────
-- Messages accepted per tenant-local day. The enqueue locks and raises this row in the
-- transaction that inserts the outbox rows, so concurrent enqueues cannot overshoot the
-- plan. The limit is not stored: it is read from the plan at each charge, so a plan change
-- takes effect at once.
CREATE TABLE daily_usage (
  tenant_id   uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  day         date NOT NULL,
  used        integer NOT NULL DEFAULT 0 CHECK (used >= 0),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, day)
);
SELECT protect_tenant_table('daily_usage');

-- ─── Schedules ────────────────────────────────────────────────────────────────────
-- A post of a template (or composed text) to chosen groups: once (run_at) or recurring
-- (cron in a time zone). A broadcast is a one-off schedule that runs when created.
CREATE TABLE schedules (
  tenant_id        uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id               uuid NOT NULL DEFAULT gen_random_uuid(),
  name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  delivery_kind    text NOT NULL CHECK (delivery_kind IN ('scheduled', 'broadcast')),
  template_id      uuid,
  text             text CHECK (length(text) BETWEEN 1 AND 16384),
  parse_mode       text CHECK (parse_mode IN ('HTML')),
  group_ids        uuid[] NOT NULL DEFAULT '{}',
  run_at           timestamptz,                  -- one-off
  cron             text,                         -- recurring: five fields, minute precision
  time_zone        text,                         -- cron's zone; NULL: the tenant's time_zone
  overflow         text NOT NULL DEFAULT 'next_day' CHECK (overflow IN ('next_day', 'reject')),
  status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'completed', 'cancelled')),
  next_run_at      timestamptz,
  last_run_at      timestamptz,
  idempotency_key  text CHECK (length(idempotency_key) BETWEEN 1 AND 200),
  created_by       uuid,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CHECK ((template_id IS NULL) <> (text IS NULL)),
  CHECK ((run_at IS NULL) <> (cron IS NULL))
);
CREATE UNIQUE INDEX schedules_idempotency_key ON schedules (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX schedules_due ON schedules (tenant_id, next_run_at) WHERE status = 'active';
SELECT protect_tenant_table('schedules');

-- One row per occurrence handled: (schedule_id, run_at) is the run id, so a repeated
-- runDueSchedules (two ticks, a restarted worker) never runs an occurrence twice.
CREATE TABLE schedule_runs (
  tenant_id    uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  schedule_id  uuid NOT NULL,
  run_at       timestamptz NOT NULL,
  status       text NOT NULL CHECK (status IN ('enqueued', 'skipped', 'failed')),
  reason       text,
  accepted     integer NOT NULL DEFAULT 0,     -- charged to the run's own day
  deferred     integer NOT NULL DEFAULT 0,     -- over that day's quota, charged to later days
  rejected     integer NOT NULL DEFAULT 0,
  started_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, schedule_id, run_at),
  FOREIGN KEY (tenant_id, schedule_id) REFERENCES schedules (tenant_id, id) ON DELETE CASCADE
);
SELECT protect_tenant_table('schedule_runs');

-- ─── Notifications ────────────────────────────────────────────────────────────────
-- What Kovan tells a tenant (quota at 80 % / 100 %, …). Recorded in the transaction of the
-- event; e-mailed to the owners afterwards (email_status is that small outbox's state).
CREATE TABLE notifications (
  tenant_id     uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  event         text NOT NULL,
  dedupe_key    text,                             -- at most one notification per key
  title         text NOT NULL,
  body          text NOT NULL,
  data          jsonb NOT NULL DEFAULT '{}',
  email_status  text NOT NULL DEFAULT 'pending' CHECK (email_status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
  email_error   text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  emailed_at    timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX notifications_dedupe_key ON notifications (tenant_id, dedupe_key) WHERE dedupe_key IS NOT NULL;
CREATE INDEX notifications_pending ON notifications (tenant_id, created_at) WHERE email_status = 'pending';
CREATE INDEX notifications_recent ON notifications (tenant_id, created_at DESC);
SELECT protect_tenant_table('notifications');
