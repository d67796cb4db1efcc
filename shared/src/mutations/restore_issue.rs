//! `restoreIssue {id, restoredAt}` (schema version 3): brings an issue back from the trash, with its
//! comments, labels and history, by any member. One that is not in the trash stays as it is.

use serde::{Deserialize, Serialize};

use super::fields::{IssueId, Millis};
use super::refusal::Rule;
use super::{Mutator, Scope, history};
use crate::actor::Actor;
use crate::history::EventKind;
use crate::issue::Issue;
use crate::statement::Statement;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RestoreIssue {
    pub id: IssueId,
    pub restored_at: Millis,
}

impl Mutator for RestoreIssue {
    const NAME: &'static str = "restoreIssue";
    const SCHEMA_VERSION: u64 = 3;

    fn scopes(&self) -> Vec<Scope> {
        vec![Scope::Issue(self.id)]
    }

    fn preview(&self, row: Option<Issue>, _by: &Actor) -> Option<Issue> {
        row.map(|issue| Issue {
            deleted_at: None,
            deleted_by: None,
            ..issue
        })
    }

    /// Refused when the issue is gone for good (compaction removed it from the trash).
    fn guards(&self, by: &Actor) -> Vec<Statement> {
        vec![Rule::IssueMissing.guard(vec![self.id.to_string().into(), by.workspace()])]
    }

    fn effects(&self, by: &Actor) -> Vec<Statement> {
        let mut statements = vec![Statement::new(
            "UPDATE issue SET deleted_at = NULL, deleted_by = NULL \
             WHERE id = ?1 AND workspace_id = ?2",
            vec![self.id.to_string().into(), by.workspace()],
        )];
        statements.extend(history::record(
            self.id,
            EventKind::Restored,
            "",
            self.restored_at.get(),
            by,
        ));
        statements
    }
}
