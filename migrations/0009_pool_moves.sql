-- A tenant moved to another worker pool (an operator pinned it to a dedicated pool) must
-- leave its current worker: a lease is renewed only by a worker of the lease's pool, so the
-- old holder drops the session at its next renewal and a worker of the new pool claims it
-- once the lease has expired (never two pollers at once).
CREATE OR REPLACE FUNCTION fleet_renew(p_worker text, p_tenants uuid[], p_epochs bigint[], p_ttl_ms integer)
  RETURNS TABLE (tenant_id uuid)
  LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
    UPDATE leases l SET expires_at = now() + p_ttl_ms * interval '1 millisecond'
      FROM unnest(p_tenants, p_epochs) AS held(tenant, epoch)
     WHERE l.tenant_id = held.tenant AND l.epoch = held.epoch AND l.worker_id = p_worker AND l.expires_at > now()
       AND l.pool = (SELECT w.pool FROM workers w WHERE w.id = p_worker)
    RETURNING l.tenant_id
  $$;
