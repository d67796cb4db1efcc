//! Taking a snapshot ([`crate::snapshot`]): the server's current rows instead of its log, for a new
//! replica or one whose cookie fell below the workspace's compaction horizon. The client keeps its id
//! and its pending queue.
//!
//! Pages before the last are staged in `snapshot_issue` with the next page's cursor, each in one
//! transaction (a reload resumes from there). The last page replaces base's issues with the staged
//! rows and its own, and moves base to the snapshot's cookie and `lastMutationId`, in one transaction:
//! base is always either the old rows or the whole snapshot. Optimistic is then rebuilt from base with
//! the pending mutations still live replayed on top, so no pending change is lost. The pull after it
//! brings the log from the snapshot's cookie.

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
        if page.reset {
            tx.execute("DELETE FROM snapshot_issue", [])?;
        }
        if let Some(next) = page.next {
            insert(&tx, "snapshot_issue", &workspace, &page.issues)?;
            let staged = meta::set_snapshot(&tx, &self.meta, next)?;
            tx.commit()?;
            self.meta = staged;
            return Ok(PullOutcome {
                has_more: true,
                ..PullOutcome::default()
            });
        }
        tx.execute("DELETE FROM issue", [])?;
        tx.execute(
            &format!("INSERT INTO issue ({COLUMNS}) SELECT {COLUMNS} FROM snapshot_issue"),
            [],
        )?;
        tx.execute("DELETE FROM snapshot_issue", [])?;
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
        let rejected: Vec<RejectedMutation> = self
            .acknowledged_pending(acknowledged_before)?
            .iter()
            .filter_map(|(id, _)| self.rejections.remove(id))
            .collect();
        self.rejections
            .retain(|id, _| *id > self.meta.last_mutation_id);
        self.rebuild()?;
        Ok(PullOutcome {
            has_more: response.has_more,
            changed: vec![ISSUE_TABLE],
            rejected,
            stale: false,
        })
    }
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
