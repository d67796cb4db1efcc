//! `addIssueLabel {issueId, labelId, updatedAt}` (schema version 2)

use serde::{Deserialize, Serialize};

use super::fields::{IssueId, LabelId, Millis};
use super::refusal::Rule;
use super::{Mutator, Scope, history};
use crate::actor::Actor;
use crate::history::EventKind;
use crate::issue::Issue;
use crate::statement::{SqlValue, Statement};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddIssueLabel {
    pub issue_id: IssueId,
    pub label_id: LabelId,
    pub updated_at: Millis,
}

impl Mutator for AddIssueLabel {
    const NAME: &'static str = "addIssueLabel";
    const SCHEMA_VERSION: u64 = 2;

    /// Writes the issue's link and reads the labels (the label must exist).
    fn scopes(&self) -> Vec<Scope> {
        vec![Scope::Issue(self.issue_id), Scope::Labels]
    }

    fn preview(&self, row: Option<Issue>, by: &Actor) -> Option<Issue> {
        row.map(|issue| Issue {
            updated_at: self.updated_at.get(),
            updated_by: Some(by.member_id),
            ..issue
        })
    }

    /// Refused when the label is gone.
    fn guards(&self, by: &Actor) -> Vec<Statement> {
        vec![Rule::LabelMissing.guard(vec![self.label_id.to_string().into(), by.workspace()])]
    }

    /// A label already on the issue stays (adding it again changes nothing but the time); an issue
    /// deleted meanwhile stays deleted.
    fn effects(&self, by: &Actor) -> Vec<Statement> {
        let mut statements = vec![
            Statement::new(
                "INSERT OR IGNORE INTO issue_label (issue_id, label_id, workspace_id) \
                 SELECT id, ?2, workspace_id FROM issue WHERE id = ?1 AND workspace_id = ?3",
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
            EventKind::LabelAdded,
            &self.label_id.to_string(),
            self.updated_at.get(),
            by,
        ));
        statements
    }
}

/// Marks the issue changed by `by` at `at`: a label added or removed is a change to the issue.
pub(super) fn touch_issue(id: IssueId, at: Millis, by: &Actor) -> Statement {
    Statement::new(
        "UPDATE issue SET updated_at = ?2, updated_by = ?4 WHERE id = ?1 AND workspace_id = ?3",
        vec![
            id.to_string().into(),
            SqlValue::from(at.get()),
            by.workspace(),
            by.member(),
        ],
    )
}
