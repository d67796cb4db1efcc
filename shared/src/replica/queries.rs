//! What the UI reads, from the optimistic state, as typed rows.

use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

use super::Replica;
use super::error::Result;
use crate::mutations::fields::{IssueId, Status};

/// One issue as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Issue {
    pub id: IssueId,
    pub title: String,
    pub description: String,
    pub owner: String,
    pub status: Status,
    pub created_at: u64,
    pub updated_at: u64,
}

/// Which issues a list shows: all, or one status; and text to find in the title or description.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueFilter {
    pub status: Option<Status>,
    pub search: Option<String>,
}

/// How many issues have each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusCounts {
    pub not_started: u64,
    pub in_progress: u64,
    pub done: u64,
}

impl StatusCounts {
    pub fn total(&self) -> u64 {
        self.not_started + self.in_progress + self.done
    }

    pub fn of(&self, status: Status) -> u64 {
        match status {
            Status::NotStarted => self.not_started,
            Status::InProgress => self.in_progress,
            Status::Done => self.done,
        }
    }
}

const COLUMNS: &str = "id, title, description, owner, status, created_at, updated_at";

impl Replica {
    /// The issues that match `filter`, newest first.
    pub fn issues(&self, filter: &IssueFilter) -> Result<Vec<Issue>> {
        let search = filter
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_lowercase);
        let mut statement = self.optimistic.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM issue \
             WHERE (?1 IS NULL OR status = ?1) \
               AND (?2 IS NULL OR instr(lower(title), ?2) > 0 OR instr(lower(description), ?2) > 0) \
             ORDER BY created_at DESC, id DESC"
        ))?;
        let issues = statement
            .query_map(params![filter.status.map(Status::as_str), search], issue)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(issues)
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
        let n: i64 = self.optimistic.query_row(
            "SELECT COUNT(*) FROM pending WHERE id > ?1",
            [self.meta.last_mutation_id as i64],
            |row| row.get(0),
        )?;
        Ok(n as u64)
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

fn issue(row: &Row) -> rusqlite::Result<Issue> {
    let text_error = |i: usize, what: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("not a valid {what}").into(),
        )
    };
    let id: String = row.get(0)?;
    let status: String = row.get(4)?;
    Ok(Issue {
        id: IssueId::parse_str(&id).map_err(|_| text_error(0, "issue id"))?,
        title: row.get(1)?,
        description: row.get(2)?,
        owner: row.get(3)?,
        status: Status::parse(&status).ok_or_else(|| text_error(4, "status"))?,
        created_at: row.get::<_, i64>(5)? as u64,
        updated_at: row.get::<_, i64>(6)? as u64,
    })
}
