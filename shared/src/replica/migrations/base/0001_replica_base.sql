-- Base's own row: who this client is and how far it has synced. `version` grows with every change to
-- base, and the optimistic database records the version it was rebased on.
-- IF NOT EXISTS: builds before the replica had migrations created this table on open; this adopts it.
CREATE TABLE IF NOT EXISTS replica_base (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  client_id TEXT NOT NULL,
  cookie INTEGER,
  last_mutation_id INTEGER NOT NULL,
  version INTEGER NOT NULL
);
