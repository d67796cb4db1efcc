//! The issue as clients read it: a row, a filter for lists, counts by status. Plain data, shared by the
//! replica that produces them and the UI that shows them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::mutations::fields::{IssueId, MemberId, Priority, Status};

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
    /// Schema version 2; absent (`none`) from a version-1 server.
    #[serde(default)]
    pub priority: Priority,
    /// The member it is assigned to, if any (schema version 2).
    #[serde(default)]
    pub assignee: Option<MemberId>,
    /// Its number in the workspace (`TRK-42`), given by the server when it applies the create
    /// (schema version 3); `None` until the create comes back, and from an older server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u64>,
    /// When it went to the trash, and by whom (schema version 3); `None` for a live issue. Lists,
    /// search and counts leave trashed issues out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_by: Option<MemberId>,
}

/// Which issues a list shows, and in which order: all, or one status; text to find in the title or
/// description; and (schema version 2) any of these priorities, assignees (`None`: no one) and
/// creators, carrying every one of these labels (by name). An empty list does not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueFilter {
    pub status: Option<Status>,
    pub search: Option<String>,
    #[serde(default)]
    pub priorities: Vec<Priority>,
    #[serde(default)]
    pub assignees: Vec<Option<MemberId>>,
    #[serde(default)]
    pub creators: Vec<MemberId>,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub sort: Sort,
}

/// A list's order: newest first (the default), most recently changed first, or most urgent first
/// (then newest).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Sort {
    #[default]
    Created,
    Updated,
    Priority,
}

impl Sort {
    pub const ALL: [Sort; 3] = [Sort::Created, Sort::Updated, Sort::Priority];

    /// The name in the URL (`?sort=updated`).
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Created => "created",
            Sort::Updated => "updated",
            Sort::Priority => "priority",
        }
    }

    pub fn parse(name: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|sort| sort.as_str() == name)
    }
}

/// The rows of the list the UI asks for: `len` rows from position `start` (0 is the first), or, with
/// `around`, the rows around that issue (its page is open, or its address was followed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WindowRequest {
    pub start: u64,
    pub len: u32,
    #[serde(default)]
    pub around: Option<IssueId>,
    /// The window the UI measured `start` on, when it had one: positions in a list that changed
    /// since are moved by as much as this row moved.
    #[serde(default)]
    pub seen: Option<Seen>,
}

/// A row the UI had on the screen and its position then, in the window of data `version`
/// (`Window::version`). Rows that arrived above since moved it: the UI's positions are that many
/// rows behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Seen {
    pub version: u64,
    pub id: IssueId,
    pub at: u64,
}

/// The most rows one window holds.
pub const MAX_WINDOW: u32 = 500;

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
