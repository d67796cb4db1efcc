//! What the UI reads, from the optimistic state, as typed rows.

use rusqlite::OptionalExtension;

use super::error::Result;
use super::{Replica, pending};
use crate::comment::{COMMENT_COLUMNS, Comment};
use crate::history::{EVENT_COLUMNS, IssueEvent};
use crate::issue::Issue;
use crate::label::{IssueLabel, LABEL_COLUMNS, Label};
use crate::mutations::fields::IssueId;

use crate::snapshot::ISSUE_COLUMNS as COLUMNS;
use crate::sqlite::{comment, event, issue, issue_label, label};

impl Replica {
    /// One issue, if it exists (optimistically).
    pub fn issue(&self, id: IssueId) -> Result<Option<Issue>> {
        Ok(self
            .optimistic
            .prepare_cached(&format!("SELECT {COLUMNS} FROM issue WHERE id = ?1"))?
            .query_row([id.to_string()], issue)
            .optional()?)
    }

    /// The workspace's labels, by name.
    pub fn labels(&self) -> Result<Vec<Label>> {
        let mut statement = self.optimistic.prepare_cached(&format!(
            "SELECT {LABEL_COLUMNS} FROM label ORDER BY name COLLATE NOCASE, id"
        ))?;
        let labels = statement
            .query_map([], label)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(labels)
    }

    /// The labels on `issues` (those that still exist).
    pub fn issue_labels(&self, issues: &[IssueId]) -> Result<Vec<IssueLabel>> {
        let ids = serde_json::to_string(issues).unwrap_or_else(|_| "[]".to_owned());
        let mut statement = self.optimistic.prepare_cached(
            "SELECT l.issue_id, l.label_id FROM issue_label l JOIN label ON label.id = l.label_id \
             WHERE l.issue_id IN (SELECT value FROM json_each(?1))",
        )?;
        let links = statement
            .query_map([ids], issue_label)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(links)
    }

    /// The comments on an issue, oldest first.
    pub fn comments(&self, issue: IssueId) -> Result<Vec<Comment>> {
        let mut statement = self.optimistic.prepare_cached(&format!(
            "SELECT {COMMENT_COLUMNS} FROM comment WHERE issue_id = ?1 ORDER BY created_at, id"
        ))?;
        let comments = statement
            .query_map([issue.to_string()], comment)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(comments)
    }

    /// An issue's history, oldest first (schema version 3).
    pub fn events(&self, issue: IssueId) -> Result<Vec<IssueEvent>> {
        let mut statement = self.optimistic.prepare_cached(&format!(
            "SELECT {EVENT_COLUMNS} FROM issue_event WHERE issue_id = ?1 \
             ORDER BY at, member_id, kind, value"
        ))?;
        let events = statement
            .query_map([issue.to_string()], event)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(events)
    }

    /// The issue numbered `number`, in the trash or not.
    pub fn issue_numbered(&self, number: u64) -> Result<Option<Issue>> {
        Ok(self
            .optimistic
            .prepare_cached(&format!("SELECT {COLUMNS} FROM issue WHERE number = ?1"))?
            .query_row([number as i64], issue)
            .optional()?)
    }

    /// The issues `texts` refer to by number (`#42`, `TRK-42`), at most
    /// [`crate::references::MAX_FOUND`] of them: what their links show.
    pub fn referenced<'a>(&self, texts: impl Iterator<Item = &'a str>) -> Result<Vec<Issue>> {
        let mut numbers = Vec::new();
        for text in texts {
            for number in crate::references::referenced_numbers(text) {
                if !numbers.contains(&number) && numbers.len() < crate::references::MAX_FOUND {
                    numbers.push(number);
                }
            }
        }
        let mut found = Vec::new();
        for number in numbers {
            found.extend(self.issue_numbered(number)?);
        }
        Ok(found)
    }

    /// The trash: issues deleted at or after `since` (epoch milliseconds), most recent first, at most
    /// `limit`. Older ones are compaction's to remove ([`crate::compaction::TRASH_RETENTION_MS`]).
    pub fn trash(&self, since: u64, limit: u32) -> Result<Vec<Issue>> {
        let mut statement = self.optimistic.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM issue WHERE deleted_at >= ?1 ORDER BY deleted_at DESC, id LIMIT ?2"
        ))?;
        let issues = statement
            .query_map([since as i64, i64::from(limit)], issue)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(issues)
    }

    /// Local mutations the server has not acknowledged yet.
    pub fn pending_count(&self) -> Result<u64> {
        pending::count_live(&self.optimistic, self.meta.last_mutation_id)
    }

    /// The live pending queue, oldest first, at most `limit` of it, as it would be pushed (each with
    /// when it was made): what the sync inspector shows.
    pub fn pending_queue(&self, limit: usize) -> Result<Vec<crate::protocol::PushMutation>> {
        pending::unsent(&self.optimistic, self.meta.last_mutation_id, limit)
    }

    /// Every row of one of base's tables (`issue`, `label`, `issue_label` or `comment`), in its key's
    /// order, each as its values in column order. For tests and diagnostics.
    pub fn base_rows(&self, table: &str) -> Result<Vec<Vec<rusqlite::types::Value>>> {
        let table = super::rebase::TABLES
            .into_iter()
            .find(|known| *known == table)
            .ok_or_else(|| super::ReplicaError::InvalidResponse(format!("no table {table}")))?;
        let mut statement = self
            .base
            .prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2"))?;
        let columns = statement.column_count();
        let rows = statement
            .query_map([], |row| (0..columns).map(|i| row.get(i)).collect())?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Base's issues, newest first: what the server has confirmed. For tests and diagnostics.
    pub fn base_issues(&self) -> Result<Vec<Issue>> {
        let mut statement = self.base.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM issue ORDER BY created_at DESC, id DESC"
        ))?;
        let issues = statement
            .query_map([], issue)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(issues)
    }
}
