//! Keeps optimistic equal to base plus the live pending mutations, at a cost that follows what changed.
//!
//! Every mutation names the rows it reads and writes ([`Mutation::scopes`]: an issue with its
//! comments and label links, or the workspace's labels), so optimistic differs from base only in the
//! scopes pending mutations touch, and after base moves only the scopes it moved on (or whose pending
//! mutation was rejected) need copying from base and replaying.

use std::collections::BTreeSet;

use rusqlite::types::Value;
use rusqlite::{Connection, Transaction, params_from_iter};

use super::error::Result;
use super::{Replica, meta, pending};
use crate::actor::Actor;
use crate::mutations::{Mutation, Scope};

/// The tables of an issue's scope, each with the column naming the issue.
const ISSUE_SCOPE: [(&str, &str); 7] = [
    ("issue", "id"),
    ("comment", "issue_id"),
    ("issue_label", "issue_id"),
    ("issue_event", "issue_id"),
    ("reaction", "issue_id"),
    ("mention", "issue_id"),
    ("subscription", "issue_id"),
];
/// Every table a mutation can change.
pub(super) const TABLES: [&str; 9] = [
    "issue",
    "comment",
    "issue_label",
    "label",
    "issue_event",
    "reaction",
    "mention",
    "subscription",
    "inbox_read",
];

impl Replica {
    /// Optimistic from scratch: every base row, then the live pending mutations. O(database); used
    /// after a bootstrap and when a crash left optimistic behind base.
    pub(super) fn rebuild(&mut self) -> Result<()> {
        let tx = self.optimistic.transaction()?;
        pending::drop_acknowledged(&tx, self.meta.last_mutation_id)?;
        for table in TABLES {
            let rows = select_rows(&self.base, &format!("SELECT * FROM {table}"), None)?;
            tx.execute(&format!("DELETE FROM {table}"), [])?;
            insert_rows(&tx, table, &rows)?;
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

    /// Brings optimistic up to date after base moved, touching only the scopes that can be stale.
    ///
    /// A scope's optimistic rows (base plus the queued mutations on it) can only be stale if the
    /// pulled entries changed it in base (`touched`) or a mutation on it was acknowledged without
    /// being applied (`rejected`). Those scopes are copied from base and the live queued mutations on
    /// them replayed; a replayed mutation's other scopes are reset too (it reads or writes them), and
    /// so on until no live mutation reaches past the reset scopes. Other scopes, with or without
    /// pending changes, stay as they are. O(entries + pending on those scopes).
    pub(super) fn rebase(&mut self, mut reset: BTreeSet<Scope>, rejected: &[u64]) -> Result<()> {
        let tx = self.optimistic.transaction()?;
        // Every entry, the acknowledged too: a rejected one names scopes to reset.
        let mut queued = pending::after(&tx, 0)?;
        for (_, mutation) in queued.iter().filter(|(id, _)| rejected.contains(id)) {
            reset.extend(mutation.scopes());
        }
        queued.retain(|(id, _)| *id > self.meta.last_mutation_id);
        let mut replayed = vec![false; queued.len()];
        loop {
            let mut grew = false;
            for (i, (_, mutation)) in queued.iter().enumerate() {
                let scopes = mutation.scopes();
                if !replayed[i] && scopes.iter().any(|scope| reset.contains(scope)) {
                    replayed[i] = true;
                    for scope in scopes {
                        grew |= reset.insert(scope);
                    }
                }
            }
            if !grew {
                break;
            }
        }
        copy_scopes(&self.base, &tx, &reset)?;
        let queued: Vec<_> = queued
            .into_iter()
            .zip(replayed)
            .filter_map(|(entry, replay)| replay.then_some(entry))
            .collect();
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

/// Issues reset one by one up to this many; more, all at once, a table at a time.
const ONE_BY_ONE: usize = 16;

/// Makes the rows of `scopes` in optimistic what they are in base. A few issues are copied one at a
/// time (each statement an index lookup); many (a bulk pull), a table at a time: one read of base
/// and one delete in optimistic for all of them (their ids as a JSON array), then the rows found
/// written back.
fn copy_scopes(base: &Connection, tx: &Transaction, scopes: &BTreeSet<Scope>) -> Result<()> {
    let issues: Vec<String> = scopes
        .iter()
        .filter_map(|scope| scope.issue())
        .map(|id| id.to_string())
        .collect();
    let groups: Vec<(Value, &str)> = if issues.len() <= ONE_BY_ONE {
        issues
            .into_iter()
            .map(|id| (Value::Text(id), "= ?1"))
            .collect()
    } else {
        let all = serde_json::to_string(&issues).unwrap_or_else(|_| "[]".into());
        vec![(Value::Text(all), "IN (SELECT value FROM json_each(?1))")]
    };
    for (key, matching) in &groups {
        for (table, column) in ISSUE_SCOPE {
            let rows = select_rows(
                base,
                &format!("SELECT * FROM {table} WHERE {column} {matching}"),
                Some(key),
            )?;
            tx.prepare_cached(&format!("DELETE FROM {table} WHERE {column} {matching}"))?
                .execute([key])?;
            insert_rows(tx, table, &rows)?;
        }
    }
    // The labels, and the member's read marks: few rows, copied whole.
    for (scope, table) in [(Scope::Labels, "label"), (Scope::Inbox, "inbox_read")] {
        if scopes.contains(&scope) {
            let rows = select_rows(base, &format!("SELECT * FROM {table}"), None)?;
            tx.execute(&format!("DELETE FROM {table}"), [])?;
            insert_rows(tx, table, &rows)?;
        }
    }
    Ok(())
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

fn select_rows(conn: &Connection, sql: &str, key: Option<&Value>) -> Result<Vec<Vec<Value>>> {
    let mut statement = conn.prepare_cached(sql)?;
    let columns = statement.column_count();
    let values = |row: &rusqlite::Row| (0..columns).map(|i| row.get::<_, Value>(i)).collect();
    let rows = match key {
        Some(key) => statement.query_map([key], values)?,
        None => statement.query_map([], values)?,
    }
    .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Writes rows copied from base. Both databases have the same tables (the same migrations), so a
/// row's values go in column order.
fn insert_rows(tx: &Transaction, table: &str, rows: &[Vec<Value>]) -> Result<()> {
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let placeholders = vec!["?"; first.len()].join(", ");
    let mut statement = tx.prepare_cached(&format!(
        "INSERT OR REPLACE INTO {table} VALUES ({placeholders})"
    ))?;
    for row in rows {
        statement.execute(params_from_iter(row))?;
    }
    Ok(())
}
