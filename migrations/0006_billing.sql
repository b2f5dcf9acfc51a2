-- Billing: what a tenant paid, or asked to pay, for a plan; the operator's view of every
-- tenant; and notifications by Telegram besides e-mail. No payment provider is wired yet: an upgrade is a pending request that an
-- operator confirms (recording the reference of the invoice or transfer) or rejects.

CREATE TABLE payments (
  tenant_id     uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  plan_code     text NOT NULL REFERENCES plans(code),
  amount_cents  integer CHECK (amount_cents >= 0),   -- NULL: a custom price still to be agreed
  currency      text NOT NULL DEFAULT 'USD',
  status        text NOT NULL CHECK (status IN ('pending', 'paid', 'cancelled', 'failed', 'refunded')),
  method        text NOT NULL CHECK (method IN ('manual', 'stars')),
  reference     text CHECK (length(reference) <= 120),
  note          text CHECK (length(note) <= 300),    -- why it was cancelled or failed, in words
  note_code     text CHECK (note_code IN ('replaced', 'withdrawn', 'downgraded', 'other_plan', 'declined')),
  requested_by  uuid,                                -- the member who asked (NULL: an operator's entry)
  created_at    timestamptz NOT NULL DEFAULT now(),
  paid_at       timestamptz,
  decided_at    timestamptz,
  PRIMARY KEY (tenant_id, id)
);
-- At most one open request per tenant: a new one replaces the old in the same transaction.
CREATE UNIQUE INDEX payments_one_pending ON payments (tenant_id) WHERE status = 'pending';
CREATE INDEX payments_recent ON payments (tenant_id, created_at DESC);
SELECT protect_tenant_table('payments');

-- The operators' list of tenants: plan, recent quota usage, groups and
-- the open upgrade request. It answers only inside an operator tenant's scope, so a
-- caller that is not scoped to an operator gets nothing even if the API check were wrong.
CREATE FUNCTION admin_tenant_overview(p_query text, p_tenant uuid, p_limit integer)
  RETURNS TABLE (id uuid, name text, status text, is_operator boolean, worker_pool text, plan_code text, subscription_status text,
                 custom_max_groups integer, custom_messages_per_day integer, groups integer, time_zone text, usage_by_day jsonb,
                 created_at timestamptz, pending_payment jsonb)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT t.id, t.name, t.status, t.is_operator, t.worker_pool, s.plan_code, s.status, s.custom_max_groups, s.custom_messages_per_day,
           (SELECT count(*)::int FROM groups g WHERE g.tenant_id = t.id AND g.removed_at IS NULL),
           (SELECT c.value #>> '{}' FROM tenant_configs c WHERE c.tenant_id = t.id AND c.key = 'time_zone'),
           -- Yesterday to tomorrow in UTC: the tenant's "today" is one of them; the API picks it
           -- with the same zone arithmetic the quota uses.
           (SELECT jsonb_object_agg(u.day::text, u.used) FROM daily_usage u
             WHERE u.tenant_id = t.id AND u.day BETWEEN (now() AT TIME ZONE 'UTC')::date - 1 AND (now() AT TIME ZONE 'UTC')::date + 1),
           t.created_at,
           (SELECT jsonb_build_object('id', p.id, 'at', p.created_at, 'planCode', p.plan_code, 'amountCents', p.amount_cents,
                                      'currency', p.currency, 'status', p.status, 'method', p.method, 'reference', p.reference,
                                      'note', p.note, 'noteCode', p.note_code, 'paidAt', p.paid_at)
              FROM payments p WHERE p.tenant_id = t.id AND p.status = 'pending')
      FROM tenants t
      LEFT JOIN subscriptions s ON s.tenant_id = t.id AND s.status <> 'cancelled'
     WHERE EXISTS (SELECT 1 FROM tenants op WHERE op.id = current_tenant_id() AND op.is_operator)
       AND (p_query IS NULL OR strpos(lower(t.name), lower(p_query)) > 0)
       AND (p_tenant IS NULL OR t.id = p_tenant)
     ORDER BY t.created_at DESC, t.id
     LIMIT greatest(1, least(p_limit, 200))
  $$;

-- The operator tenants: a tenant's upgrade request is announced to each of them (in its own
-- scope, as any notification). Ids only.
CREATE FUNCTION billing_operator_tenants() RETURNS TABLE (tenant_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT id FROM tenants WHERE is_operator AND status = 'active'
  $$;

REVOKE ALL ON FUNCTION admin_tenant_overview(text, uuid, integer), billing_operator_tenants() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION admin_tenant_overview(text, uuid, integer), billing_operator_tenants() TO kovan_app;

-- Notifications reach owners by Telegram too (from the platform bot, to owners who linked
-- their Telegram account). Existing rows are not sent again: they start as skipped.
ALTER TABLE notifications
  ADD COLUMN telegram_status text NOT NULL DEFAULT 'skipped'
    CHECK (telegram_status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
  ADD COLUMN telegram_error  text,
  ADD COLUMN telegrammed_at  timestamptz;
CREATE INDEX notifications_telegram_pending ON notifications (tenant_id, created_at) WHERE telegram_status = 'pending';
