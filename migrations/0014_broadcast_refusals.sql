-- A run's refused messages have no outbox row (nothing was queued), so the run keeps which
-- group each refusal was for and why: a broadcast's outcome can then list every message
-- that did not go out, refused or failed, with its reason (docs/DELIVERY.md, Outcome).
ALTER TABLE schedule_runs ADD COLUMN refusals jsonb NOT NULL DEFAULT '[]'::jsonb;
