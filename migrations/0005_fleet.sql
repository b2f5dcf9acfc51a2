-- Fleet: the cross-tenant doors workers use to share tenant sessions through leases.
-- Per-tenant writes (health, backoff, parking) happen inside the tenant's own RLS scope;
-- only what must see every tenant's row (claim, renew, load, sync, overview) is here.

-- Every active tenant with a working bot has a session row; tenants without one stop.
CREATE FUNCTION fleet_sync_sessions() RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
    INSERT INTO leases (tenant_id, pool, weight)
    SELECT t.id, t.worker_pool, p.session_weight
      FROM tenants t
      JOIN subscriptions s ON s.tenant_id = t.id AND s.status NOT IN ('cancelled', 'suspended')
      JOIN plans p ON p.code = s.plan_code
     WHERE t.status = 'active'
       AND EXISTS (SELECT 1 FROM bots b WHERE b.tenant_id = t.id AND b.status IN ('connected', 'degraded'))
    ON CONFLICT (tenant_id) DO UPDATE
       SET pool = EXCLUDED.pool, weight = EXCLUDED.weight,
           state = CASE WHEN leases.state = 'stopped' THEN 'pending' ELSE leases.state END;
    UPDATE leases l SET state = 'stopped', worker_id = NULL, expires_at = NULL
     WHERE l.state IN ('pending', 'running', 'backoff')
       AND NOT EXISTS (
         SELECT 1 FROM tenants t
           JOIN subscriptions s ON s.tenant_id = t.id AND s.status NOT IN ('cancelled', 'suspended')
          WHERE t.id = l.tenant_id AND t.status = 'active'
            AND EXISTS (SELECT 1 FROM bots b WHERE b.tenant_id = t.id AND b.status IN ('connected', 'degraded')));
  $$;

-- Grants this worker free or expired sessions of its pool, heaviest first, up to `budget`
-- weight units. Each grant raises the epoch: the fencing token of the new holder.
CREATE FUNCTION fleet_claim(p_worker text, p_pool text, p_budget integer, p_ttl_ms integer)
  RETURNS TABLE (tenant_id uuid, epoch bigint, weight integer)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  candidate record;
  used integer := 0;
BEGIN
  FOR candidate IN
    SELECT l.tenant_id, l.weight FROM leases l
     WHERE l.pool = p_pool AND l.state IN ('pending', 'running', 'backoff')
       AND (l.expires_at IS NULL OR l.expires_at < now())
       AND (l.retry_at IS NULL OR l.retry_at <= now())
     ORDER BY l.weight DESC, l.tenant_id
     FOR UPDATE SKIP LOCKED
  LOOP
    CONTINUE WHEN used + candidate.weight > p_budget;
    used := used + candidate.weight;
    UPDATE leases l SET worker_id = p_worker, epoch = l.epoch + 1, expires_at = now() + p_ttl_ms * interval '1 millisecond',
                        granted_at = now(), state = 'running', retry_at = NULL
     WHERE l.tenant_id = candidate.tenant_id
    RETURNING l.tenant_id, l.epoch, l.weight INTO tenant_id, epoch, weight;
    RETURN NEXT;
  END LOOP;
END $$;

-- Extends the leases this worker still holds with these epochs; returns the ones renewed.
-- A lease that already expired is NOT renewed: someone else may hold it by now.
CREATE FUNCTION fleet_renew(p_worker text, p_tenants uuid[], p_epochs bigint[], p_ttl_ms integer)
  RETURNS TABLE (tenant_id uuid)
  LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
    UPDATE leases l SET expires_at = now() + p_ttl_ms * interval '1 millisecond'
      FROM unnest(p_tenants, p_epochs) AS held(tenant, epoch)
     WHERE l.tenant_id = held.tenant AND l.epoch = held.epoch AND l.worker_id = p_worker AND l.expires_at > now()
    RETURNING l.tenant_id
  $$;

-- The pool's demand and supply: what a worker needs to compute its fair share.
CREATE FUNCTION fleet_pool_load(p_pool text, p_worker_ttl_ms integer)
  RETURNS TABLE (session_weight bigint, live_capacity bigint, live_workers bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT (SELECT coalesce(sum(weight), 0) FROM leases WHERE pool = p_pool AND state IN ('pending', 'running', 'backoff')),
           (SELECT coalesce(sum(capacity), 0) FROM workers WHERE pool = p_pool AND NOT draining AND heartbeat_at > now() - p_worker_ttl_ms * interval '1 millisecond'),
           (SELECT count(*) FROM workers WHERE pool = p_pool AND NOT draining AND heartbeat_at > now() - p_worker_ttl_ms * interval '1 millisecond')
  $$;

-- A worker reports the health of the sessions it holds (with these epochs) in one statement;
-- a session that has run well for a while has its failure streak forgiven.
CREATE FUNCTION fleet_report_health(p_worker text, p_tenants uuid[], p_epochs bigint[], p_health jsonb[], p_healthy boolean[])
  RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
    UPDATE leases l SET health = h.health, failures = CASE WHEN h.healthy THEN 0 ELSE l.failures END
      FROM unnest(p_tenants, p_epochs, p_health, p_healthy) AS h(tenant, epoch, health, healthy)
     WHERE l.tenant_id = h.tenant AND l.epoch = h.epoch AND l.worker_id = p_worker
  $$;

-- Operators' view of every session. The API checks the caller is an operator.
CREATE FUNCTION fleet_overview()
  RETURNS TABLE (tenant_id uuid, tenant_name text, pool text, weight integer, worker_id text, epoch bigint,
                 state text, expires_at timestamptz, granted_at timestamptz, failures integer, restarts integer,
                 last_error text, retry_at timestamptz, health jsonb)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT l.tenant_id, t.name, l.pool, l.weight, l.worker_id, l.epoch, l.state, l.expires_at, l.granted_at,
           l.failures, l.restarts, l.last_error, l.retry_at, l.health
      FROM leases l JOIN tenants t ON t.id = l.tenant_id ORDER BY l.state, t.name
  $$;

REVOKE ALL ON FUNCTION fleet_sync_sessions(), fleet_claim(text, text, integer, integer), fleet_renew(text, uuid[], bigint[], integer),
  fleet_pool_load(text, integer), fleet_overview(), fleet_report_health(text, uuid[], bigint[], jsonb[], boolean[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fleet_sync_sessions(), fleet_claim(text, text, integer, integer), fleet_renew(text, uuid[], bigint[], integer),
  fleet_pool_load(text, integer), fleet_overview(), fleet_report_health(text, uuid[], bigint[], jsonb[], boolean[]) TO kovan_app;
