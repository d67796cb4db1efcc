//! `updateLabel {id, name?, color?}` (schema version 2): renames or recolours a label; absent fields
//! keep their value.

use serde::{Deserialize, Serialize};

use super::fields::{Color, LabelId, LabelName};
use super::refusal::Rule;
use super::{Mutator, Scope};
use crate::actor::Actor;
use crate::issue::Issue;
use crate::statement::Statement;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateLabel {
    pub id: LabelId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<LabelName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<Color>,
}

impl Mutator for UpdateLabel {
    const NAME: &'static str = "updateLabel";
    const SCHEMA_VERSION: u64 = 2;

    fn scopes(&self) -> Vec<Scope> {
        vec![Scope::Labels]
    }

    fn preview(&self, row: Option<Issue>, _by: &Actor) -> Option<Issue> {
        row
    }

    /// Refused when another label has the new name, and when the label is gone (a rename that
    /// silently did nothing would lose what was typed).
    fn guards(&self, by: &Actor) -> Vec<Statement> {
        let mut guards =
            vec![Rule::LabelMissing.guard(vec![self.id.to_string().into(), by.workspace()])];
        if let Some(name) = &self.name {
            guards.push(Rule::label_name_free(self.id, name.as_str(), by));
        }
        guards
    }

    fn effects(&self, by: &Actor) -> Vec<Statement> {
        vec![Statement::new(
            "UPDATE label SET name = COALESCE(?2, name), color = COALESCE(?3, color) \
             WHERE id = ?1 AND workspace_id = ?4",
            vec![
                self.id.to_string().into(),
                self.name.as_ref().map(LabelName::as_str).into(),
                self.color.as_ref().map(Color::as_str).into(),
                by.workspace(),
            ],
        )]
    }
}
