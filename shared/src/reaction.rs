//! Reactions as clients read them (schema version 4): a member's emoji on an issue or on one of its
//! comments, from a small fixed set, at most once each.

use serde::{Deserialize, Serialize};

use crate::mutations::fields::{CommentId, IssueId, MemberId};

/// The reactions there are, by the names the wire and the database use (GitHub's set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Emoji {
    ThumbsUp,
    ThumbsDown,
    Laugh,
    Hooray,
    Confused,
    Heart,
    Rocket,
    Eyes,
}

impl Emoji {
    pub const ALL: [Emoji; 8] = [
        Emoji::ThumbsUp,
        Emoji::ThumbsDown,
        Emoji::Laugh,
        Emoji::Hooray,
        Emoji::Confused,
        Emoji::Heart,
        Emoji::Rocket,
        Emoji::Eyes,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Emoji::ThumbsUp => "+1",
            Emoji::ThumbsDown => "-1",
            Emoji::Laugh => "laugh",
            Emoji::Hooray => "hooray",
            Emoji::Confused => "confused",
            Emoji::Heart => "heart",
            Emoji::Rocket => "rocket",
            Emoji::Eyes => "eyes",
        }
    }

    /// The character shown.
    pub fn glyph(self) -> &'static str {
        match self {
            Emoji::ThumbsUp => "👍",
            Emoji::ThumbsDown => "👎",
            Emoji::Laugh => "😄",
            Emoji::Hooray => "🎉",
            Emoji::Confused => "😕",
            Emoji::Heart => "❤️",
            Emoji::Rocket => "🚀",
            Emoji::Eyes => "👀",
        }
    }

    /// What a screen reader says for it.
    pub fn label(self) -> &'static str {
        match self {
            Emoji::ThumbsUp => "thumbs up",
            Emoji::ThumbsDown => "thumbs down",
            Emoji::Laugh => "laugh",
            Emoji::Hooray => "hooray",
            Emoji::Confused => "confused",
            Emoji::Heart => "heart",
            Emoji::Rocket => "rocket",
            Emoji::Eyes => "eyes",
        }
    }

    pub fn parse(name: &str) -> Option<Emoji> {
        Emoji::ALL.into_iter().find(|e| e.as_str() == name)
    }
}

impl TryFrom<String> for Emoji {
    type Error = String;
    fn try_from(name: String) -> Result<Self, String> {
        Emoji::parse(&name).ok_or_else(|| {
            let names: Vec<&str> = Emoji::ALL.iter().map(|e| e.as_str()).collect();
            format!(
                "emoji must be one of {}, not {}",
                names.join(", "),
                crate::error::quote(&name)
            )
        })
    }
}

impl From<Emoji> for String {
    fn from(emoji: Emoji) -> String {
        emoji.as_str().to_owned()
    }
}

/// One reaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reaction {
    pub issue_id: IssueId,
    /// The comment reacted to; `None` for the issue itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_id: Option<CommentId>,
    pub member_id: MemberId,
    pub emoji: Emoji,
    pub created_at: u64,
}

/// The columns of a reaction as a snapshot sends it and the replica reads it (`comment_id` is `''`
/// for the issue's own).
pub const REACTION_COLUMNS: &str = "issue_id, comment_id, member_id, emoji, created_at";
