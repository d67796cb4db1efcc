//! `setReaction {issueId, commentId?, emoji, on, at}` (schema version 4): the member's reaction to an
//! issue, or to one of its comments, on or off. Each member has each emoji at most once on each; a
//! second "on" changes nothing, and neither does an "off" for one that is not there. Saying which
//! (rather than toggling) keeps two devices of one member from undoing each other.

use serde::{Deserialize, Serialize};

use super::fields::{CommentId, IssueId, Millis};
use super::refusal::Rule;
use super::{Mutator, Scope};
use crate::actor::Actor;
use crate::issue::Issue;
use crate::reaction::Emoji;
use crate::statement::{SqlValue, Statement};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetReaction {
    pub issue_id: IssueId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_id: Option<CommentId>,
    pub emoji: Emoji,
    pub on: bool,
    pub at: Millis,
}

impl SetReaction {
    fn comment(&self) -> SqlValue {
        self.comment_id
            .map(|c| c.to_string())
            .unwrap_or_default()
            .into()
    }
}

impl Mutator for SetReaction {
    const NAME: &'static str = "setReaction";
    const SCHEMA_VERSION: u64 = 4;

    /// A reaction is in its issue's scope, as its comments are.
    fn scopes(&self) -> Vec<Scope> {
        vec![Scope::Issue(self.issue_id)]
    }

    fn preview(&self, row: Option<Issue>, _by: &Actor) -> Option<Issue> {
        row
    }

    /// A reaction is refused when what it is on is gone; taking one back never is.
    fn guards(&self, by: &Actor) -> Vec<Statement> {
        if !self.on {
            return Vec::new();
        }
        let mut guards =
            vec![Rule::IssueMissing.guard(vec![self.issue_id.to_string().into(), by.workspace()])];
        if self.comment_id.is_some() {
            guards.push(Rule::CommentMissing.guard(vec![
                self.comment(),
                self.issue_id.to_string().into(),
                by.workspace(),
            ]));
        }
        guards
    }

    fn effects(&self, by: &Actor) -> Vec<Statement> {
        let issue = SqlValue::from(self.issue_id.to_string());
        if self.on {
            vec![Statement::new(
                "INSERT OR IGNORE INTO reaction \
                 (issue_id, comment_id, member_id, emoji, workspace_id, created_at) \
                 SELECT id, ?2, ?3, ?4, workspace_id, ?5 FROM issue WHERE id = ?1 \
                 AND workspace_id = ?6 AND (?2 = '' OR EXISTS \
                 (SELECT 1 FROM comment WHERE id = ?2 AND issue_id = ?1))",
                vec![
                    issue,
                    self.comment(),
                    by.member(),
                    self.emoji.as_str().into(),
                    SqlValue::from(self.at.get()),
                    by.workspace(),
                ],
            )]
        } else {
            vec![Statement::new(
                "DELETE FROM reaction WHERE issue_id = ?1 AND comment_id = ?2 AND member_id = ?3 \
                 AND emoji = ?4 AND workspace_id = ?5",
                vec![
                    issue,
                    self.comment(),
                    by.member(),
                    self.emoji.as_str().into(),
                    by.workspace(),
                ],
            )]
        }
    }
}
