//! Taking a snapshot ([`crate::snapshot`]): the server's current rows instead of its log, for a new
//! replica or one whose cookie fell below the workspace's compaction horizon. The client keeps its id
//! and its pending queue.
//!
//! A replica that has rows (it fell below the horizon, or starts again from scratch) stages the pages
//! before the last in its tables' staging twins (`snapshot_issue`, `snapshot_comment`, ...) with the
//! next page's cursor, each in one transaction (a reload resumes from there); the last page replaces
//! base's rows with the staged rows and its own, and moves base
//! to the snapshot's cookie and `lastMutationId`, in one transaction: base is always either the old
//! rows or the whole snapshot, and the list never shows half of one over the old rows. Optimistic is
//! then rebuilt from base with the pending mutations still live replayed on top, so no pending change
//! is lost.
//!
//! A replica with no rows (a new device) has nothing to keep: each page goes straight into base, and
//! optimistic is rebased on its rows, so the list fills from the top as the pages come (the first is the top of the list). The last page moves base to the
//! snapshot's cookie as above. Either way, the pull after it brings the log from that cookie.

use std::collections::BTreeSet;

use rusqlite::{Connection, params};

use super::error::Result;
use super::pull::PullOutcome;
use super::rebase::TABLES;
use super::{ISSUE_TABLE, Replica, meta};
use crate::mutations::Scope;
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
        let member = self.actor.member_id.to_string();
        let tx = self.base.transaction()?;
        // Straight into base when it has nothing to keep; staged otherwise. Decided at the reset
        // page; later pages follow it (only a staged snapshot has rows in `snapshot_issue`).
        let direct = if page.reset {
            !exists(&tx, "issue")?
        } else {
            !exists(&tx, "snapshot_issue")?
        };
        if page.reset {
            for table in TABLES {
                tx.execute(&format!("DELETE FROM snapshot_{table}"), [])?;
                if direct {
                    tx.execute(&format!("DELETE FROM {table}"), [])?;
                }
            }
        }
        let prefix = if direct { "" } else { "snapshot_" };
        // What this page's rows stand for in optimistic, when they go straight into base.
        let mut scopes: BTreeSet<Scope> = page.issues.iter().map(|i| Scope::Issue(i.id)).collect();
        if page.reset {
            scopes.insert(Scope::Labels);
            scopes.insert(Scope::Inbox);
        }
        if let Some(next) = page.next {
            insert(&tx, prefix, &workspace, &member, page)?;
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
                self.rebase(scopes, &[])?;
            }
            return Ok(PullOutcome {
                has_more: true,
                changed: vec![ISSUE_TABLE],
                ..PullOutcome::default()
            });
        }
        if !direct {
            for table in TABLES {
                tx.execute(&format!("DELETE FROM {table}"), [])?;
                tx.execute(
                    &format!("INSERT INTO {table} SELECT * FROM snapshot_{table}"),
                    [],
                )?;
                tx.execute(&format!("DELETE FROM snapshot_{table}"), [])?;
            }
        }
        insert(&tx, "", &workspace, &member, page)?;
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

        // The acknowledged mutations' effects are in the rows, unless the server rejected them: a
        // snapshot has no entries to tell them apart by, so it says which (for when the push answer
        // that said so was lost).
        let acknowledged = self.acknowledged_pending(acknowledged_before)?;
        let rejected: Vec<RejectedMutation> = acknowledged
            .iter()
            .filter_map(|(id, _)| {
                let told = page.rejected.iter().find(|r| r.id == *id).cloned();
                self.rejections.remove(id).or(told)
            })
            .collect();
        self.rejections
            .retain(|id, _| *id > self.meta.last_mutation_id);
        if direct && !page.reset && acknowledged.is_empty() {
            // Earlier pages are in optimistic already; only this one's rows are new.
            self.rebase(scopes, &[])?;
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

/// Writes a page's rows of `workspace` to base's tables (`prefix` empty) or their staging twins
/// (`snapshot_`); the private rows are `member`'s.
fn insert(
    tx: &Connection,
    prefix: &str,
    workspace: &str,
    member: &str,
    page: &SnapshotPage,
) -> Result<()> {
    let mut issues = tx.prepare_cached(&format!(
        "INSERT OR REPLACE INTO {prefix}issue (id, title, description, owner, status, created_at, \
         updated_at, workspace_id, created_by, updated_by, priority, assignee, number, deleted_at, \
         deleted_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
    ))?;
    for issue in &page.issues {
        issues.execute(params![
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
            issue.priority.as_str(),
            issue.assignee.map(|m| m.to_string()),
            issue.number.map(|n| n as i64),
            issue.deleted_at.map(|at| at as i64),
            issue.deleted_by.map(|m| m.to_string()),
        ])?;
    }
    let mut labels = tx.prepare_cached(&format!(
        "INSERT OR REPLACE INTO {prefix}label (id, workspace_id, name, color, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5)"
    ))?;
    for label in &page.labels {
        labels.execute(params![
            label.id.to_string(),
            workspace,
            label.name,
            label.color,
            label.created_at as i64,
        ])?;
    }
    let mut links = tx.prepare_cached(&format!(
        "INSERT OR REPLACE INTO {prefix}issue_label (issue_id, label_id, workspace_id) \
         VALUES (?1, ?2, ?3)"
    ))?;
    for link in &page.issue_labels {
        links.execute(params![
            link.issue_id.to_string(),
            link.label_id.to_string(),
            workspace,
        ])?;
    }
    let mut comments = tx.prepare_cached(&format!(
        "INSERT OR REPLACE INTO {prefix}comment (id, issue_id, workspace_id, author, body, \
         created_at, edited_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    ))?;
    for comment in &page.comments {
        comments.execute(params![
            comment.id.to_string(),
            comment.issue_id.to_string(),
            workspace,
            comment.author.to_string(),
            comment.body,
            comment.created_at as i64,
            comment.edited_at.map(|at| at as i64),
        ])?;
    }
    let mut events = tx.prepare_cached(&format!(
        "INSERT OR REPLACE INTO {prefix}issue_event (issue_id, at, member_id, kind, value, \
         workspace_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    ))?;
    for event in &page.events {
        events.execute(params![
            event.issue_id.to_string(),
            event.at as i64,
            event.member_id.to_string(),
            event.kind.as_str(),
            event.value,
            workspace,
        ])?;
    }
    let optional = |id: Option<uuid::Uuid>| id.map(|id| id.to_string()).unwrap_or_default();
    let mut reactions = tx.prepare_cached(&format!(
        "INSERT OR REPLACE INTO {prefix}reaction (issue_id, comment_id, member_id, emoji, \
         workspace_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    ))?;
    for reaction in &page.reactions {
        reactions.execute(params![
            reaction.issue_id.to_string(),
            optional(reaction.comment_id),
            reaction.member_id.to_string(),
            reaction.emoji.as_str(),
            workspace,
            reaction.created_at as i64,
        ])?;
    }
    let mut mentions = tx.prepare_cached(&format!(
        "INSERT OR REPLACE INTO {prefix}mention (issue_id, comment_id, member_id, by_member, at, \
         workspace_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    ))?;
    for mention in &page.mentions {
        mentions.execute(params![
            mention.issue_id.to_string(),
            optional(mention.comment_id),
            mention.member_id.to_string(),
            mention.by_member.to_string(),
            mention.at as i64,
            workspace,
        ])?;
    }
    let mut subscriptions = tx.prepare_cached(&format!(
        "INSERT OR REPLACE INTO {prefix}subscription (member_id, issue_id, subscribed, at, \
         workspace_id) VALUES (?1, ?2, ?3, ?4, ?5)"
    ))?;
    for subscription in &page.subscriptions {
        subscriptions.execute(params![
            member,
            subscription.issue_id.to_string(),
            subscription.subscribed,
            subscription.at as i64,
            workspace,
        ])?;
    }
    let mut reads = tx.prepare_cached(&format!(
        "INSERT OR REPLACE INTO {prefix}inbox_read (member_id, workspace_id, issue_id, read_at) \
         VALUES (?1, ?2, ?3, ?4)"
    ))?;
    for read in &page.inbox_read {
        reads.execute(params![
            member,
            workspace,
            optional(read.issue_id),
            read.read_at as i64,
        ])?;
    }
    Ok(())
}
