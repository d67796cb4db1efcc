//! `updateIssue {id, title?, description?, owner?, updatedAt}`: absent fields keep their value.

use serde::{Deserialize, Serialize};

use super::fields::{Description, IssueId, Millis, Owner, Title};
use super::{Mutator, Scope, history};
use crate::actor::Actor;
use crate::history::EventKind;
use crate::issue::Issue;
use crate::statement::{SqlValue, Statement};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateIssue {
    pub id: IssueId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Title>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Description>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    pub updated_at: Millis,
}

impl Mutator for UpdateIssue {
    const NAME: &'static str = "updateIssue";

    fn scopes(&self) -> Vec<Scope> {
        vec![Scope::Issue(self.id)]
    }

    fn preview(&self, row: Option<Issue>, by: &Actor) -> Option<Issue> {
        row.map(|mut issue| {
            if let Some(title) = &self.title {
                issue.title = title.as_str().to_owned();
            }
            if let Some(description) = &self.description {
                issue.description = description.as_str().to_owned();
            }
            if let Some(owner) = &self.owner {
                issue.owner = owner.as_str().to_owned();
            }
            issue.updated_at = self.updated_at.get();
            issue.updated_by = Some(by.member_id);
            issue
        })
    }

    /// One fixed statement whatever fields are present. An issue deleted meanwhile stays deleted:
    /// the update matches no row and changes nothing; so does an issue of another workspace.
    fn effects(&self, by: &Actor) -> Vec<Statement> {
        let mut statements = vec![Statement::new(
            "UPDATE issue SET title = COALESCE(?2, title), description = COALESCE(?3, description), \
             owner = COALESCE(?4, owner), updated_at = ?5, updated_by = ?7 \
             WHERE id = ?1 AND workspace_id = ?6",
            vec![
                self.id.to_string().into(),
                self.title.as_ref().map(Title::as_str).into(),
                self.description.as_ref().map(Description::as_str).into(),
                self.owner.as_ref().map(Owner::as_str).into(),
                SqlValue::from(self.updated_at.get()),
                by.workspace(),
                by.member(),
            ],
        )];
        let at = self.updated_at.get();
        if let Some(title) = &self.title {
            statements.extend(history::record(
                self.id,
                EventKind::Title,
                title.as_str(),
                at,
                by,
            ));
        }
        if let Some(description) = &self.description {
            statements.extend(history::record(self.id, EventKind::Description, "", at, by));
            statements.extend(super::mentions::record(
                self.id,
                None,
                description.as_str(),
                at,
                by,
            ));
        }
        statements
    }
}
