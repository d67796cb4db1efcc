//! `setSubscription {issueId, subscribed, at}` (schema version 4, private): the member follows an
//! issue in their inbox (or stops), whatever the inbox would derive (they made it, are assigned to it
//! or commented on it). Private: its log entry goes to its member's clients only, and no other
//! member's pull, poke or snapshot carries the row.

use serde::{Deserialize, Serialize};

use super::fields::{IssueId, Millis};
use super::refusal::Rule;
use super::{Mutator, Scope};
use crate::actor::Actor;
use crate::issue::Issue;
use crate::statement::{SqlValue, Statement};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetSubscription {
    pub issue_id: IssueId,
    pub subscribed: bool,
    pub at: Millis,
}

impl Mutator for SetSubscription {
    const NAME: &'static str = "setSubscription";
    const SCHEMA_VERSION: u64 = 4;
    const PRIVATE: bool = true;

    fn scopes(&self) -> Vec<Scope> {
        vec![Scope::Issue(self.issue_id)]
    }

    fn preview(&self, row: Option<Issue>, _by: &Actor) -> Option<Issue> {
        row
    }

    fn guards(&self, by: &Actor) -> Vec<Statement> {
        vec![Rule::IssueMissing.guard(vec![self.issue_id.to_string().into(), by.workspace()])]
    }

    fn effects(&self, by: &Actor) -> Vec<Statement> {
        vec![Statement::new(
            "INSERT OR REPLACE INTO subscription (member_id, issue_id, subscribed, at, workspace_id) \
             SELECT ?1, id, ?3, ?4, workspace_id FROM issue WHERE id = ?2 AND workspace_id = ?5",
            vec![
                by.member(),
                self.issue_id.to_string().into(),
                SqlValue::from(u64::from(self.subscribed)),
                SqlValue::from(self.at.get()),
                by.workspace(),
            ],
        )]
    }
}
