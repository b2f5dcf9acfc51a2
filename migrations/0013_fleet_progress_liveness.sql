-- Issue 12: the fleet never starves a session, and a crashed worker's sessions move in
-- seconds instead of a lease TTL.
--
-- Progress: a session that waits longer than the overdue bound may be claimed beyond the
-- fair-share ceiling (src/fleet/fair-share.ts decides how much); leases record since when
-- they wait, and the pool load tells the heaviest overdue session and the roomiest worker.
-- Weights follow plan changes: fleet_renew returns each lease's weight.
--
-- Liveness: a worker holds a session-level advisory lock (class 4943734, its liveness_key)
-- on a dedicated connection. PostgreSQL releases it the moment the worker's process dies,
-- so peers notice within a second and reclaim its leases instead of waiting out the TTL. A
-- paused worker keeps its connection, so its lock, and is fenced by the lease epoch as
-- before. Workers without a key (PGlite, one process) are judged by heartbeat only.

ALTER TABLE workers ADD COLUMN liveness_key integer;
ALTER TABLE leases ADD COLUMN renewed_at timestamptz,
                   ADD COLUMN waiting_since timestamptz NOT NULL DEFAULT now();

-- A lease given back (released, failed, stopped, restarted) starts waiting now.
CREATE FUNCTION leases_track_waiting() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.worker_id IS NULL AND (OLD.worker_id IS NOT NULL OR NEW.state IS DISTINCT FROM OLD.state) THEN
    NEW.waiting_since := now();
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER leases_waiting BEFORE UPDATE ON leases FOR EACH ROW EXECUTE FUNCTION leases_track_waiting();

-- Since when a session that should run has been without a live holder; NULL when it runs
-- (or should not run). An expired lease waits since it expired; a backoff since its retry time.
-- (No SET search_path on these two helpers: PostgreSQL inlines them only without one.)
CREATE FUNCTION fleet_waiting_since(l leases) RETURNS timestamptz
  LANGUAGE sql STABLE AS $$
    SELECT CASE
      WHEN l.state NOT IN ('pending', 'running', 'backoff') THEN NULL
      WHEN l.worker_id IS NULL THEN greatest(l.waiting_since, l.retry_at)
      WHEN l.expires_at < now() THEN l.expires_at
    END
  $$;

-- Is this worker's process alive? Its liveness lock is held by some backend of this database.
CREATE FUNCTION fleet_liveness_held(p_key integer) RETURNS boolean
  LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM pg_locks k
                    WHERE k.locktype = 'advisory' AND k.granted AND k.classid = 4943734 AND k.objid = p_key::oid AND k.objsubid = 2
                      AND k.database = (SELECT oid FROM pg_database WHERE datname = current_database()))
  $$;

-- How many unexpired leases of the pool are held by workers whose process died (their
-- liveness lock is gone). Workers ask every second and claim at once when there are some;
-- the dead worker's row stays (out of every live count) until it is forgotten.
CREATE FUNCTION fleet_orphaned_leases(p_pool text) RETURNS integer
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT count(*)::integer FROM workers w JOIN leases l ON l.worker_id = w.id AND l.expires_at > now()
     WHERE w.pool = p_pool AND w.liveness_key IS NOT NULL AND NOT fleet_liveness_held(w.liveness_key)
  $$;

-- Grants free, expired or orphaned sessions of the pool, heaviest first: within `budget`
-- weight units, and overdue ones (waiting longer than `overdue_after`) within
-- `overdue_budget`. An orphaned lease (its holder's process died, or its row is gone) is
-- claimable once it has not been renewed for `orphan_grace`: a live worker that lost its
-- liveness connection fences itself at once, and the grace gives its pollers time to stop.
-- Each grant raises the epoch.
DROP FUNCTION fleet_claim(text, text, integer, integer);
CREATE FUNCTION fleet_claim(p_worker text, p_pool text, p_budget integer, p_ttl_ms integer,
                            p_overdue_budget integer, p_overdue_after_ms integer, p_orphan_grace_ms integer)
  RETURNS TABLE (tenant_id uuid, epoch bigint, weight integer)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  candidate record;
  used integer := 0;
BEGIN
  FOR candidate IN
    WITH dead AS (SELECT w.id FROM workers w WHERE w.pool = p_pool AND w.liveness_key IS NOT NULL AND NOT fleet_liveness_held(w.liveness_key))
    SELECT l.tenant_id, l.weight, fleet_waiting_since(l) < now() - p_overdue_after_ms * interval '1 millisecond' AS overdue
      FROM leases l
     WHERE l.pool = p_pool AND l.state IN ('pending', 'running', 'backoff')
       AND (l.expires_at IS NULL OR l.expires_at < now()
            OR ((l.worker_id IN (SELECT id FROM dead) OR NOT EXISTS (SELECT 1 FROM workers w WHERE w.id = l.worker_id))
                AND coalesce(l.renewed_at, l.granted_at) < now() - p_orphan_grace_ms * interval '1 millisecond'))
       AND (l.retry_at IS NULL OR l.retry_at <= now())
     ORDER BY l.weight DESC, l.tenant_id
     FOR UPDATE OF l SKIP LOCKED
  LOOP
    CONTINUE WHEN used + candidate.weight > p_budget AND NOT (candidate.overdue AND used + candidate.weight <= p_overdue_budget);
    used := used + candidate.weight;
    UPDATE leases l SET worker_id = p_worker, epoch = l.epoch + 1, expires_at = now() + p_ttl_ms * interval '1 millisecond',
                        granted_at = now(), renewed_at = now(), state = 'running', retry_at = NULL
     WHERE l.tenant_id = candidate.tenant_id
    RETURNING l.tenant_id, l.epoch, l.weight INTO tenant_id, epoch, weight;
    RETURN NEXT;
  END LOOP;
END $$;

-- As in 0009, and it returns each lease's weight now: a plan change reaches the holder's load.
DROP FUNCTION fleet_renew(text, uuid[], bigint[], integer);
CREATE FUNCTION fleet_renew(p_worker text, p_tenants uuid[], p_epochs bigint[], p_ttl_ms integer)
  RETURNS TABLE (tenant_id uuid, weight integer)
  LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
    UPDATE leases l SET expires_at = now() + p_ttl_ms * interval '1 millisecond', renewed_at = now()
      FROM unnest(p_tenants, p_epochs) AS held(tenant, epoch)
     WHERE l.tenant_id = held.tenant AND l.epoch = held.epoch AND l.worker_id = p_worker AND l.expires_at > now()
       AND l.pool = (SELECT w.pool FROM workers w WHERE w.id = p_worker)
    RETURNING l.tenant_id, l.weight
  $$;

-- The pool as a worker plans its share with it (PoolView in src/fleet/fair-share.ts).
DROP FUNCTION fleet_pool_load(text, integer);
CREATE FUNCTION fleet_pool_load(p_pool text, p_worker_ttl_ms integer, p_overdue_after_ms integer)
  RETURNS TABLE (session_weight bigint, live_capacity bigint, live_workers bigint, max_weight integer, overdue_weight integer, roomiest_worker text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    WITH live AS (
      SELECT w.id, w.capacity - coalesce((SELECT sum(l.weight) FROM leases l WHERE l.worker_id = w.id AND l.expires_at > now()), 0) AS room, w.capacity
        FROM workers w
       WHERE w.pool = p_pool AND NOT w.draining AND w.heartbeat_at > now() - p_worker_ttl_ms * interval '1 millisecond'
         AND (w.liveness_key IS NULL OR fleet_liveness_held(w.liveness_key))
    ), sessions AS (
      SELECT l.weight, fleet_waiting_since(l) AS waiting_since, l.retry_at FROM leases l
       WHERE l.pool = p_pool AND l.state IN ('pending', 'running', 'backoff')
    )
    SELECT (SELECT coalesce(sum(weight), 0) FROM sessions),
           (SELECT coalesce(sum(capacity), 0) FROM live),
           (SELECT count(*) FROM live),
           (SELECT coalesce(max(weight), 0) FROM sessions),
           (SELECT coalesce(max(weight), 0) FROM sessions
             WHERE waiting_since < now() - p_overdue_after_ms * interval '1 millisecond' AND (retry_at IS NULL OR retry_at <= now())),
           (SELECT id FROM live ORDER BY room DESC, id LIMIT 1)
  $$;

-- Operators' view of every session, with since when and why a session waits. The room
-- of each pool's live workers is computed once, not per session.
DROP FUNCTION fleet_overview();
CREATE FUNCTION fleet_overview()
  RETURNS TABLE (tenant_id uuid, tenant_name text, pool text, weight integer, worker_id text, epoch bigint,
                 state text, expires_at timestamptz, granted_at timestamptz, failures integer, restarts integer,
                 last_error text, retry_at timestamptz, health jsonb, waiting_since timestamptz, waiting_reason text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    WITH live AS (
      SELECT w.pool, w.capacity, w.capacity - coalesce(sum(h.weight), 0) AS room
        FROM workers w LEFT JOIN leases h ON h.worker_id = w.id AND h.expires_at > now()
       WHERE NOT w.draining AND (w.liveness_key IS NULL OR fleet_liveness_held(w.liveness_key))
       GROUP BY w.id
    ), pools AS (
      SELECT live.pool, count(*) AS workers, max(live.capacity) AS max_capacity, max(live.room) AS max_room FROM live GROUP BY live.pool
    )
    SELECT l.tenant_id, t.name, l.pool, l.weight, l.worker_id, l.epoch, l.state, l.expires_at, l.granted_at,
           l.failures, l.restarts, l.last_error, l.retry_at, l.health, fleet_waiting_since(l),
           CASE
             WHEN fleet_waiting_since(l) IS NULL THEN NULL
             WHEN l.retry_at > now() THEN 'backing off after a failure until retry_at'
             WHEN p.workers IS NULL THEN format('no live worker in pool %s', l.pool)
             WHEN l.weight > p.max_capacity THEN format('weight %s exceeds the capacity of every worker in pool %s (largest: %s)', l.weight, l.pool, p.max_capacity)
             WHEN l.weight > p.max_room THEN format('no worker in pool %s has room for weight %s (most room: %s); once it is overdue the roomiest worker sheds lighter sessions for it', l.pool, l.weight, p.max_room)
             ELSE 'waiting for the next claim'
           END
      FROM leases l
      JOIN tenants t ON t.id = l.tenant_id
      LEFT JOIN pools p ON p.pool = l.pool
     ORDER BY l.state, t.name
  $$;

REVOKE ALL ON FUNCTION fleet_orphaned_leases(text), fleet_claim(text, text, integer, integer, integer, integer, integer),
  fleet_renew(text, uuid[], bigint[], integer), fleet_pool_load(text, integer, integer), fleet_overview() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fleet_orphaned_leases(text), fleet_claim(text, text, integer, integer, integer, integer, integer),
  fleet_renew(text, uuid[], bigint[], integer), fleet_pool_load(text, integer, integer), fleet_overview() TO kovan_app;
