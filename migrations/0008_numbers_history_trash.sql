-- Version 8 (protocol schemaVersion 3): issue numbers, each issue's history, the trash, and undo.

-- A workspace's issue key ("TRK" in TRK-42): 2 to 5 letters, chosen at setup, changeable by its owner
-- (NULL: derived from its name, see shared/src/numbers.rs). The number its next issue gets.
ALTER TABLE workspace ADD COLUMN issue_key TEXT;
ALTER TABLE workspace ADD COLUMN next_issue_number INTEGER NOT NULL DEFAULT 1
  CHECK (next_issue_number >= 1);

-- An issue's number in its workspace, given by the server in the batch that applies its create
-- (shared/src/server.rs), so numbers are unique, gapless and never reused; NULL in a replica until the
-- create comes back from the server. Existing issues are numbered in the order they were created.
-- The protocol's schema version does not change for numbers (see mutation_log below); it does for the
-- trash and undo (their mutations, and a delete that trashes, are version 3).
ALTER TABLE issue ADD COLUMN number INTEGER;
UPDATE issue SET number = numbered.n FROM (
  SELECT id, ROW_NUMBER() OVER (PARTITION BY workspace_id ORDER BY created_at, id) AS n FROM issue
) AS numbered WHERE numbered.id = issue.id;
UPDATE workspace SET next_issue_number = 1 +
  (SELECT COUNT(*) FROM issue WHERE issue.workspace_id = workspace.id);
CREATE UNIQUE INDEX issue_number ON issue (workspace_id, number);
-- The number a create's issue got, beside its log entry: pulls and pokes carry it with the entry
-- (`LogEntry.number`), outside the args, so a client of an older version reads the entry as before
-- and only misses the number. The entries already logged get their issues' numbers.
ALTER TABLE mutation_log ADD COLUMN issue_number INTEGER;
UPDATE mutation_log SET issue_number =
  (SELECT number FROM issue WHERE issue.id = json_extract(mutation_log.args, '$.id'))
  WHERE name = 'createIssue';

-- The trash: a deleted issue keeps its row, comments, labels and history, marked with when and by
-- whom, and may be restored by any member; the daily compaction removes it 30 days on. Lists, search,
-- counts and the issue page treat it as gone.
ALTER TABLE issue ADD COLUMN deleted_at INTEGER;
ALTER TABLE issue ADD COLUMN deleted_by TEXT;

-- What happened to each issue, by whom and when: written by the same statements as the change
-- (shared/src/mutations/history.rs), on D1 and in every replica, so it outlives the log's compaction.
-- Keyed by what it records, so that replaying an entry writes the same row again; at most about 200
-- per issue (the oldest go). `value` is the new value ('' for none), or a label's id.
CREATE TABLE issue_event (
  issue_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  member_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('created', 'title', 'description', 'status', 'priority',
    'assignee', 'label_added', 'label_removed', 'trashed', 'restored')),
  value TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  PRIMARY KEY (issue_id, at, member_id, kind, value)
) WITHOUT ROWID;

-- The refusal table (see 0006) with one more rule: an undo is refused when someone changed the field
-- since (shared/src/mutations/revert_issue.rs). Always empty, so made again rather than altered.
DROP TABLE refusal;
CREATE TABLE refusal (
  rule TEXT NOT NULL,
  CONSTRAINT refused_issue_missing CHECK (rule <> 'issue_missing'),
  CONSTRAINT refused_label_missing CHECK (rule <> 'label_missing'),
  CONSTRAINT refused_label_name_taken CHECK (rule <> 'label_name_taken'),
  CONSTRAINT refused_not_comment_author CHECK (rule <> 'not_comment_author'),
  CONSTRAINT refused_thread_full CHECK (rule <> 'thread_full'),
  CONSTRAINT refused_too_many_labels CHECK (rule <> 'too_many_labels'),
  CONSTRAINT refused_token_revoked CHECK (rule <> 'token_revoked'),
  CONSTRAINT refused_changed_since CHECK (rule <> 'changed_since')
);
