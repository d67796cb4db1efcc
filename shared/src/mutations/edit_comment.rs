//! `editComment {id, issueId, body, editedAt}` (schema version 2): only by the comment's author or the
//! workspace's owner.

use serde::{Deserialize, Serialize};

use super::fields::{CommentBody, CommentId, IssueId, Millis};
use super::refusal::Rule;
use super::{Mutator, Scope};
use crate::actor::Actor;
use crate::issue::Issue;
use crate::statement::{SqlValue, Statement};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EditComment {
    pub id: CommentId,
    /// The comment's issue: the scope it is in.
    pub issue_id: IssueId,
    pub body: CommentBody,
    pub edited_at: Millis,
}

impl Mutator for EditComment {
    const NAME: &'static str = "editComment";
    const SCHEMA_VERSION: u64 = 2;

    fn scopes(&self) -> Vec<Scope> {
        vec![Scope::Issue(self.issue_id)]
    }

    fn preview(&self, row: Option<Issue>, _by: &Actor) -> Option<Issue> {
        row
    }

    fn guards(&self, by: &Actor) -> Vec<Statement> {
        vec![
            Rule::comment_author(self.id, by),
            Rule::thread_room(self.issue_id, self.id, self.body.as_str()),
        ]
    }

    /// A comment deleted meanwhile stays deleted.
    fn effects(&self, by: &Actor) -> Vec<Statement> {
        let mut statements = vec![Statement::new(
            "UPDATE comment SET body = ?3, edited_at = ?4 \
             WHERE id = ?1 AND issue_id = ?2 AND workspace_id = ?5",
            vec![
                self.id.to_string().into(),
                self.issue_id.to_string().into(),
                self.body.as_str().into(),
                SqlValue::from(self.edited_at.get()),
                by.workspace(),
            ],
        )];
        statements.extend(super::mentions::record(
            self.issue_id,
            Some(self.id),
            self.body.as_str(),
            self.edited_at.get(),
            by,
        ));
        statements
    }
}
