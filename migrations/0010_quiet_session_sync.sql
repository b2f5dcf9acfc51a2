-- Workers sync the session rows every lease TTL. The first version upserted every row with
-- ON CONFLICT DO UPDATE, which locks each existing row even when nothing changes, so any
-- claim running meanwhile (FOR UPDATE SKIP LOCKED) skipped the whole fleet's sessions and
-- every sync left a dead tuple per session. Now new sessions are inserted, and only rows
-- whose pool, weight or state really changes are updated (and so locked).
CREATE OR REPLACE FUNCTION fleet_sync_sessions() RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
    WITH wanted AS (
      SELECT t.id AS tenant_id, t.worker_pool AS pool, p.session_weight AS weight
        FROM tenants t
        JOIN subscriptions s ON s.tenant_id = t.id AND s.status NOT IN ('cancelled', 'suspended')
        JOIN plans p ON p.code = s.plan_code
       WHERE t.status = 'active'
         AND EXISTS (SELECT 1 FROM bots b WHERE b.tenant_id = t.id AND b.status IN ('connected', 'degraded'))
    ), changed AS (
      UPDATE leases l SET pool = w.pool, weight = w.weight,
                          state = CASE WHEN l.state = 'stopped' THEN 'pending' ELSE l.state END
        FROM wanted w
       WHERE l.tenant_id = w.tenant_id
         AND (l.pool IS DISTINCT FROM w.pool OR l.weight IS DISTINCT FROM w.weight OR l.state = 'stopped')
    )
    INSERT INTO leases (tenant_id, pool, weight)
    SELECT tenant_id, pool, weight FROM wanted
    ON CONFLICT (tenant_id) DO NOTHING;
    UPDATE leases l SET state = 'stopped', worker_id = NULL, expires_at = NULL
     WHERE l.state IN ('pending', 'running', 'backoff')
       AND NOT EXISTS (
         SELECT 1 FROM tenants t
           JOIN subscriptions s ON s.tenant_id = t.id AND s.status NOT IN ('cancelled', 'suspended')
          WHERE t.id = l.tenant_id AND t.status = 'active'
            AND EXISTS (SELECT 1 FROM bots b WHERE b.tenant_id = t.id AND b.status IN ('connected', 'degraded')));
  $$;
