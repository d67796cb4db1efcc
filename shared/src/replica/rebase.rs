//! Keeps optimistic equal to base plus the live pending mutations, at a cost that follows what changed.
//!
//! Every mutation reads and writes one issue row ([`Mutation::issue_id`]), so optimistic differs from
//! base only in rows that pending mutations touch, and after base moves only the rows it moved on (or
//! whose pending mutation was rejected) need copying from base and replaying.

use std::collections::BTreeSet;

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Transaction, params_from_iter};

use super::error::Result;
use super::{Replica, meta, pending};
use crate::actor::Actor;
use crate::mutations::Mutation;
use crate::mutations::fields::IssueId;

impl Replica {
    /// Optimistic from scratch: every base row, then the live pending mutations. O(database); used
    /// after a bootstrap and when a crash left optimistic behind base.
    pub(super) fn rebuild(&mut self) -> Result<()> {
        let rows = all_rows(&self.base)?;
        let tx = self.optimistic.transaction()?;
        pending::drop_acknowledged(&tx, self.meta.last_mutation_id)?;
        tx.execute("DELETE FROM issue", [])?;
        for row in &rows {
            upsert(&tx, row)?;
        }
        replay(
            &tx,
            &self.actor,
            &pending::live(&tx, self.meta.last_mutation_id)?,
        )?;
        meta::set_rebased_on(&tx, self.meta.version)?;
        tx.commit()?;
        Ok(())
    }

    /// Brings optimistic up to date after base moved, touching only the rows that can be stale.
    ///
    /// Every mutation reads and writes only its own row, so a row's optimistic value (base plus the
    /// queued mutations on that row) can only be stale if the pulled entries changed it in base
    /// (`touched`) or a mutation on it was acknowledged without being applied (`rejected`). Those
    /// rows are copied from base and only the live queued mutations on them are replayed. Other rows,
    /// with or without pending changes, stay as they are. O(entries + pending on those rows).
    pub(super) fn rebase(
        &mut self,
        mut touched: BTreeSet<IssueId>,
        rejected: &[u64],
    ) -> Result<()> {
        let tx = self.optimistic.transaction()?;
        // Every entry, the acknowledged too: a rejected one names a row to reset.
        let mut queued = pending::after(&tx, 0)?;
        touched.extend(
            queued
                .iter()
                .filter(|(id, _)| rejected.contains(id))
                .map(|(_, mutation)| mutation.issue_id()),
        );
        queued.retain(|(id, mutation)| {
            *id > self.meta.last_mutation_id && touched.contains(&mutation.issue_id())
        });
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
        pending::drop_acknowledged(&tx, self.meta.last_mutation_id)?;
        replay(&tx, &self.actor, &queued)?;
        meta::set_rebased_on(&tx, self.meta.version)?;
        tx.commit()?;
        Ok(())
    }

    /// The server applied exactly the acknowledged pending mutations, so optimistic is already base
    /// plus the rest: only drop the acknowledged ones.
    pub(super) fn fast_forward(&mut self) -> Result<()> {
        let tx = self.optimistic.transaction()?;
        pending::drop_acknowledged(&tx, self.meta.last_mutation_id)?;
        meta::set_rebased_on(&tx, self.meta.version)?;
        tx.commit()?;
        Ok(())
    }
}

/// Replays queued mutations, made by `by`, in order. One that fails now (its issue was created meanwhile
/// by someone else, say) is skipped here, as the server will reject it, and stays queued until then.
fn replay(tx: &Transaction, by: &Actor, queued: &[(u64, Mutation)]) -> Result<()> {
    for (_, mutation) in queued {
        tx.execute_batch("SAVEPOINT replay")?;
        match crate::sqlite::execute(tx, &mutation.statements(by)) {
            Ok(()) => tx.execute_batch("RELEASE replay")?,
            Err(_) => tx.execute_batch("ROLLBACK TO replay; RELEASE replay")?,
        }
    }
    Ok(())
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
