//! What the UI reads, from the optimistic state, as typed rows.

use rusqlite::{OptionalExtension, params};

use super::error::Result;
use super::{Replica, pending};
use crate::comment::{COMMENT_COLUMNS, Comment};
use crate::issue::{Issue, IssueFilter, Sort, StatusCounts};
use crate::label::{IssueLabel, LABEL_COLUMNS, Label};
use crate::mutations::fields::{IssueId, Status};

use crate::snapshot::ISSUE_COLUMNS as COLUMNS;
use crate::sqlite::{comment, issue, issue_label, label};

impl Replica {
    /// The issues that match `filter`, newest first.
    pub fn issues(&self, filter: &IssueFilter) -> Result<Vec<Issue>> {
        Ok(self.issues_limited(filter, u64::MAX)?.0)
    }

    /// The first `limit` issues that match `filter`, in its order, and how many match in all.
    pub fn issues_limited(&self, filter: &IssueFilter, limit: u64) -> Result<(Vec<Issue>, u64)> {
        let search = filter
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_lowercase);
        let json = |value: serde_json::Value| value.to_string();
        let params = params![
            filter.status.map(Status::as_str),
            search,
            json(serde_json::json!(filter.priorities)),
            json(serde_json::json!(filter.assignees)),
            json(serde_json::json!(filter.creators)),
            json(serde_json::json!(filter.labels)),
        ];
        // Lists given as JSON arrays (`[]`: no filter); an assignee of `null` is no one.
        const MATCHES: &str = "(?1 IS NULL OR status = ?1) \
             AND (?2 IS NULL OR instr(lower(title), ?2) > 0 OR instr(lower(description), ?2) > 0) \
             AND (?3 = '[]' OR priority IN (SELECT value FROM json_each(?3))) \
             AND (?4 = '[]' OR COALESCE(assignee, '') IN \
                  (SELECT COALESCE(value, '') FROM json_each(?4))) \
             AND (?5 = '[]' OR created_by IN (SELECT value FROM json_each(?5))) \
             AND (?6 = '[]' OR (SELECT COUNT(DISTINCT lower(label.name)) FROM issue_label l \
                  JOIN label ON label.id = l.label_id WHERE l.issue_id = issue.id \
                  AND lower(label.name) IN (SELECT lower(value) FROM json_each(?6))) \
                  = (SELECT COUNT(DISTINCT lower(value)) FROM json_each(?6)))";
        let order = match filter.sort {
            Sort::Created => "created_at DESC, id DESC",
            Sort::Updated => "updated_at DESC, id DESC",
            Sort::Priority => {
                "CASE priority WHEN 'urgent' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 \
                 WHEN 'low' THEN 1 ELSE 0 END DESC, created_at DESC, id DESC"
            }
        };
        let limit = limit.min(i64::MAX as u64) as i64;
        let issues = self
            .optimistic
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM issue WHERE {MATCHES} ORDER BY {order} LIMIT {limit}"
            ))?
            .query_map(params, issue)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let matching = if (issues.len() as i64) < limit {
            issues.len() as u64
        } else {
            self.optimistic
                .prepare_cached(&format!("SELECT COUNT(*) FROM issue WHERE {MATCHES}"))?
                .query_row(params, |row| row.get::<_, i64>(0))? as u64
        };
        Ok((issues, matching))
    }

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

    /// Issues by status, optimistically.
    pub fn status_counts(&self) -> Result<StatusCounts> {
        let mut counts = StatusCounts::default();
        let mut statement = self
            .optimistic
            .prepare_cached("SELECT status, COUNT(*) FROM issue GROUP BY status")?;
        let rows = statement.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)? as u64))
        })?;
        for row in rows {
            let (status, n) = row?;
            match Status::parse(&status) {
                Some(Status::NotStarted) => counts.not_started = n,
                Some(Status::InProgress) => counts.in_progress = n,
                Some(Status::Done) => counts.done = n,
                None => {}
            }
        }
        Ok(counts)
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
