//! `deleteComment {id, issueId}` (schema version 2): only by the comment's author or the workspace's
//! owner.

use serde::{Deserialize, Serialize};

use super::fields::{CommentId, IssueId};
use super::refusal::Rule;
use super::{Mutator, Scope};
use crate::actor::Actor;
use crate::issue::Issue;
use crate::statement::Statement;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeleteComment {
    pub id: CommentId,
    /// The comment's issue: the scope it is in.
    pub issue_id: IssueId,
}

impl Mutator for DeleteComment {
    const NAME: &'static str = "deleteComment";
    const SCHEMA_VERSION: u64 = 2;

    fn scopes(&self) -> Vec<Scope> {
        vec![Scope::Issue(self.issue_id)]
    }

    fn preview(&self, row: Option<Issue>, _by: &Actor) -> Option<Issue> {
        row
    }

    fn guards(&self, by: &Actor) -> Vec<Statement> {
        vec![Rule::comment_author(self.id, by)]
    }

    /// Deleting a comment that is already gone changes nothing.
    fn effects(&self, by: &Actor) -> Vec<Statement> {
        let params = || {
            vec![
                self.issue_id.to_string().into(),
                self.id.to_string().into(),
                by.workspace(),
            ]
        };
        let mut statements = vec![Statement::new(
            "DELETE FROM comment WHERE id = ?2 AND issue_id = ?1 AND workspace_id = ?3",
            params(),
        )];
        statements.extend(
            super::mentions::FORGET_COMMENT
                .into_iter()
                .map(|sql| Statement::new(sql, params())),
        );
        statements
    }
}
