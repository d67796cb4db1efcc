//! The statements that keep the `mention` table (migration `0010_conversation.sql`) equal to what the
//! texts say: written by each mutation that writes a description or a comment, beside it, so the
//! server and every replica derive the same rows from the same log. The inbox reads them by member.
//!
//! A member still mentioned after an edit keeps the row's first time (the edit is not a new mention);
//! one no longer mentioned loses it.

use super::fields::{CommentId, IssueId};
use crate::actor::Actor;
use crate::references::mentioned_members;
use crate::statement::{SqlValue, Statement};

/// `?1` issue, `?2` comment (`''` for the description), `?3` the members mentioned now (a JSON
/// array): the rows of members no longer mentioned.
const FORGET_OTHERS: &str = "DELETE FROM mention WHERE issue_id = ?1 AND comment_id = ?2 \
     AND member_id NOT IN (SELECT value FROM json_each(?3))";
/// `?1` issue, `?2` comment, `?3` members (JSON), `?4` who wrote it, `?5` when, `?6` workspace: a row
/// for each, while the issue (and the comment) exist.
const RECORD: &str = "INSERT OR IGNORE INTO mention \
     (issue_id, comment_id, member_id, by_member, at, workspace_id) \
     SELECT issue.id, ?2, m.value, ?4, ?5, issue.workspace_id \
     FROM issue, json_each(?3) m WHERE issue.id = ?1 AND issue.workspace_id = ?6 \
     AND (?2 = '' OR EXISTS (SELECT 1 FROM comment WHERE id = ?2 AND issue_id = ?1))";

/// The statements recording who `text` mentions, written by `by` at `at`, in `issue`'s description
/// (`comment` `None`) or in one of its comments.
pub fn record(
    issue: IssueId,
    comment: Option<CommentId>,
    text: &str,
    at: u64,
    by: &Actor,
) -> [Statement; 2] {
    let members: Vec<String> = mentioned_members(text)
        .into_iter()
        .map(|m| m.to_string())
        .collect();
    let members = serde_json::to_string(&members).unwrap_or_else(|_| "[]".to_owned());
    let issue = SqlValue::from(issue.to_string());
    let comment = SqlValue::from(comment.map(|c| c.to_string()).unwrap_or_default());
    [
        Statement::new(
            FORGET_OTHERS,
            vec![issue.clone(), comment.clone(), members.clone().into()],
        ),
        Statement::new(
            RECORD,
            vec![
                issue,
                comment,
                members.into(),
                by.member(),
                at.into(),
                by.workspace(),
            ],
        ),
    ]
}

/// `?1` issue, `?2` comment, `?3` workspace: a deleted comment's mentions and reactions.
pub(super) const FORGET_COMMENT: [&str; 2] = [
    "DELETE FROM mention WHERE issue_id = ?1 AND comment_id = ?2 AND workspace_id = ?3",
    "DELETE FROM reaction WHERE issue_id = ?1 AND comment_id = ?2 AND workspace_id = ?3",
];

/// `?1` issue, `?2` workspace: the conversation's rows in the scope of an issue deleted for good.
/// (Its read marks are in the member's inbox scope: [`super::DeleteIssue`] names that scope too and
/// deletes them itself.)
pub(super) const FORGET_ISSUE: [&str; 3] = [
    "DELETE FROM mention WHERE issue_id = ?1 AND workspace_id = ?2",
    "DELETE FROM reaction WHERE issue_id = ?1 AND workspace_id = ?2",
    "DELETE FROM subscription WHERE issue_id = ?1 AND workspace_id = ?2",
];
