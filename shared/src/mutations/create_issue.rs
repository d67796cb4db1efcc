//! `createIssue {id, title, description, owner, status?, createdAt}`, and in the log `number`: the
//! issue's number in its workspace, which only the server gives (`shared/src/server.rs`), in the batch
//! that applies the create. A client's create has none ([`CreateIssue::check_new`]); its replica shows
//! the issue without a number until the logged create comes back with one.

use serde::{Deserialize, Serialize};

use super::fields::{Description, IssueId, Millis, Owner, Status, Title};
use super::{Mutator, Scope, history};
use crate::actor::Actor;
use crate::error::MutationError;
use crate::history::EventKind;
use crate::issue::Issue;
use crate::statement::{SqlValue, Statement};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateIssue {
    pub id: IssueId,
    pub title: Title,
    pub description: Description,
    pub owner: Owner,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    pub created_at: Millis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u64>,
}

impl Mutator for CreateIssue {
    const NAME: &'static str = "createIssue";

    fn scopes(&self) -> Vec<Scope> {
        vec![Scope::Issue(self.id)]
    }

    /// An issue with this id already there stays as it is (the insert fails).
    fn preview(&self, row: Option<Issue>, by: &Actor) -> Option<Issue> {
        row.or_else(|| {
            Some(Issue {
                id: self.id,
                title: self.title.as_str().to_owned(),
                description: self.description.as_str().to_owned(),
                owner: self.owner.as_str().to_owned(),
                status: self.status.unwrap_or_default(),
                created_at: self.created_at.get(),
                updated_at: self.created_at.get(),
                created_by: Some(by.member_id),
                updated_by: Some(by.member_id),
                priority: Default::default(),
                assignee: None,
                number: self.number,
                deleted_at: None,
                deleted_by: None,
            })
        })
    }

    fn statement_failed(&self, sql_error: &str) -> MutationError {
        if sql_error.contains("UNIQUE constraint failed: issue.id") {
            MutationError::StatementFailed(format!(
                "an issue with the id {} already exists",
                self.id
            ))
        } else {
            MutationError::StatementFailed(sql_error.to_owned())
        }
    }

    /// A logged create replaces the row it finds: a later state of this very issue, read by a snapshot
    /// page; the entries after this one bring it back to that state.
    fn replay_statements(&self, by: &Actor) -> Vec<Statement> {
        let mut statements = vec![Statement::new(
            "DELETE FROM issue WHERE id = ?1",
            vec![self.id.to_string().into()],
        )];
        statements.extend(self.effects(by));
        statements
    }

    /// Fails (a rejection) when an issue with this id already exists, in any workspace.
    fn effects(&self, by: &Actor) -> Vec<Statement> {
        let mut statements = vec![Statement::new(
            "INSERT INTO issue (id, title, description, owner, status, created_at, updated_at, \
             workspace_id, created_by, updated_by, number) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?8, ?9)",
            vec![
                self.id.to_string().into(),
                self.title.as_str().into(),
                self.description.as_str().into(),
                self.owner.as_str().into(),
                self.status.unwrap_or_default().as_str().into(),
                SqlValue::from(self.created_at.get()),
                by.workspace(),
                by.member(),
                self.number.into(),
            ],
        )];
        statements.extend(history::record(
            self.id,
            EventKind::Created,
            "",
            self.created_at.get(),
            by,
        ));
        statements.extend(super::mentions::record(
            self.id,
            None,
            self.description.as_str(),
            self.created_at.get(),
            by,
        ));
        statements
    }

    /// A number is the server's to give: a client that sends one is refused.
    fn check_new(&self) -> Result<(), String> {
        match self.number {
            Some(_) => Err("number is given by the server; leave it out".to_owned()),
            None => Ok(()),
        }
    }
}
