//! `assignIssue {id, assignee, updatedAt}` (schema version 2): `assignee` is a member's id, or `null`
//! for no one. It is not checked against the members: one who left stays assignable until someone
//! changes it, as they stay the assignee of their issues.

use serde::{Deserialize, Serialize};

use super::fields::{IssueId, MemberId, Millis};
use super::{Mutator, Scope, history};
use crate::actor::Actor;
use crate::history::EventKind;
use crate::issue::Issue;
use crate::statement::{SqlValue, Statement};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssignIssue {
    pub id: IssueId,
    /// Required, `null` included: an absent field is a mistake, not "no one".
    #[serde(deserialize_with = "Option::deserialize")]
    pub assignee: Option<MemberId>,
    pub updated_at: Millis,
}

impl Mutator for AssignIssue {
    const NAME: &'static str = "assignIssue";
    const SCHEMA_VERSION: u64 = 2;

    fn scopes(&self) -> Vec<Scope> {
        vec![Scope::Issue(self.id)]
    }

    fn preview(&self, row: Option<Issue>, by: &Actor) -> Option<Issue> {
        row.map(|issue| Issue {
            assignee: self.assignee,
            updated_at: self.updated_at.get(),
            updated_by: Some(by.member_id),
            ..issue
        })
    }

    /// An issue deleted meanwhile stays deleted: the update matches no row.
    fn effects(&self, by: &Actor) -> Vec<Statement> {
        let mut statements = vec![Statement::new(
            "UPDATE issue SET assignee = ?2, updated_at = ?3, updated_by = ?5 \
             WHERE id = ?1 AND workspace_id = ?4",
            vec![
                self.id.to_string().into(),
                self.assignee.map(|member| member.to_string()).into(),
                SqlValue::from(self.updated_at.get()),
                by.workspace(),
                by.member(),
            ],
        )];
        statements.extend(history::record(
            self.id,
            EventKind::Assignee,
            &self.assignee.map(|m| m.to_string()).unwrap_or_default(),
            self.updated_at.get(),
            by,
        ));
        statements
    }
}
