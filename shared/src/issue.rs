//! The issue as clients read it: a row, a filter for lists, counts by status. Plain data, shared by the
//! replica that produces them and the UI that shows them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

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
    /// The member who created it, and who changed it last; `None` for rows a replica kept from
    /// before workspaces.
    pub created_by: Option<Uuid>,
    pub updated_by: Option<Uuid>,
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
