//! Comments as clients read them: the discussion under an issue, oldest first (schema version 2).

use serde::{Deserialize, Serialize};

use crate::mutations::fields::{CommentId, IssueId, MemberId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    pub id: CommentId,
    pub issue_id: IssueId,
    pub author: MemberId,
    pub body: String,
    pub created_at: u64,
    /// When it was last edited, if ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<u64>,
}

/// The columns of a comment as a snapshot sends it and the replica reads it.
pub const COMMENT_COLUMNS: &str = "id, issue_id, author, body, created_at, edited_at";
