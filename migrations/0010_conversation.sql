-- The conversation (schema version 4): reactions, mentions, subscriptions and the inbox's read marks.

-- One member's reaction to an issue (comment_id '') or to one of its comments: one of a fixed set of
-- names (shared/src/mutations/set_reaction.rs), at most once each. In the issue's scope: it lives and
-- dies with the issue, and a comment's go with the comment.
CREATE TABLE reaction (
  issue_id TEXT NOT NULL,
  comment_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  emoji TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (issue_id, comment_id, member_id, emoji)
) WITHOUT ROWID;

-- Who a description (comment_id '') or a comment mentions, by whom and when: derived from the text by
-- the mutations that write it (shared/src/mutations/mentions.rs), on D1 and in every replica, so the
-- inbox finds a member's mentions by index instead of reading every comment.
CREATE TABLE mention (
  issue_id TEXT NOT NULL,
  comment_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  by_member TEXT NOT NULL,
  at INTEGER NOT NULL,
  workspace_id TEXT NOT NULL,
  PRIMARY KEY (issue_id, comment_id, member_id)
) WITHOUT ROWID;
CREATE INDEX mention_member ON mention (member_id, at);

-- A member's own choice to follow an issue (1) or not (0), over what the inbox derives (they made,
-- are assigned to or commented on it). Private: only its member's log entries and snapshots carry it.
CREATE TABLE subscription (
  member_id TEXT NOT NULL,
  issue_id TEXT NOT NULL,
  subscribed INTEGER NOT NULL CHECK (subscribed IN (0, 1)),
  at INTEGER NOT NULL,
  workspace_id TEXT NOT NULL,
  PRIMARY KEY (member_id, issue_id)
) WITHOUT ROWID;

-- What a member has read in their inbox: an issue's activity up to read_at, or (issue_id '')
-- everything up to it. Private, like subscriptions.
CREATE TABLE inbox_read (
  member_id TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  issue_id TEXT NOT NULL,
  read_at INTEGER NOT NULL,
  PRIMARY KEY (member_id, workspace_id, issue_id)
) WITHOUT ROWID;

-- The log entries of private mutations name the one member they are for: pulls and pokes carry them
-- to that member's clients only (shared/src/server.rs, shared/src/live.rs).
ALTER TABLE mutation_log ADD COLUMN private_to TEXT;

-- The inbox's reads: an issue's creator, a member's comments, who was assigned.
CREATE INDEX issue_created_by ON issue (created_by);
CREATE INDEX issue_assignee ON issue (assignee);
CREATE INDEX comment_author ON comment (author);
CREATE INDEX issue_event_kind_value ON issue_event (kind, value);

-- The refusal table (see 0009) with one more rule: a reaction to a comment that is gone.
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
  CONSTRAINT refused_changed_since CHECK (rule <> 'changed_since'),
  CONSTRAINT refused_session_revoked CHECK (rule <> 'session_revoked'),
  CONSTRAINT refused_comment_missing CHECK (rule <> 'comment_missing')
);
