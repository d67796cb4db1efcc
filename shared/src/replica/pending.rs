//! The durable pending queue: this client's local mutations in order, each with its id in the
//! client's own sequence. It lives in the optimistic database, so a mutation and its queue entry
//! commit in one transaction. This module is the only code that reads or writes the `pending` table.
//!
//! The queue's rule: an entry whose id is at or below base's `last_mutation_id` has been acknowledged
//! by the server (applied or rejected). It is dead from the moment the pull that says so commits on
//! base, whatever the table still holds; [`drop_acknowledged`] deletes it at the next rebase. Only the
//! entries above it are *live*.

use rusqlite::{Connection, params};

use super::error::Result;
use crate::mutations::Mutation;
use crate::protocol::{MAX_SAFE_INTEGER, PushMutation};

/// Appends `mutation` with id `id`, inside the caller's transaction (the one that applied it).
pub(super) fn append(
    conn: &Connection,
    id: u64,
    mutation: &Mutation,
    timestamp: u64,
) -> Result<()> {
    conn.prepare_cached("INSERT INTO pending (id, name, args, timestamp) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![
            id as i64,
            mutation.name(),
            mutation.args_json(),
            timestamp.min(MAX_SAFE_INTEGER) as i64
        ])?;
    Ok(())
}

/// The id the next local mutation takes: above both the newest queued and the newest acknowledged.
pub(super) fn next_id(conn: &Connection, last_mutation_id: u64) -> Result<u64> {
    let newest: Option<i64> =
        conn.query_row("SELECT MAX(id) FROM pending", [], |row| row.get(0))?;
    Ok(newest.unwrap_or(0).max(0) as u64).map(|n| n.max(last_mutation_id) + 1)
}

/// The queued entries above `after`, parsed, in order. The queue only ever holds mutations that
/// parsed when they were made; one that no longer does is left for the server to reject.
pub(super) fn after(conn: &Connection, after: u64) -> Result<Vec<(u64, Mutation)>> {
    let mut statement =
        conn.prepare_cached("SELECT id, name, args FROM pending WHERE id > ?1 ORDER BY id")?;
    let rows = statement
        .query_map([after as i64], |row| {
            Ok((
                row.get::<_, i64>(0)? as u64,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, name, args)| {
            let args = serde_json::from_str(&args).ok()?;
            Mutation::parse(&name, &args).ok().map(|m| (id, m))
        })
        .collect())
}

/// The live entries, parsed, in order.
pub(super) fn live(conn: &Connection, last_mutation_id: u64) -> Result<Vec<(u64, Mutation)>> {
    after(conn, last_mutation_id)
}

/// The entries to push: above `after` (acknowledged, or already processed by an earlier push), at
/// most `limit`, in order, as they were queued.
pub(super) fn unsent(conn: &Connection, after: u64, limit: usize) -> Result<Vec<PushMutation>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, name, args, timestamp FROM pending WHERE id > ?1 ORDER BY id LIMIT ?2",
    )?;
    let mutations = statement
        .query_map(params![after as i64, limit as i64], |row| {
            let args: String = row.get(2)?;
            Ok(PushMutation {
                id: row.get::<_, i64>(0)? as u64,
                name: row.get(1)?,
                // Unreadable args go as null: the server rejects that mutation, and the queue moves on.
                args: serde_json::from_str(&args).unwrap_or(serde_json::Value::Null),
                timestamp: Some(row.get::<_, i64>(3)? as f64),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(mutations)
}

/// The ids and names of the entries a pull acknowledged: above `before`, up to `through`.
pub(super) fn acknowledged(
    conn: &Connection,
    before: u64,
    through: u64,
) -> Result<Vec<(u64, String)>> {
    let mut statement =
        conn.prepare_cached("SELECT id, name FROM pending WHERE id > ?1 AND id <= ?2 ORDER BY id")?;
    let rows = statement
        .query_map([before as i64, through as i64], |row| {
            Ok((row.get::<_, i64>(0)? as u64, row.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Deletes the dead entries: those at or below `last_mutation_id`.
pub(super) fn drop_acknowledged(conn: &Connection, last_mutation_id: u64) -> Result<()> {
    conn.prepare_cached("DELETE FROM pending WHERE id <= ?1")?
        .execute([last_mutation_id as i64])?;
    Ok(())
}

/// How many entries are live.
pub(super) fn count_live(conn: &Connection, last_mutation_id: u64) -> Result<u64> {
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM pending WHERE id > ?1",
        [last_mutation_id as i64],
        |row| row.get(0),
    )?;
    Ok(n as u64)
}

/// Drops the dead entries and renumbers the live ones from 1, in their order: for a client whose
/// state the server lost, whose next push must start at 1.
pub(super) fn renumber_from_one(conn: &Connection, last_mutation_id: u64) -> Result<()> {
    drop_acknowledged(conn, last_mutation_id)?;
    let live = conn
        .prepare("SELECT id FROM pending ORDER BY id")?
        .query_map([], |row| row.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // In ascending order the k-th id is at least k, so a new id never collides with an old one.
    for (new, old) in (1..).zip(live) {
        conn.execute("UPDATE pending SET id = ?1 WHERE id = ?2", [new, old])?;
    }
    Ok(())
}
