//! Whether a workspace may have a live socket open: a push wakes the workspace's Durable Object to
//! poke its sockets only then, instead of after every push that applied something.
//!
//! The rule, in D1 (`migrations/0007_live_presence.sql`), never missing a socket:
//! - The worker counts each socket it hands to the object ([`RECORD_CONNECT`]) before handing it
//!   over, and tells the object the count, which the object keeps as the highest it has seen.
//! - A poke that finds no socket answers with that highest count, and the worker records it as the
//!   count at which the workspace went idle ([`RECORD_IDLE`]), but only if no socket was counted
//!   since: a socket counted and not yet accepted keeps `connects` above it.
//! - A push reads, in its own batch ([`SELECT_LIVE`]), whether `connects` is above `idle_at`: then
//!   it pokes. So the last socket's close costs one more poke (the one that finds none), and a
//!   workspace nobody has open costs its pushes nothing more.
//!
//! A poke lost, or one too many, changes nothing but cost: the pull stays the source of truth.

use uuid::Uuid;

use crate::statement::{SqlValue, Statement};

/// `?1` workspace: counts a socket about to be handed to the object; returns the new count.
pub const RECORD_CONNECT: &str = "INSERT INTO live_presence (workspace_id, connects) VALUES (?1, 1) \
     ON CONFLICT (workspace_id) DO UPDATE SET connects = connects + 1 RETURNING connects";

/// `?1` workspace, `?2` the highest count the object had seen when it found no socket: the
/// workspace is idle from that count on, unless a socket was counted since.
pub const RECORD_IDLE: &str = "UPDATE live_presence SET idle_at = ?2 \
     WHERE workspace_id = ?1 AND connects = ?2 AND idle_at < ?2";

/// `?1` workspace: 1 when a socket may be open (counted since the workspace was last idle).
pub const SELECT_LIVE: &str = "SELECT EXISTS (SELECT 1 FROM live_presence \
     WHERE workspace_id = ?1 AND connects > idle_at) AS live";

/// The statement that counts a socket of `workspace`.
pub fn record_connect(workspace: &Uuid) -> Statement {
    Statement::new(RECORD_CONNECT, vec![workspace.to_string().into()])
}

/// The statement that marks `workspace` idle as of `seen`.
pub fn record_idle(workspace: &Uuid, seen: u64) -> Statement {
    Statement::new(RECORD_IDLE, vec![workspace.to_string().into(), seen.into()])
}

/// The read, for a push's batch, of whether `workspace` may have a socket open.
pub fn select_live(workspace: SqlValue) -> Statement {
    Statement::new(SELECT_LIVE, vec![workspace])
}
