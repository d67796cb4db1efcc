-- A snapshot in progress (shared/src/replica/snapshot.rs): the pages received so far wait here until
-- the last one comes, then replace base's issues in one transaction, so base is always either the old
-- rows or the whole snapshot. The same columns as `issue` (a test keeps them so).
CREATE TABLE snapshot_issue (
  id TEXT PRIMARY KEY NOT NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  owner TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  workspace_id TEXT NOT NULL DEFAULT '',
  created_by TEXT,
  updated_by TEXT
) WITHOUT ROWID;

-- The next page's cursor (JSON, as the server sent it) while a snapshot is in progress; NULL otherwise.
ALTER TABLE replica_base ADD COLUMN snapshot TEXT;
