//! Taking a snapshot ([`crate::snapshot`]): the server's current rows instead of its log, for a new
//! replica or one whose cookie fell below the workspace's compaction horizon. The client keeps its id
//! and its pending queue.
//!
//! A replica that has rows (it fell below the horizon, or starts again from scratch) stages the pages
//! before the last in `snapshot_issue` with the next page's cursor, each in one transaction (a reload resumes
//! from there); the last page replaces base's issues with the staged rows and its own, and moves base
//! to the snapshot's cookie and `lastMutationId`, in one transaction: base is always either the old
//! rows or the whole snapshot, and the list never shows half of one over the old rows. Optimistic is
//! then rebuilt from base with the pending mutations still live replayed on top, so no pending change
//! is lost.
//!
//! A replica with no rows (a new device) has nothing to keep: each page goes straight into base, and optimistic is rebased on its rows, so the list fills from
//! the top as the pages come (the first is the top of the list). The last page moves base to the
//! snapshot's cookie as above. Either way, the pull after it brings the log from that cookie.

use rusqlite::{Connection, params};

use super::error::Result;
use super::pull::PullOutcome;
use super::{ISSUE_TABLE, Replica, meta};
use crate::issue::Issue;
use crate::protocol::{PullResponse, RejectedMutation, SnapshotPage};

impl Replica {
    /// Takes a snapshot page answering the pull that started at `from` (checked by the caller).
    pub(super) fn take_snapshot_page(
        &mut self,
        response: &PullResponse,
        page: &SnapshotPage,
        from: Option<u64>,
    ) -> Result<PullOutcome> {
        let workspace = self.actor.workspace_id.to_string();
        let tx = self.base.transaction()?;
        // Straight into base when it has nothing to keep; staged otherwise. Decided at the reset
        // page; later pages follow it (only a staged snapshot has rows in `snapshot_issue`).
        let direct = if page.reset {
            !exists(&tx, "issue")?
        } else {
            !exists(&tx, "snapshot_issue")?
        };
        if page.reset {
            tx.execute("DELETE FROM snapshot_issue", [])?;
            if direct {
                tx.execute("DELETE FROM issue", [])?;
            }
        }
        let table = if direct { "issue" } else { "snapshot_issue" };
        if let Some(next) = page.next {
            insert(&tx, table, &workspace, &page.issues)?;
            let moved = meta::set_snapshot(&tx, &self.meta, next, direct)?;
            tx.commit()?;
            self.meta = moved;
            if !direct {
                return Ok(PullOutcome {
                    has_more: true,
                    ..PullOutcome::default()
                });
            }
            if page.reset {
                self.rebuild()?;
            } else {
                self.rebase(page.issues.iter().map(|issue| issue.id).collect(), &[])?;
            }
            return Ok(PullOutcome {
                has_more: true,
                changed: vec![ISSUE_TABLE],
                ..PullOutcome::default()
            });
        }
        if !direct {
            tx.execute("DELETE FROM issue", [])?;
            tx.execute(
                &format!("INSERT INTO issue ({COLUMNS}) SELECT {COLUMNS} FROM snapshot_issue"),
                [],
            )?;
            tx.execute("DELETE FROM snapshot_issue", [])?;
        }
        insert(&tx, "issue", &workspace, &page.issues)?;
        let acknowledged_before = self.meta.last_mutation_id;
        let advanced = meta::advance(
            &tx,
            &self.meta,
            from,
            response.cookie,
            response.last_mutation_id,
        )?;
        tx.commit()?;
        self.meta = advanced;

        // The acknowledged mutations' effects are in the rows, unless their push answer said the
        // server rejected them (a snapshot has no entries to tell them apart by).
        let acknowledged = self.acknowledged_pending(acknowledged_before)?;
        let rejected: Vec<RejectedMutation> = acknowledged
            .iter()
            .filter_map(|(id, _)| self.rejections.remove(id))
            .collect();
        self.rejections
            .retain(|id, _| *id > self.meta.last_mutation_id);
        if direct && !page.reset && acknowledged.is_empty() {
            // Earlier pages are in optimistic already; only this one's rows are new.
            self.rebase(page.issues.iter().map(|issue| issue.id).collect(), &[])?;
        } else {
            self.rebuild()?;
        }
        Ok(PullOutcome {
            has_more: response.has_more,
            changed: vec![ISSUE_TABLE],
            rejected,
            stale: false,
        })
    }
}

/// Whether `table` has any row.
fn exists(tx: &Connection, table: &str) -> Result<bool> {
    Ok(tx.query_row(
        &format!("SELECT EXISTS (SELECT 1 FROM {table})"),
        [],
        |row| row.get(0),
    )?)
}

/// Every column of `issue` and of its staging twin `snapshot_issue`.
const COLUMNS: &str = "id, title, description, owner, status, created_at, updated_at, workspace_id, \
     created_by, updated_by";

/// Writes snapshot rows of `workspace` to `table` (`issue`, or its staging twin).
fn insert(tx: &Connection, table: &str, workspace: &str, issues: &[Issue]) -> Result<()> {
    let mut statement = tx.prepare_cached(&format!(
        "INSERT OR REPLACE INTO {table} ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    ))?;
    for issue in issues {
        statement.execute(params![
            issue.id.to_string(),
            issue.title,
            issue.description,
            issue.owner,
            issue.status.as_str(),
            issue.created_at as i64,
            issue.updated_at as i64,
            workspace,
            issue.created_by.map(|m| m.to_string()),
            issue.updated_by.map(|m| m.to_string()),
        ])?;
    }
    Ok(())
}
