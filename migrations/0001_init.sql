-- The tracker's schema, version 1. Applied to D1 by `wrangler d1 migrations apply` and embedded by
-- `shared::schema` for native tests and the browser replica. Never edit an applied migration: add one.

-- Issues. Ids are client-made UUIDs (so a pending update can never hit another row); times are
-- client-made epoch milliseconds.
CREATE TABLE issue (
  id TEXT PRIMARY KEY NOT NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  owner TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('not started', 'in progress', 'done')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX issue_created_at ON issue (created_at DESC);

-- Each client's lastMutationId: the highest of its mutation ids the server has processed, applied
-- or rejected.
CREATE TABLE client (
  id TEXT PRIMARY KEY NOT NULL,
  last_mutation_id INTEGER NOT NULL CHECK (last_mutation_id >= 0)
) WITHOUT ROWID;

-- lastMutationId only ever advances by exactly one, so a mutation can be processed neither twice
-- nor out of order, even when two pushes of the same client race: the losing batch aborts whole.
CREATE TRIGGER client_last_mutation_id_advances_by_one
BEFORE UPDATE OF last_mutation_id ON client
WHEN NEW.last_mutation_id <> OLD.last_mutation_id + 1
BEGIN
  SELECT RAISE(ABORT, 'MutationOutOfOrder: lastMutationId must advance by exactly one');
END;

-- Every mutation that applied, in the order it applied. Its id is the pull cookie (lastLogId).
-- AUTOINCREMENT: a log id is never reused, so a cookie can never point at a different entry.
CREATE TABLE mutation_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  client_id TEXT NOT NULL,
  mutation_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  args TEXT NOT NULL,
  UNIQUE (client_id, mutation_id)
);

-- A client's newest entry at or below a log id: its lastMutationId as of a page of the log.
CREATE INDEX mutation_log_client_log_id ON mutation_log (client_id, id);
