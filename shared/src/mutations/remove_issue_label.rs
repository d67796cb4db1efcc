//! `removeIssueLabel {issueId, labelId, updatedAt}` (schema version 2)

use serde::{Deserialize, Serialize};

use super::add_issue_label::touch_issue;
use super::fields::{IssueId, LabelId, Millis};
use super::{Mutator, Scope, history};
use crate::actor::Actor;
use crate::history::EventKind;
use crate::issue::Issue;
use crate::statement::Statement;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemoveIssueLabel {
    pub issue_id: IssueId,
    pub label_id: LabelId,
    pub updated_at: Millis,
}

impl Mutator for RemoveIssueLabel {
    const NAME: &'static str = "removeIssueLabel";
    const SCHEMA_VERSION: u64 = 2;

    fn scopes(&self) -> Vec<Scope> {
        vec![Scope::Issue(self.issue_id)]
    }

    fn preview(&self, row: Option<Issue>, by: &Actor) -> Option<Issue> {
        row.map(|issue| Issue {
            updated_at: self.updated_at.get(),
            updated_by: Some(by.member_id),
            ..issue
        })
    }

    /// A label not on the issue (any more) changes nothing but the time.
    fn effects(&self, by: &Actor) -> Vec<Statement> {
        let mut statements = vec![
            Statement::new(
                "DELETE FROM issue_label WHERE issue_id = ?1 AND label_id = ?2 AND workspace_id = ?3",
                vec![
                    self.issue_id.to_string().into(),
                    self.label_id.to_string().into(),
                    by.workspace(),
                ],
            ),
            touch_issue(self.issue_id, self.updated_at, by),
        ];
        statements.extend(history::record(
            self.issue_id,
            EventKind::LabelRemoved,
            &self.label_id.to_string(),
            self.updated_at.get(),
            by,
        ));
        statements
    }
}
