-- Version 2: workspaces private to their members. Every issue, log entry and client belongs to one
-- workspace; people are members of workspaces, signed in by a session cookie or an API token. A
-- deployment from before this migration keeps its issues and log: the setup step that creates the
-- first workspace places them there (rows with workspace_id '' are waiting for it).

CREATE TABLE workspace (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  -- 1 for the first workspace, which took the issues and log of a deployment from before workspaces
  -- (a browser replica written before then belongs to it).
  legacy INTEGER NOT NULL DEFAULT 0 CHECK (legacy IN (0, 1))
) WITHOUT ROWID;

-- A person, known by the display name they chose. No passwords: a member signs in by a session
-- cookie the server signed, or by an API token.
CREATE TABLE member (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Who is in which workspace. Removing a member deletes their row: their next request is refused.
CREATE TABLE membership (
  workspace_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
  joined_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, member_id)
) WITHOUT ROWID;
CREATE INDEX membership_member ON membership (member_id);

-- Invite links: only the SHA-256 of the link's secret is kept. Revoking one deletes it.
CREATE TABLE invite (
  id TEXT PRIMARY KEY NOT NULL,
  workspace_id TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX invite_workspace ON invite (workspace_id);

-- Personal API tokens, each for one workspace: only the SHA-256 of the token is kept, and it acts as
-- the member who made it. Revoking one deletes it.
CREATE TABLE api_token (
  id TEXT PRIMARY KEY NOT NULL,
  workspace_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX api_token_member ON api_token (workspace_id, member_id);

-- An issue's workspace, and the members who created it and changed it last.
ALTER TABLE issue ADD COLUMN workspace_id TEXT NOT NULL DEFAULT '';
ALTER TABLE issue ADD COLUMN created_by TEXT;
ALTER TABLE issue ADD COLUMN updated_by TEXT;
CREATE INDEX issue_workspace ON issue (workspace_id, created_at DESC);

-- A log entry's workspace (a pull reads only its own) and the member who made it.
ALTER TABLE mutation_log ADD COLUMN workspace_id TEXT NOT NULL DEFAULT '';
ALTER TABLE mutation_log ADD COLUMN member_id TEXT NOT NULL DEFAULT '';
CREATE INDEX mutation_log_workspace ON mutation_log (workspace_id, id);

-- A client belongs to the member who first pushed with it, in one workspace. NULL: a client from
-- before workspaces, claimed by its first push.
ALTER TABLE client ADD COLUMN workspace_id TEXT;
ALTER TABLE client ADD COLUMN member_id TEXT;

-- Every processed mutation advances its client's lastMutationId in the same batch as its effects, so
-- this one guard decides, inside that batch, whether it may commit: only a current member of the
-- workspace, only with a client that is theirs there, and only in order (exactly one step).
DROP TRIGGER client_last_mutation_id_advances_by_one;
CREATE TRIGGER client_guard
BEFORE UPDATE OF last_mutation_id ON client
BEGIN
  SELECT RAISE(ABORT, 'NotAMember: the caller is not a member of this workspace')
  WHERE NOT EXISTS (
    SELECT 1 FROM membership WHERE workspace_id = NEW.workspace_id AND member_id = NEW.member_id);
  SELECT RAISE(ABORT, 'ClientNotOwned: this client id belongs to another member or workspace')
  WHERE (OLD.member_id IS NOT NULL AND OLD.member_id IS NOT NEW.member_id)
     OR (OLD.workspace_id IS NOT NULL AND OLD.workspace_id IS NOT NEW.workspace_id);
  SELECT RAISE(ABORT, 'MutationOutOfOrder: lastMutationId must advance by exactly one')
  WHERE NEW.last_mutation_id <> OLD.last_mutation_id + 1;
END;
