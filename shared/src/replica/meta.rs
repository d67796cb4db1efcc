//! Base's row in `replica_base`, kept in memory too, and optimistic's `base_version`.

use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use super::error::{ReplicaError, Result};
use crate::protocol::SnapshotCursor;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct BaseMeta {
    pub client_id: Uuid,
    pub cookie: Option<u64>,
    pub last_mutation_id: u64,
    pub version: u64,
    /// The next page's cursor while a snapshot is in progress (its pages so far are staged).
    pub snapshot: Option<SnapshotCursor>,
}

/// Reads base's row, creating it with `client_id` for a new replica of `workspace`. A replica is one
/// workspace's: opening it as another's is refused. One written before workspaces is claimed by the
/// first that opens it, rows included (in base here; optimistic is rebuilt from base).
pub(super) fn init(base: &mut Connection, client_id: Uuid, workspace: Uuid) -> Result<Claimed> {
    let workspace = workspace.to_string();
    let tx = base.transaction()?;
    tx.execute(
        "INSERT INTO replica_base (singleton, client_id, cookie, last_mutation_id, version, \
         workspace_id) VALUES (1, ?1, NULL, 0, 0, ?2) ON CONFLICT (singleton) DO NOTHING",
        params![client_id.to_string(), workspace],
    )?;
    let stored: Option<String> =
        tx.query_row("SELECT workspace_id FROM replica_base", [], |row| {
            row.get(0)
        })?;
    let claimed = match stored {
        Some(stored) if stored == workspace => false,
        Some(stored) => {
            return Err(ReplicaError::Inconsistent(format!(
                "this replica is workspace {stored}'s, not {workspace}'s"
            )));
        }
        None => {
            tx.execute(
                "UPDATE issue SET workspace_id = ?1 WHERE workspace_id = ''",
                [&workspace],
            )?;
            tx.execute(
                "UPDATE replica_base SET workspace_id = ?1, version = version + 1",
                [&workspace],
            )?;
            true
        }
    };
    tx.commit()?;
    Ok(Claimed {
        meta: read(base)?,
        claimed,
    })
}

/// Base's row, and whether opening it just claimed a replica from before workspaces.
pub(super) struct Claimed {
    pub meta: BaseMeta,
    pub claimed: bool,
}

pub(super) fn read(base: &Connection) -> Result<BaseMeta> {
    let (client_id, cookie, last_mutation_id, version, snapshot) = base.query_row(
        "SELECT client_id, cookie, last_mutation_id, version, snapshot FROM replica_base",
        [],
        |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, Option<i64>>(1)?,
                row.get::<_, i64>(2)?,
                row.get::<_, i64>(3)?,
                row.get::<_, Option<String>>(4)?,
            ))
        },
    )?;
    Ok(BaseMeta {
        client_id: Uuid::parse_str(&client_id)
            .map_err(|err| ReplicaError::Inconsistent(format!("stored client id: {err}")))?,
        cookie: cookie.map(|c| c as u64),
        last_mutation_id: last_mutation_id as u64,
        version: version as u64,
        // A cursor that no longer reads (written by another build) only means starting over.
        snapshot: snapshot.and_then(|json| serde_json::from_str(&json).ok()),
    })
}

/// Moves base's cursor from `from` (checked, so a stale answer can never move it) and bumps its
/// version, inside the caller's transaction; no snapshot is in progress after it. Returns the new
/// row.
pub(super) fn advance(
    tx: &Connection,
    meta: &BaseMeta,
    from: Option<u64>,
    cookie: u64,
    last_mutation_id: u64,
) -> Result<BaseMeta> {
    let changed = tx.execute(
        "UPDATE replica_base SET cookie = ?1, last_mutation_id = MAX(last_mutation_id, ?2), \
         version = version + 1, snapshot = NULL WHERE cookie IS ?3",
        params![
            cookie as i64,
            last_mutation_id as i64,
            from.map(|c| c as i64)
        ],
    )?;
    if changed != 1 {
        return Err(ReplicaError::Inconsistent(format!(
            "base's cookie is no longer {from:?}"
        )));
    }
    Ok(BaseMeta {
        cookie: Some(cookie),
        last_mutation_id: meta.last_mutation_id.max(last_mutation_id),
        version: meta.version + 1,
        snapshot: None,
        ..meta.clone()
    })
}

/// Records the next page's cursor of the snapshot in progress, inside the caller's transaction; with
/// `moved_base`, the page went into base's own rows, so its version moves too.
pub(super) fn set_snapshot(
    tx: &Connection,
    meta: &BaseMeta,
    next: SnapshotCursor,
    moved_base: bool,
) -> Result<BaseMeta> {
    let json = serde_json::to_string(&next)
        .map_err(|err| ReplicaError::Inconsistent(format!("a snapshot cursor: {err}")))?;
    let bump = u64::from(moved_base);
    tx.execute(
        "UPDATE replica_base SET snapshot = ?1, version = version + ?2",
        params![json, bump as i64],
    )?;
    Ok(BaseMeta {
        snapshot: Some(next),
        version: meta.version + bump,
        ..meta.clone()
    })
}

/// A new identity for a client whose state the server lost: new id, no cookie, nothing acknowledged.
/// Base's rows stay until the first pull from scratch (a snapshot) replaces them.
pub(super) fn reset(base: &Connection, meta: &BaseMeta, client_id: Uuid) -> Result<BaseMeta> {
    base.execute(
        "UPDATE replica_base SET client_id = ?1, cookie = NULL, last_mutation_id = 0, \
         version = version + 1, snapshot = NULL",
        [client_id.to_string()],
    )?;
    Ok(BaseMeta {
        client_id,
        cookie: None,
        last_mutation_id: 0,
        version: meta.version + 1,
        snapshot: None,
    })
}

/// Forgets base's cursor so that the next pull rebuilds base from scratch (a snapshot).
pub(super) fn forget_cookie(base: &Connection, meta: &BaseMeta) -> Result<BaseMeta> {
    base.execute(
        "UPDATE replica_base SET cookie = NULL, version = version + 1, snapshot = NULL",
        [],
    )?;
    Ok(BaseMeta {
        cookie: None,
        version: meta.version + 1,
        snapshot: None,
        ..meta.clone()
    })
}

/// Optimistic's record of the base version it reflects, created at 0 for a new replica.
pub(super) fn init_optimistic(optimistic: &Connection) -> Result<u64> {
    optimistic.execute(
        "INSERT INTO replica_optimistic (singleton, base_version) VALUES (1, 0) \
         ON CONFLICT (singleton) DO NOTHING",
        [],
    )?;
    let version: Option<i64> = optimistic
        .query_row("SELECT base_version FROM replica_optimistic", [], |row| {
            row.get(0)
        })
        .optional()?;
    Ok(version.unwrap_or(0) as u64)
}

pub(super) fn set_rebased_on(optimistic: &Connection, version: u64) -> Result<()> {
    optimistic.execute(
        "UPDATE replica_optimistic SET base_version = ?1",
        [version as i64],
    )?;
    Ok(())
}
