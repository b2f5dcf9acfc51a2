-- The Try-it panel's sandbox group is where a tenant tests its bot, not one of its groups:
-- it does not count against the plan and is left out of group lists, broadcast and schedule
-- targets, rule scopes and the bot checklist (docs/MINI-APP.md, Try it).
ALTER TABLE groups ADD COLUMN try_it boolean NOT NULL DEFAULT false;
