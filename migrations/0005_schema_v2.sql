-- Version 5 (protocol schemaVersion 2): priority, assignee, labels and comments. Their mutations are
-- in shared/src/mutations/; a workspace that has logged one of them is at schemaVersion 2, and a
-- client of version 1 can no longer pull it (409 VersionNotSupported: it reloads into the new build).

-- How urgent an issue is, and the member it is assigned to (NULL: no one). A member who leaves stays
-- the assignee of their issues until someone changes it.
ALTER TABLE issue ADD COLUMN priority TEXT NOT NULL DEFAULT 'none'
  CHECK (priority IN ('none', 'low', 'medium', 'high', 'urgent'));
ALTER TABLE issue ADD COLUMN assignee TEXT;

-- A workspace's labels. Names are unique in a workspace, whatever their case: a rule checked when a
-- label is made or renamed (the `refusal` table below), not a UNIQUE index, so that replaying the log
-- over newer rows (a snapshot's) never trips over a name that has since moved to another label.
CREATE TABLE label (
  id TEXT PRIMARY KEY NOT NULL,
  workspace_id TEXT NOT NULL,
  name TEXT NOT NULL,
  -- '#rrggbb', lowercase.
  color TEXT NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX label_name ON label (workspace_id, name COLLATE NOCASE);

-- Which issues carry which labels. A link belongs to its issue (deleting the issue deletes it). A
-- label's deletion leaves its links behind, unseen (every read joins `label`), so that it stays a
-- change to one row: see "each mutation names the rows it touches" in shared/src/mutations/scope.rs.
CREATE TABLE issue_label (
  issue_id TEXT NOT NULL,
  label_id TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  PRIMARY KEY (issue_id, label_id)
) WITHOUT ROWID;
CREATE INDEX issue_label_label ON issue_label (label_id);

-- The discussion under an issue, oldest first. Only its author, or the workspace's owner, may edit or
-- delete a comment. Deleting the issue deletes its comments.
CREATE TABLE comment (
  id TEXT PRIMARY KEY NOT NULL,
  issue_id TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  author TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  -- When it was last edited; NULL if never.
  edited_at INTEGER
) WITHOUT ROWID;
CREATE INDEX comment_issue ON comment (issue_id, created_at);

-- A mutation refused by a rule that needs the database to decide inserts a row naming the rule here;
-- the row breaks the rule's constraint, so the whole mutation aborts with the rule's name in the
-- error, on D1 and in a replica alike (shared/src/mutations/refusal.rs). The table is always empty.
CREATE TABLE refusal (
  rule TEXT NOT NULL,
  CONSTRAINT refused_issue_missing CHECK (rule <> 'issue_missing'),
  CONSTRAINT refused_label_missing CHECK (rule <> 'label_missing'),
  CONSTRAINT refused_label_name_taken CHECK (rule <> 'label_name_taken'),
  CONSTRAINT refused_not_comment_author CHECK (rule <> 'not_comment_author')
);

-- The highest schema version of any mutation the workspace has logged: a client speaking an older
-- version pulls it no more.
ALTER TABLE workspace ADD COLUMN schema_version INTEGER NOT NULL DEFAULT 1;
