//! Each member's inbox (schema version 4): what happened that concerns them, derived by their own
//! replica from rows every member already reads, plus the two kinds of row that are theirs alone.
//!
//! **Derived on the client.** An item is an issue with activity by someone else that concerns the
//! member: they were assigned it, or mentioned in its description or a comment ([`Mention`] rows,
//! written beside the text by the mutations that write it), or someone commented on it or changed
//! its status while they follow it. They follow an issue they made, are assigned to or commented
//! on, unless they unsubscribed; and one they subscribed to ([`Subscription`]). The replica reads
//! this from its history, comments and mentions (`crate::replica`'s `inbox`), so the inbox works
//! offline for what was pulled, survives the log's compaction (history and mentions are rows), and
//! costs the server nothing per push: no fan-out of items to write, no table of them to keep.
//!
//! **Private state.** What the member has read ([`InboxRead`]) and what they chose to follow travel
//! as private mutations ([`crate::mutations::MarkInboxRead`], [`crate::mutations::SetSubscription`]):
//! their log entries, and their rows in snapshots, go to that member's clients only, so the read
//! state follows them to every device and no other member ever receives it.

use serde::{Deserialize, Serialize};

use crate::mutations::fields::{CommentId, IssueId, MemberId};

/// A member mentioned in a description (`comment_id` `None`) or a comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Mention {
    pub issue_id: IssueId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_id: Option<CommentId>,
    pub member_id: MemberId,
    pub by_member: MemberId,
    pub at: u64,
}

/// The member's own choice to follow an issue or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub issue_id: IssueId,
    pub subscribed: bool,
    pub at: u64,
}

/// What the member has read: an issue's activity up to `read_at`, or everything (`issue_id`
/// `None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboxRead {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_id: Option<IssueId>,
    pub read_at: u64,
}

/// What happened, in an inbox item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Activity {
    Assigned,
    Mentioned,
    Commented,
    /// The status changed; the item's `value` is the new one.
    Status,
}

impl Activity {
    pub fn parse(kind: &str) -> Option<Activity> {
        Some(match kind {
            "assigned" => Activity::Assigned,
            "mentioned" => Activity::Mentioned,
            "commented" => Activity::Commented,
            "status" => Activity::Status,
            _ => return None,
        })
    }
}

/// One issue in the inbox, by its latest activity that concerns the member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboxItem {
    pub issue_id: IssueId,
    pub number: Option<u64>,
    pub title: String,
    pub activity: Activity,
    /// Who did it.
    pub by: MemberId,
    pub at: u64,
    /// The comment it is, for a comment or a mention in one: opening the item scrolls to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_id: Option<CommentId>,
    /// The new status, for [`Activity::Status`]; the comment's start, for a comment.
    pub value: String,
    pub unread: bool,
}

/// The most items the inbox lists (the newest).
pub const INBOX_LIMIT: u32 = 200;
