//! Everything the optimistic state holds, at once: what an export reads ([`crate::export`]). The
//! UI's reads (`queries.rs`) are by issue and by window; these are whole tables, in a stable order.

use super::Replica;
use super::error::Result;
use crate::comment::{COMMENT_COLUMNS, Comment};
use crate::history::{EVENT_COLUMNS, IssueEvent};
use crate::issue::Issue;
use crate::label::IssueLabel;
use crate::snapshot::ISSUE_COLUMNS;
use crate::sqlite::{comment, event, issue, issue_label};

impl Replica {
    /// Every issue, the trash included: numbered ones by number, then those waiting for theirs by
    /// when they were made.
    pub fn every_issue(&self) -> Result<Vec<Issue>> {
        self.read_all(
            &format!(
                "SELECT {ISSUE_COLUMNS} FROM issue \
                 ORDER BY number IS NULL, number, created_at, id"
            ),
            issue,
        )
    }

    /// Every label on every issue (of labels that still exist).
    pub fn every_issue_label(&self) -> Result<Vec<IssueLabel>> {
        self.read_all(
            "SELECT l.issue_id, l.label_id FROM issue_label l JOIN label ON label.id = l.label_id \
             ORDER BY l.issue_id, label.name COLLATE NOCASE, label.id",
            issue_label,
        )
    }

    /// Every comment, oldest first.
    pub fn every_comment(&self) -> Result<Vec<Comment>> {
        self.read_all(
            &format!("SELECT {COMMENT_COLUMNS} FROM comment ORDER BY created_at, id"),
            comment,
        )
    }

    /// Every issue's history, oldest first.
    pub fn every_event(&self) -> Result<Vec<IssueEvent>> {
        self.read_all(
            &format!(
                "SELECT {EVENT_COLUMNS} FROM issue_event ORDER BY issue_id, at, member_id, kind, value"
            ),
            event,
        )
    }

    fn read_all<T>(
        &self,
        sql: &str,
        map: fn(&rusqlite::Row) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let mut statement = self.optimistic.prepare(sql)?;
        let rows = statement
            .query_map([], map)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
