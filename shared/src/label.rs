//! Labels as clients read them: a workspace's labels, and which issues carry them (schema version 2).

use serde::{Deserialize, Serialize};

use crate::mutations::fields::{IssueId, LabelId};

/// One label of the workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Label {
    pub id: LabelId,
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
    pub created_at: u64,
}

/// The colours a new label takes, in turn (the web app's, the CLI's): each readable as a dot beside
/// text in both schemes.
pub const PALETTE: [&str; 8] = [
    "#d73a4a", "#0075ca", "#2da44e", "#a2700c", "#8250df", "#bf3989", "#1b7c83", "#6e7781",
];

/// A label on an issue. Links to a deleted label stay in the table, unseen: every read joins `label`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueLabel {
    pub issue_id: IssueId,
    pub label_id: LabelId,
}

/// The columns of a label as a snapshot sends it and the replica reads it.
pub const LABEL_COLUMNS: &str = "id, name, color, created_at";
