//! `setIssuePriority {id, priority, updatedAt}` (schema version 2)

use serde::{Deserialize, Serialize};

use super::fields::{IssueId, Millis, Priority};
use super::{Mutator, Scope, history};
use crate::actor::Actor;
use crate::history::EventKind;
use crate::issue::Issue;
use crate::statement::{SqlValue, Statement};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetIssuePriority {
    pub id: IssueId,
    pub priority: Priority,
    pub updated_at: Millis,
}

impl Mutator for SetIssuePriority {
    const NAME: &'static str = "setIssuePriority";
    const SCHEMA_VERSION: u64 = 2;

    fn scopes(&self) -> Vec<Scope> {
        vec![Scope::Issue(self.id)]
    }

    fn preview(&self, row: Option<Issue>, by: &Actor) -> Option<Issue> {
        row.map(|issue| Issue {
            priority: self.priority,
            updated_at: self.updated_at.get(),
            updated_by: Some(by.member_id),
            ..issue
        })
    }

    /// An issue deleted meanwhile stays deleted: the update matches no row.
    fn effects(&self, by: &Actor) -> Vec<Statement> {
        let mut statements = vec![Statement::new(
            "UPDATE issue SET priority = ?2, updated_at = ?3, updated_by = ?5 \
             WHERE id = ?1 AND workspace_id = ?4",
            vec![
                self.id.to_string().into(),
                self.priority.as_str().into(),
                SqlValue::from(self.updated_at.get()),
                by.workspace(),
                by.member(),
            ],
        )];
        statements.extend(history::record(
            self.id,
            EventKind::Priority,
            self.priority.as_str(),
            self.updated_at.get(),
            by,
        ));
        statements
    }
}
