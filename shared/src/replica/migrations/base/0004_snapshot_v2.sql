-- Schema version 2's rows in a snapshot in progress: the staging twins of `label`, `issue_label` and
-- `comment`, and `issue`'s new columns on `snapshot_issue`. The same columns as the tables they stand
-- for (a test keeps them so).
ALTER TABLE snapshot_issue ADD COLUMN priority TEXT NOT NULL DEFAULT 'none';
ALTER TABLE snapshot_issue ADD COLUMN assignee TEXT;

CREATE TABLE snapshot_label (
  id TEXT PRIMARY KEY NOT NULL,
  workspace_id TEXT NOT NULL,
  name TEXT NOT NULL,
  color TEXT NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE snapshot_issue_label (
  issue_id TEXT NOT NULL,
  label_id TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  PRIMARY KEY (issue_id, label_id)
) WITHOUT ROWID;

CREATE TABLE snapshot_comment (
  id TEXT PRIMARY KEY NOT NULL,
  issue_id TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  author TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  edited_at INTEGER
) WITHOUT ROWID;
