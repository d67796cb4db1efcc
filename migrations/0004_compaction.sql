-- Version 4: a bounded log. Compaction (worker/src/compaction.rs, on a Cron Trigger) deletes log
-- entries older than the retention window and raises each workspace's horizon; a pull whose cookie is
-- below the horizon, or that has no cookie, gets the workspace's current rows (a snapshot) and the
-- cookie from which the log continues.

-- When the server logged the entry (epoch milliseconds, the worker's clock). Entries from before this
-- migration count from the moment it ran.
ALTER TABLE mutation_log ADD COLUMN logged_at INTEGER NOT NULL DEFAULT 0;
UPDATE mutation_log SET logged_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000;

-- The highest log id compaction has deleted from the workspace's log. Every entry of the workspace
-- above it is still there: a cookie at or above it can pull the log, one below it needs a snapshot.
ALTER TABLE workspace ADD COLUMN horizon INTEGER NOT NULL DEFAULT 0 CHECK (horizon >= 0);

-- When the client last pushed (epoch milliseconds). A client unused for longer than the retention
-- window is forgotten: its next push is `ClientStateNotFound`, and it starts again under a new id.
ALTER TABLE client ADD COLUMN seen_at INTEGER NOT NULL DEFAULT 0;
UPDATE client SET seen_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000;

-- Each compaction run, for whoever operates the deployment (`wrangler d1 execute`) and the tests: what
-- it deleted and how many D1 calls it made. Kept for the retention window, like the log.
CREATE TABLE compaction_run (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ran_at INTEGER NOT NULL,
  -- Entries logged before this (epoch milliseconds) were due.
  cutoff INTEGER NOT NULL,
  -- The highest log id deleted so far, over all workspaces.
  deleted_through INTEGER NOT NULL,
  entries_deleted INTEGER NOT NULL,
  clients_deleted INTEGER NOT NULL,
  d1_calls INTEGER NOT NULL,
  -- 1 when nothing due was left; 0 when the run stopped at its budget and the next one goes on.
  finished INTEGER NOT NULL CHECK (finished IN (0, 1))
);
