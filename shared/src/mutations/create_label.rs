//! `createLabel {id, name, color, createdAt}` (schema version 2)

use serde::{Deserialize, Serialize};

use super::fields::{Color, LabelId, LabelName, Millis};
use super::refusal::Rule;
use super::{Mutator, Scope};
use crate::actor::Actor;
use crate::error::MutationError;
use crate::issue::Issue;
use crate::statement::{SqlValue, Statement};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateLabel {
    pub id: LabelId,
    pub name: LabelName,
    pub color: Color,
    pub created_at: Millis,
}

impl Mutator for CreateLabel {
    const NAME: &'static str = "createLabel";
    const SCHEMA_VERSION: u64 = 2;

    /// Reads every label (a name is unique among them).
    fn scopes(&self) -> Vec<Scope> {
        vec![Scope::Labels]
    }

    fn preview(&self, row: Option<Issue>, _by: &Actor) -> Option<Issue> {
        row
    }

    /// Refused when another label has the name.
    fn guards(&self, by: &Actor) -> Vec<Statement> {
        vec![
            Rule::label_name_free(self.id, self.name.as_str(), by),
            Rule::label_room(self.id, by),
        ]
    }

    fn statement_failed(&self, sql_error: &str) -> MutationError {
        if sql_error.contains("UNIQUE constraint failed: label.id") {
            MutationError::StatementFailed(format!(
                "a label with the id {} already exists",
                self.id
            ))
        } else {
            super::refusal::statement_failed(sql_error)
        }
    }

    /// A logged create replaces the row it finds (see [`Mutator::replay_statements`]).
    fn replay_statements(&self, by: &Actor) -> Vec<Statement> {
        let mut statements = vec![Statement::new(
            "DELETE FROM label WHERE id = ?1",
            vec![self.id.to_string().into()],
        )];
        statements.extend(self.effects(by));
        statements
    }

    /// Fails (a rejection) when a label with this id already exists.
    fn effects(&self, by: &Actor) -> Vec<Statement> {
        vec![Statement::new(
            "INSERT INTO label (id, workspace_id, name, color, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            vec![
                self.id.to_string().into(),
                by.workspace(),
                self.name.as_str().into(),
                self.color.as_str().into(),
                SqlValue::from(self.created_at.get()),
            ],
        )]
    }
}
