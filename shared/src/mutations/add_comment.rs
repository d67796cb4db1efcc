//! `addComment {id, issueId, body, createdAt}` (schema version 2): by the member who makes it.

use serde::{Deserialize, Serialize};

use super::fields::{CommentBody, CommentId, IssueId, Millis};
use super::refusal::Rule;
use super::{Mutator, Scope};
use crate::actor::Actor;
use crate::error::MutationError;
use crate::issue::Issue;
use crate::statement::{SqlValue, Statement};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddComment {
    pub id: CommentId,
    pub issue_id: IssueId,
    pub body: CommentBody,
    pub created_at: Millis,
}

impl Mutator for AddComment {
    const NAME: &'static str = "addComment";
    const SCHEMA_VERSION: u64 = 2;

    fn scopes(&self) -> Vec<Scope> {
        vec![Scope::Issue(self.issue_id)]
    }

    fn preview(&self, row: Option<Issue>, _by: &Actor) -> Option<Issue> {
        row
    }

    /// Refused when the issue is gone: a comment is not dropped without a word.
    fn guards(&self, by: &Actor) -> Vec<Statement> {
        vec![
            Rule::IssueMissing.guard(vec![self.issue_id.to_string().into(), by.workspace()]),
            Rule::thread_room(self.issue_id, self.id, self.body.as_str()),
        ]
    }

    fn statement_failed(&self, sql_error: &str) -> MutationError {
        if sql_error.contains("UNIQUE constraint failed: comment.id") {
            MutationError::StatementFailed(format!(
                "a comment with the id {} already exists",
                self.id
            ))
        } else {
            super::refusal::statement_failed(sql_error)
        }
    }

    /// A logged create replaces the row it finds (see [`Mutator::replay_statements`]).
    fn replay_statements(&self, by: &Actor) -> Vec<Statement> {
        let mut statements = vec![Statement::new(
            "DELETE FROM comment WHERE id = ?1",
            vec![self.id.to_string().into()],
        )];
        // Its mentions' first time is the comment's own.
        statements.push(Statement::new(
            "DELETE FROM mention WHERE comment_id = ?1",
            vec![self.id.to_string().into()],
        ));
        statements.extend(self.effects(by));
        statements
    }

    /// On the issue only while it exists (when replayed over newer rows, it may be gone).
    fn effects(&self, by: &Actor) -> Vec<Statement> {
        let mut statements = vec![Statement::new(
            "INSERT INTO comment (id, issue_id, workspace_id, author, body, created_at) \
             SELECT ?1, id, workspace_id, ?3, ?4, ?5 FROM issue WHERE id = ?2 AND workspace_id = ?6",
            vec![
                self.id.to_string().into(),
                self.issue_id.to_string().into(),
                by.member(),
                self.body.as_str().into(),
                SqlValue::from(self.created_at.get()),
                by.workspace(),
            ],
        )];
        statements.extend(super::mentions::record(
            self.issue_id,
            Some(self.id),
            self.body.as_str(),
            self.created_at.get(),
            by,
        ));
        statements
    }
}
