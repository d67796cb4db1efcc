-- Version 7: whether a workspace may have a live socket open, so that a push wakes the workspace's
-- Durable Object only then (shared/src/presence.rs). `connects` counts the sockets the worker has
-- handed to the object; `idle_at` is that count as the object had seen it when a poke last found it
-- with no socket. A push pokes while connects > idle_at: a socket handed over since then, or not yet
-- seen by the object, keeps the workspace live.
CREATE TABLE live_presence (
  workspace_id TEXT PRIMARY KEY NOT NULL,
  connects INTEGER NOT NULL DEFAULT 0 CHECK (connects >= 0),
  idle_at INTEGER NOT NULL DEFAULT 0 CHECK (idle_at >= 0)
) WITHOUT ROWID;
