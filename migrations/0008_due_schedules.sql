-- Which of a worker's tenants have a schedule due: one query per worker tick for all the
-- sessions it holds, instead of one per session every few seconds (most of an idle
-- session's database load). It answers with tenant ids only.
CREATE FUNCTION fleet_due_schedules(p_tenants uuid[], p_now timestamptz) RETURNS TABLE (tenant_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT DISTINCT s.tenant_id FROM schedules s
     WHERE s.tenant_id = ANY (p_tenants) AND s.status = 'active' AND s.next_run_at <= p_now
  $$;
REVOKE ALL ON FUNCTION fleet_due_schedules(uuid[], timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fleet_due_schedules(uuid[], timestamptz) TO kovan_app;
