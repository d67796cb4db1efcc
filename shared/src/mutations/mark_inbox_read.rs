//! `markInboxRead {issueId?, at}` (schema version 4, private): the member has read an issue's
//! activity in their inbox up to `at`, or, without `issueId`, everything up to `at`. A read mark
//! only moves forward; marking everything read drops the issues' own marks it covers, so the rows
//! stay few. Private, like [`super::SetSubscription`].

use serde::{Deserialize, Serialize};

use super::fields::{IssueId, Millis};
use super::{Mutator, Scope};
use crate::actor::Actor;
use crate::issue::Issue;
use crate::statement::{SqlValue, Statement};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MarkInboxRead {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_id: Option<IssueId>,
    pub at: Millis,
}

impl Mutator for MarkInboxRead {
    const NAME: &'static str = "markInboxRead";
    const SCHEMA_VERSION: u64 = 4;
    const PRIVATE: bool = true;

    fn scopes(&self) -> Vec<Scope> {
        vec![Scope::Inbox]
    }

    fn preview(&self, row: Option<Issue>, _by: &Actor) -> Option<Issue> {
        row
    }

    fn effects(&self, by: &Actor) -> Vec<Statement> {
        let issue = SqlValue::from(self.issue_id.map(|i| i.to_string()).unwrap_or_default());
        let at = SqlValue::from(self.at.get());
        let mut statements = vec![Statement::new(
            "INSERT INTO inbox_read (member_id, workspace_id, issue_id, read_at) \
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT (member_id, workspace_id, issue_id) \
             DO UPDATE SET read_at = MAX(read_at, excluded.read_at)",
            vec![by.member(), by.workspace(), issue, at.clone()],
        )];
        if self.issue_id.is_none() {
            statements.push(Statement::new(
                "DELETE FROM inbox_read WHERE member_id = ?1 AND workspace_id = ?2 \
                 AND issue_id <> '' AND read_at <= ?3",
                vec![by.member(), by.workspace(), at],
            ));
        }
        statements
    }
}
