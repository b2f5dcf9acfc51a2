-- A sighting (an update from a person) is recorded in one statement: the upsert keeps the
-- previous sighting time beside the new one, so it can say "first time today" from the
-- row it locked, without a separate SELECT … FOR UPDATE before it.
ALTER TABLE tg_users ADD COLUMN previous_seen_at timestamptz;
