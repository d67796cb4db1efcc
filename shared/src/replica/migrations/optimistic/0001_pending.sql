-- The durable queue of local mutations, beside the optimistic state they were applied to, so a
-- mutation and its queue entry commit together (shared/src/replica/pending.rs owns it), and the base
-- version optimistic was last rebased on.
-- IF NOT EXISTS: builds before the replica had migrations created these tables on open; this adopts them.
CREATE TABLE IF NOT EXISTS pending (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  args TEXT NOT NULL,
  timestamp INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS replica_optimistic (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  base_version INTEGER NOT NULL
);
