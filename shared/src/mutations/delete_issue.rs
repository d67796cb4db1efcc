//! `deleteIssue {id}`

use serde::{Deserialize, Serialize};

use super::fields::IssueId;
use super::{Mutator, Scope};
use crate::actor::Actor;
use crate::issue::Issue;
use crate::statement::Statement;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeleteIssue {
    pub id: IssueId,
}

impl Mutator for DeleteIssue {
    const NAME: &'static str = "deleteIssue";

    fn scopes(&self) -> Vec<Scope> {
        vec![Scope::Issue(self.id)]
    }

    fn preview(&self, _row: Option<Issue>, _by: &Actor) -> Option<Issue> {
        None
    }

    /// Deleting an issue deletes its comments and label links; one that is already gone changes
    /// nothing.
    fn effects(&self, by: &Actor) -> Vec<Statement> {
        let params = || vec![self.id.to_string().into(), by.workspace()];
        vec![
            Statement::new(
                "DELETE FROM comment WHERE issue_id = ?1 AND workspace_id = ?2",
                params(),
            ),
            Statement::new(
                "DELETE FROM issue_label WHERE issue_id = ?1 AND workspace_id = ?2",
                params(),
            ),
            Statement::new(
                "DELETE FROM issue WHERE id = ?1 AND workspace_id = ?2",
                params(),
            ),
        ]
    }
}
