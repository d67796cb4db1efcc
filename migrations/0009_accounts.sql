-- Version 9: accounts (worker/src/account/). Every signed-in browser is a session row: the signed
-- cookie names it, and every request's own batch checks that it still stands, so signing out, signing
-- out everywhere and revoking one device take effect at the next request, with no D1 call of their own.
CREATE TABLE session (
  id TEXT PRIMARY KEY NOT NULL,
  member_id TEXT NOT NULL,
  -- When it signed in; renewal stops 90 days after (shared::session::MAX_AGE_MS), and the daily
  -- compaction deletes it then.
  started_at INTEGER NOT NULL,
  -- When the tracker last opened with it (GET /api/session).
  seen_at INTEGER NOT NULL,
  -- The browser's User-Agent when it signed in, cut to 300 characters, to tell devices apart.
  user_agent TEXT NOT NULL DEFAULT '',
  -- How it signed in: setup, invite, device (a sign-in link), passkey, upgraded (an older cookie).
  method TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX session_member ON session (member_id);

-- A session cookie of the first format (no session id) is traded for a row by GET /api/session only
-- if it was issued after the member last signed out everywhere.
ALTER TABLE member ADD COLUMN signed_out_at INTEGER NOT NULL DEFAULT 0;

-- One-time sign-in links for another device ("Add a device"): single use, 10 minutes, only the
-- SHA-256 of the secret stored.
CREATE TABLE device_link (
  token_hash TEXT PRIMARY KEY NOT NULL,
  member_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX device_link_member ON device_link (member_id);

-- Passkeys (WebAuthn credentials): the credential id (base64url), whose it is, the public key as the
-- authenticator gave it (COSE, base64url), its algorithm (-7 ES256, -8 Ed25519) and the last
-- signature counter seen.
CREATE TABLE passkey (
  id TEXT PRIMARY KEY NOT NULL,
  member_id TEXT NOT NULL,
  name TEXT NOT NULL,
  public_key TEXT NOT NULL,
  algorithm INTEGER NOT NULL,
  sign_count INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  used_at INTEGER
) WITHOUT ROWID;
CREATE INDEX passkey_member ON passkey (member_id);

-- WebAuthn challenges: single use (deleted when answered), two minutes. A registration's is bound to
-- the member it was made for; a sign-in's to no one.
CREATE TABLE passkey_challenge (
  id TEXT PRIMARY KEY NOT NULL,
  challenge TEXT NOT NULL,
  member_id TEXT,
  purpose TEXT NOT NULL CHECK (purpose IN ('register', 'sign_in')),
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;

-- The refusal table (see 0008) with one more rule: a push with a session that no longer stands.
-- Always empty, so made again rather than altered.
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
  CONSTRAINT refused_session_revoked CHECK (rule <> 'session_revoked')
);
