-- Schema version 4's rows in a snapshot in progress: the staging twins of `reaction`, `mention`,
-- `subscription` and `inbox_read`, with the same columns as the tables they stand for (a test keeps
-- them so).
CREATE TABLE snapshot_reaction (
  issue_id TEXT NOT NULL,
  comment_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  emoji TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (issue_id, comment_id, member_id, emoji)
) WITHOUT ROWID;

CREATE TABLE snapshot_mention (
  issue_id TEXT NOT NULL,
  comment_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  by_member TEXT NOT NULL,
  at INTEGER NOT NULL,
  workspace_id TEXT NOT NULL,
  PRIMARY KEY (issue_id, comment_id, member_id)
) WITHOUT ROWID;

CREATE TABLE snapshot_subscription (
  member_id TEXT NOT NULL,
  issue_id TEXT NOT NULL,
  subscribed INTEGER NOT NULL,
  at INTEGER NOT NULL,
  workspace_id TEXT NOT NULL,
  PRIMARY KEY (member_id, issue_id)
) WITHOUT ROWID;

CREATE TABLE snapshot_inbox_read (
  member_id TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  issue_id TEXT NOT NULL,
  read_at INTEGER NOT NULL,
  PRIMARY KEY (member_id, workspace_id, issue_id)
) WITHOUT ROWID;
