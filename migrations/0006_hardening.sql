-- Version 6: what a security review found. The schema the protocol speaks is unchanged.

-- The invite link a member joined by (NULL: the owner, who set the workspace up). Removing the member
-- revokes that link, so it lets neither them nor anyone else who holds it in again.
ALTER TABLE membership ADD COLUMN invite_id TEXT;

-- Who was removed from which workspace, and when. An invite link made before the removal does not let
-- the same member back in; one the owner makes afterwards does.
CREATE TABLE removed_member (
  workspace_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  removed_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, member_id)
) WITHOUT ROWID;

-- The refusal table (see 0005) with three more rules: an issue's thread has a size cap, so one issue
-- always fits a snapshot page; a workspace a number of labels, since all of them ride on a
-- snapshot's first page; and a push made with an API token is refused when the token is gone
-- (shared/src/server.rs: the token is checked in the batch that does the work, not by a read
-- before it). The table is always empty, so it is made again rather than altered.
DROP TABLE refusal;
CREATE TABLE refusal (
  rule TEXT NOT NULL,
  CONSTRAINT refused_issue_missing CHECK (rule <> 'issue_missing'),
  CONSTRAINT refused_label_missing CHECK (rule <> 'label_missing'),
  CONSTRAINT refused_label_name_taken CHECK (rule <> 'label_name_taken'),
  CONSTRAINT refused_not_comment_author CHECK (rule <> 'not_comment_author'),
  CONSTRAINT refused_thread_full CHECK (rule <> 'thread_full'),
  CONSTRAINT refused_too_many_labels CHECK (rule <> 'too_many_labels'),
  CONSTRAINT refused_token_revoked CHECK (rule <> 'token_revoked')
);
