-- What each of a worker's sessions should be running, as one fingerprint per tenant (a
-- hash over its working bots' ids, modes and sealed tokens). The worker compares it with
-- the fingerprint it took before starting each session, so a session whose bots changed
-- restarts even when the signal that should have said so was lost (the bus was down). It
-- answers with tenant ids and hashes only; tenants without a working bot have no row.
CREATE FUNCTION fleet_bot_fingerprints(p_tenants uuid[]) RETURNS TABLE (tenant_id uuid, fingerprint text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT b.tenant_id, md5(string_agg(b.id::text || ':' || b.mode || ':' || md5(b.token_sealed), ',' ORDER BY b.id))
      FROM bots b
     WHERE b.tenant_id = ANY (p_tenants) AND b.status NOT IN ('disconnected', 'failed')
     GROUP BY b.tenant_id
  $$;
REVOKE ALL ON FUNCTION fleet_bot_fingerprints(uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fleet_bot_fingerprints(uuid[]) TO kovan_app;
