//! `revertIssue {id, updatedAt, status?, priority?, assignee?, title?, description?}` (schema version
//! 3): an undo (or a redo). Each field present is `{from, to}`: the value the change being undone
//! wrote, and the value to write back. Field by field, so undoing a status change leaves a title
//! someone edited since as it is; refused whole ([`Rule::ChangedSince`]) when any of its fields no
//! longer holds `from`: someone changed it since, and undoing would overwrite their change.

use serde::{Deserialize, Serialize};

use super::fields::{Description, IssueId, MemberId, Millis, Priority, Status, Title};
use super::refusal::Rule;
use super::{Mutator, Scope, history};
use crate::actor::Actor;
use crate::history::EventKind;
use crate::issue::Issue;
use crate::statement::{SqlValue, Statement};

/// One field of a [`RevertIssue`]: what it holds now if no one changed it since, and what it gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Revert<T> {
    pub from: T,
    pub to: T,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RevertIssue {
    pub id: IssueId,
    pub updated_at: Millis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Revert<Status>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Revert<Priority>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<Revert<Option<MemberId>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Revert<Title>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Revert<Description>>,
}

impl RevertIssue {
    /// Each field as (present, from, to), in the order of [`Rule::ChangedSince`]'s parameters and of
    /// the effect's.
    fn fields(&self) -> [(bool, SqlValue, SqlValue); 5] {
        fn field<T>(
            revert: &Option<Revert<T>>,
            value: impl Fn(&T) -> SqlValue,
        ) -> (bool, SqlValue, SqlValue) {
            match revert {
                Some(r) => (true, value(&r.from), value(&r.to)),
                None => (false, SqlValue::Null, SqlValue::Null),
            }
        }
        [
            field(&self.status, |s| s.as_str().into()),
            field(&self.priority, |p| p.as_str().into()),
            field(&self.assignee, |a| a.map(|m| m.to_string()).into()),
            field(&self.title, |t| t.as_str().into()),
            field(&self.description, |d| d.as_str().into()),
        ]
    }

    /// The flag and value parameters of `fields`, `from` or `to` each.
    fn params(&self, to: bool) -> Vec<SqlValue> {
        self.fields()
            .into_iter()
            .flat_map(|(present, from, into)| {
                [
                    SqlValue::from(u64::from(present)),
                    if to { into } else { from },
                ]
            })
            .collect()
    }
}

impl Mutator for RevertIssue {
    const NAME: &'static str = "revertIssue";
    const SCHEMA_VERSION: u64 = 3;

    fn scopes(&self) -> Vec<Scope> {
        vec![Scope::Issue(self.id)]
    }

    fn preview(&self, row: Option<Issue>, by: &Actor) -> Option<Issue> {
        row.map(|mut issue| {
            if let Some(r) = &self.status {
                issue.status = r.to;
            }
            if let Some(r) = &self.priority {
                issue.priority = r.to;
            }
            if let Some(r) = &self.assignee {
                issue.assignee = r.to;
            }
            if let Some(r) = &self.title {
                issue.title = r.to.as_str().to_owned();
            }
            if let Some(r) = &self.description {
                issue.description = r.to.as_str().to_owned();
            }
            issue.updated_at = self.updated_at.get();
            issue.updated_by = Some(by.member_id);
            issue
        })
    }

    /// There is something to revert.
    fn check_new(&self) -> Result<(), String> {
        if self.fields().iter().any(|(present, _, _)| *present) {
            Ok(())
        } else {
            Err("name at least one field to revert".to_owned())
        }
    }

    /// Refused when the issue is gone, or a field no longer holds what the undone change wrote.
    fn guards(&self, by: &Actor) -> Vec<Statement> {
        let mut params = vec![self.id.to_string().into(), by.workspace()];
        params.extend(self.params(false));
        vec![
            Rule::IssueMissing.guard(vec![self.id.to_string().into(), by.workspace()]),
            Rule::ChangedSince.guard(params),
        ]
    }

    fn effects(&self, by: &Actor) -> Vec<Statement> {
        let mut params = vec![self.id.to_string().into(), by.workspace()];
        params.extend(self.params(true));
        params.extend([SqlValue::from(self.updated_at.get()), by.member()]);
        let mut statements = vec![Statement::new(
            "UPDATE issue SET status = CASE WHEN ?3 THEN ?4 ELSE status END, \
             priority = CASE WHEN ?5 THEN ?6 ELSE priority END, \
             assignee = CASE WHEN ?7 THEN ?8 ELSE assignee END, \
             title = CASE WHEN ?9 THEN ?10 ELSE title END, \
             description = CASE WHEN ?11 THEN ?12 ELSE description END, \
             updated_at = ?13, updated_by = ?14 WHERE id = ?1 AND workspace_id = ?2",
            params,
        )];
        let at = self.updated_at.get();
        let mut record =
            |kind, value: &str| statements.extend(history::record(self.id, kind, value, at, by));
        if let Some(r) = &self.status {
            record(EventKind::Status, r.to.as_str());
        }
        if let Some(r) = &self.priority {
            record(EventKind::Priority, r.to.as_str());
        }
        if let Some(r) = &self.assignee {
            record(
                EventKind::Assignee,
                &r.to.map(|m| m.to_string()).unwrap_or_default(),
            );
        }
        if let Some(r) = &self.title {
            record(EventKind::Title, r.to.as_str());
        }
        if self.description.is_some() {
            record(EventKind::Description, "");
        }
        if let Some(r) = &self.description {
            statements.extend(super::mentions::record(
                self.id,
                None,
                r.to.as_str(),
                at,
                by,
            ));
        }
        statements
    }
}
