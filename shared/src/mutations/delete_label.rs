//! `deleteLabel {id}` (schema version 2): the label goes from every issue at once. Its links stay
//! behind, unseen (see [`super::scope`]).

use serde::{Deserialize, Serialize};

use super::fields::LabelId;
use super::{Mutator, Scope};
use crate::actor::Actor;
use crate::issue::Issue;
use crate::statement::Statement;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeleteLabel {
    pub id: LabelId,
}

impl Mutator for DeleteLabel {
    const NAME: &'static str = "deleteLabel";
    const SCHEMA_VERSION: u64 = 2;

    fn scopes(&self) -> Vec<Scope> {
        vec![Scope::Labels]
    }

    fn preview(&self, row: Option<Issue>, _by: &Actor) -> Option<Issue> {
        row
    }

    /// Deleting a label that is already gone changes nothing.
    fn effects(&self, by: &Actor) -> Vec<Statement> {
        vec![Statement::new(
            "DELETE FROM label WHERE id = ?1 AND workspace_id = ?2",
            vec![self.id.to_string().into(), by.workspace()],
        )]
    }
}
