//! What the UI reads, from the optimistic state, as typed rows.

use rusqlite::{OptionalExtension, params};

use super::error::Result;
use super::{Replica, pending};
use crate::issue::{Issue, IssueFilter, StatusCounts};
use crate::mutations::fields::{IssueId, Status};

use crate::snapshot::ISSUE_COLUMNS as COLUMNS;
use crate::sqlite::issue;

impl Replica {
    /// The issues that match `filter`, newest first.
    pub fn issues(&self, filter: &IssueFilter) -> Result<Vec<Issue>> {
        Ok(self.issues_limited(filter, u64::MAX)?.0)
    }

    /// The first `limit` issues that match `filter`, newest first, and how many match in all.
    pub fn issues_limited(&self, filter: &IssueFilter, limit: u64) -> Result<(Vec<Issue>, u64)> {
        let search = filter
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_lowercase);
        let status = filter.status.map(Status::as_str);
        const MATCHES: &str = "(?1 IS NULL OR status = ?1) \
             AND (?2 IS NULL OR instr(lower(title), ?2) > 0 OR instr(lower(description), ?2) > 0)";
        let issues = self
            .optimistic
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM issue WHERE {MATCHES} ORDER BY created_at DESC, id DESC LIMIT ?3"
            ))?
            .query_map(params![status, search, limit.min(i64::MAX as u64) as i64], issue)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let matching = if (issues.len() as u64) < limit {
            issues.len() as u64
        } else {
            self.optimistic
                .prepare_cached(&format!("SELECT COUNT(*) FROM issue WHERE {MATCHES}"))?
                .query_row(params![status, search], |row| row.get::<_, i64>(0))? as u64
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
