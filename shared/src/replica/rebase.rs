//! Keeps optimistic equal to base plus the live pending mutations, at a cost that follows what changed.
//!
//! Every mutation touches one issue row ([`Mutation::issue_id`]). Optimistic differs from base only in
//! rows that pending mutations touched, so after base moves, it is enough to copy from base the rows
//! that the pulled entries or the pending mutations touched, then replay the live pending mutations.

use std::collections::BTreeSet;

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Transaction, params_from_iter};

use super::error::Result;
use super::{Replica, meta};
use crate::mutations::Mutation;
use crate::mutations::fields::IssueId;

impl Replica {
    /// Optimistic from scratch: every base row, then the live pending mutations. O(database); used
    /// after a bootstrap and when a crash left optimistic behind base.
    pub(super) fn rebuild(&mut self) -> Result<()> {
        let rows = all_rows(&self.base)?;
        let tx = self.optimistic.transaction()?;
        tx.execute(
            "DELETE FROM pending WHERE id <= ?1",
            [self.meta.last_mutation_id as i64],
        )?;
        tx.execute("DELETE FROM issue", [])?;
        for row in &rows {
            upsert(&tx, row)?;
        }
        replay(&tx, &pending(&tx, 0)?)?;
        meta::set_rebased_on(&tx, self.meta.version)?;
        tx.commit()?;
        Ok(())
    }

    /// Resets from base the rows that `touched` (the pulled entries' rows) and the pending mutations
    /// name, drops the acknowledged pending mutations and replays the rest. O(entries + pending).
    pub(super) fn rebase(&mut self, mut touched: BTreeSet<IssueId>) -> Result<()> {
        let tx = self.optimistic.transaction()?;
        // Every queued mutation's row, acknowledged ones included: optimistic shows their effects,
        // which base may now hold differently (or not at all, for a rejection).
        let mut queued = pending(&tx, 0)?;
        touched.extend(queued.iter().map(|(_, mutation)| mutation.issue_id()));
        queued.retain(|(id, _)| *id > self.meta.last_mutation_id);
        let mut select = self
            .base
            .prepare_cached("SELECT * FROM issue WHERE id = ?1")?;
        for id in &touched {
            let row = select.query_row([id.to_string()], row_values).optional()?;
            match row {
                Some(row) => upsert(&tx, &row)?,
                None => {
                    tx.prepare_cached("DELETE FROM issue WHERE id = ?1")?
                        .execute([id.to_string()])?;
                }
            }
        }
        drop(select);
        tx.execute(
            "DELETE FROM pending WHERE id <= ?1",
            [self.meta.last_mutation_id as i64],
        )?;
        replay(&tx, &queued)?;
        meta::set_rebased_on(&tx, self.meta.version)?;
        tx.commit()?;
        Ok(())
    }

    /// The server applied exactly the acknowledged pending mutations, so optimistic is already base
    /// plus the rest: only drop the acknowledged ones.
    pub(super) fn fast_forward(&mut self) -> Result<()> {
        let tx = self.optimistic.transaction()?;
        tx.execute(
            "DELETE FROM pending WHERE id <= ?1",
            [self.meta.last_mutation_id as i64],
        )?;
        meta::set_rebased_on(&tx, self.meta.version)?;
        tx.commit()?;
        Ok(())
    }
}

/// Replays queued mutations in order. One that fails now (its issue was created meanwhile by someone
/// else, say) is skipped here, as the server will reject it, and stays queued until then.
fn replay(tx: &Transaction, queued: &[(u64, Mutation)]) -> Result<()> {
    for (_, mutation) in queued {
        tx.execute_batch("SAVEPOINT replay")?;
        match crate::sqlite::execute(tx, &mutation.statements()) {
            Ok(()) => tx.execute_batch("RELEASE replay")?,
            Err(_) => tx.execute_batch("ROLLBACK TO replay; RELEASE replay")?,
        }
    }
    Ok(())
}

/// The queued mutations above `after`, parsed. The queue only ever holds mutations that parsed when
/// they were made; one that no longer does is left for the server to reject.
fn pending(conn: &Connection, after: u64) -> Result<Vec<(u64, Mutation)>> {
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

fn all_rows(base: &Connection) -> Result<Vec<Vec<Value>>> {
    let mut statement = base.prepare("SELECT * FROM issue")?;
    let rows = statement
        .query_map([], row_values)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

fn row_values(row: &rusqlite::Row) -> rusqlite::Result<Vec<Value>> {
    (0..row.as_ref().column_count())
        .map(|i| row.get::<_, Value>(i))
        .collect()
}

/// Writes a row copied from base. Both databases have the same `issue` table (the same migrations), so
/// the row's values go in column order.
fn upsert(tx: &Transaction, row: &[Value]) -> Result<()> {
    let placeholders = vec!["?"; row.len()].join(", ");
    let sql = format!("INSERT OR REPLACE INTO issue VALUES ({placeholders})");
    tx.prepare_cached(&sql)?.execute(params_from_iter(row))?;
    Ok(())
}
