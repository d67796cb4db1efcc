//! Each issue's history as clients read it (schema version 3): what happened to it, by whom and when.
//! The rows are written by the statements of the change itself ([`crate::mutations::history`]), on
//! the server and in every replica, so the history outlives the log's compaction; snapshots carry them
//! like comments.

use serde::{Deserialize, Serialize};

use crate::mutations::fields::{IssueId, MemberId};

/// What happened. Its name is the `kind` column's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Created,
    Title,
    Description,
    Status,
    Priority,
    Assignee,
    LabelAdded,
    LabelRemoved,
    Trashed,
    Restored,
}

impl EventKind {
    pub const ALL: [EventKind; 10] = [
        EventKind::Created,
        EventKind::Title,
        EventKind::Description,
        EventKind::Status,
        EventKind::Priority,
        EventKind::Assignee,
        EventKind::LabelAdded,
        EventKind::LabelRemoved,
        EventKind::Trashed,
        EventKind::Restored,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Title => "title",
            EventKind::Description => "description",
            EventKind::Status => "status",
            EventKind::Priority => "priority",
            EventKind::Assignee => "assignee",
            EventKind::LabelAdded => "label_added",
            EventKind::LabelRemoved => "label_removed",
            EventKind::Trashed => "trashed",
            EventKind::Restored => "restored",
        }
    }

    pub fn parse(name: &str) -> Option<EventKind> {
        EventKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }
}

/// One thing that happened to an issue. `value` is the new value (a status or priority by its
/// protocol name, a member's id, a title), a label's id for labels, and `""` for none (no one
/// assigned) and for the kinds that carry nothing (a description's text is not repeated here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueEvent {
    pub issue_id: IssueId,
    pub at: u64,
    pub member_id: MemberId,
    pub kind: EventKind,
    pub value: String,
}

/// The columns of an event as a snapshot sends it and the replica reads it.
pub const EVENT_COLUMNS: &str = "issue_id, at, member_id, kind, value";

/// The most events an issue keeps: the oldest go as new ones come.
pub const MAX_EVENTS_PER_ISSUE: u64 = 200;
