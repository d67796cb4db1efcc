//! `deleteIssue {id}`

use serde::{Deserialize, Serialize};

use super::Mutator;
use super::fields::IssueId;
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

    fn issue_id(&self) -> IssueId {
        self.id
    }

    fn preview(&self, _row: Option<Issue>, _by: &Actor) -> Option<Issue> {
        None
    }

    /// Deleting an issue that is already gone changes nothing.
    fn statements(&self, by: &Actor) -> Vec<Statement> {
        vec![Statement::new(
            "DELETE FROM issue WHERE id = ?1 AND workspace_id = ?2",
            vec![self.id.to_string().into(), by.workspace()],
        )]
    }
}
