-- Schema version 3's rows in a snapshot in progress: `issue`'s new columns on `snapshot_issue`, and the
-- staging twin of `issue_event`. The same columns as the tables they stand for (a test keeps them so).
ALTER TABLE snapshot_issue ADD COLUMN number INTEGER;
ALTER TABLE snapshot_issue ADD COLUMN deleted_at INTEGER;
ALTER TABLE snapshot_issue ADD COLUMN deleted_by TEXT;

CREATE TABLE snapshot_issue_event (
  issue_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  member_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  PRIMARY KEY (issue_id, at, member_id, kind, value)
) WITHOUT ROWID;

-- The shared migration numbered this replica's issues from the rows it held, which may be fewer than
-- the server's, and entries it pulls from before the server's upgrade carry no numbers. Its next pull
-- takes a snapshot instead (the server's numbers), keeping its client id and pending queue.
UPDATE replica_base SET cookie = NULL, version = version + 1, snapshot = NULL;
