//! A workspace taken out whole (feature `export`): the export format, read from a replica, written as
//! JSON (everything, versioned, what `tracker import json` reads back) or as CSV (one row an issue,
//! for spreadsheets). The web app and the CLI both build it from the replica they hold: no server
//! round trip. The format is documented in docs/import-export.md; a change to it bumps [`VERSION`].

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::history::EventKind;
use crate::mutations::fields::{Priority, Status};
use crate::replica::Replica;

/// What every export says it is, so a reader can tell one from any other JSON.
pub const FORMAT: &str = "tracker-export";
/// The format's version: a reader refuses versions it does not know.
pub const VERSION: u64 = 1;

/// A whole workspace: its members' names, its labels, its issues (the trash included) with their
/// labels, comments and history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Export {
    pub format: String,
    pub version: u64,
    pub exported_at: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace: Option<Workspace>,
    /// Everyone the rest names, by id: members, and people removed (what they wrote keeps them).
    pub members: Vec<Member>,
    pub labels: Vec<Label>,
    pub issues: Vec<Issue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workspace {
    pub id: Uuid,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Label {
    pub id: Uuid,
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
    pub created_at: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Issue {
    pub id: Uuid,
    /// `None` for an issue made offline whose create the server has not numbered yet.
    #[serde(default)]
    pub number: Option<u64>,
    pub title: String,
    pub description: String,
    /// The name it was filed under.
    pub owner: String,
    pub status: Status,
    #[serde(default)]
    pub priority: Priority,
    #[serde(default)]
    pub assignee: Option<Uuid>,
    /// Its labels' names, by name.
    #[serde(default)]
    pub labels: Vec<String>,
    pub created_at: u64,
    pub updated_at: u64,
    #[serde(default)]
    pub created_by: Option<Uuid>,
    /// When it went to the trash; `None` for a live issue.
    #[serde(default)]
    pub deleted_at: Option<u64>,
    #[serde(default)]
    pub comments: Vec<Comment>,
    /// What happened to it, oldest first, as far as the workspace keeps it.
    #[serde(default)]
    pub history: Vec<Event>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    pub id: Uuid,
    pub author: Uuid,
    pub body: String,
    pub created_at: u64,
    #[serde(default)]
    pub edited_at: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub at: u64,
    pub member: Uuid,
    pub kind: EventKind,
    pub value: String,
}

/// Why a file is not an export this build can read.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("not JSON, or not an export: {0}")]
    Unreadable(String),
    #[error("this is not a tracker export (its \"format\" is {0:?})")]
    NotAnExport(String),
    #[error(
        "this export is version {0}; this build reads version {VERSION}: update the tracker to read it"
    )]
    UnknownVersion(u64),
    /// The replica has never pulled (a new tab offline, say): an export now would be empty, and
    /// look like a workspace without issues.
    #[error(
        "this device has not loaded the workspace yet: export once it has synced with the server"
    )]
    NotLoaded,
    #[error("the replica: {0}")]
    Replica(#[from] crate::replica::ReplicaError),
}

impl Export {
    /// Everything `replica` holds (its optimistic state: pending changes included), with the names
    /// of `members` and the `workspace` when known.
    pub fn from_replica(
        replica: &Replica,
        workspace: Option<Workspace>,
        members: Vec<Member>,
        exported_at: u64,
    ) -> Result<Export, ExportError> {
        if replica.cookie().is_none() {
            return Err(ExportError::NotLoaded);
        }
        let labels = replica.labels()?;
        let label_names: HashMap<Uuid, &str> = labels
            .iter()
            .map(|label| (label.id, label.name.as_str()))
            .collect();
        let mut issue_labels =
            by_issue(replica.every_issue_label()?.into_iter().filter_map(|link| {
                let name = label_names.get(&link.label_id)?;
                Some((link.issue_id, (*name).to_owned()))
            }));
        let mut comments = by_issue(replica.every_comment()?.into_iter().map(|comment| {
            let exported = Comment {
                id: comment.id,
                author: comment.author,
                body: comment.body,
                created_at: comment.created_at,
                edited_at: comment.edited_at,
            };
            (comment.issue_id, exported)
        }));
        let mut history = by_issue(replica.every_event()?.into_iter().map(|event| {
            let exported = Event {
                at: event.at,
                member: event.member_id,
                kind: event.kind,
                value: event.value,
            };
            (event.issue_id, exported)
        }));
        let issues = replica
            .every_issue()?
            .into_iter()
            .map(|issue| Issue {
                labels: issue_labels.remove(&issue.id).unwrap_or_default(),
                comments: comments.remove(&issue.id).unwrap_or_default(),
                history: history.remove(&issue.id).unwrap_or_default(),
                id: issue.id,
                number: issue.number,
                title: issue.title,
                description: issue.description,
                owner: issue.owner,
                status: issue.status,
                priority: issue.priority,
                assignee: issue.assignee,
                created_at: issue.created_at,
                updated_at: issue.updated_at,
                created_by: issue.created_by,
                deleted_at: issue.deleted_at,
            })
            .collect();
        let mut members = members;
        members.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        members.dedup_by_key(|member| member.id);
        Ok(Export {
            format: FORMAT.to_owned(),
            version: VERSION,
            exported_at,
            workspace,
            members,
            labels: labels
                .into_iter()
                .map(|label| Label {
                    id: label.id,
                    name: label.name,
                    color: label.color,
                    created_at: label.created_at,
                })
                .collect(),
            issues,
        })
    }

    /// Reads an export, refusing anything else and versions this build does not know.
    pub fn parse(text: &str) -> Result<Export, ExportError> {
        #[derive(Deserialize)]
        struct Header {
            format: Option<String>,
            version: Option<u64>,
        }
        let header: Header =
            serde_json::from_str(text).map_err(|err| ExportError::Unreadable(err.to_string()))?;
        let format = header.format.unwrap_or_default();
        if format != FORMAT {
            return Err(ExportError::NotAnExport(format));
        }
        match header.version {
            Some(VERSION) => {}
            other => return Err(ExportError::UnknownVersion(other.unwrap_or(0))),
        }
        serde_json::from_str(text).map_err(|err| ExportError::Unreadable(err.to_string()))
    }

    /// The export as JSON: two-space indented, one trailing line break.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// One row an issue, with a header row: the columns `tracker import csv` reads (`title`,
    /// `description`, `status`, `labels`) and the rest a spreadsheet wants. Names for members,
    /// RFC 3339 for times, labels joined by `, `.
    pub fn to_csv(&self) -> String {
        let names: BTreeMap<Uuid, &str> = self
            .members
            .iter()
            .map(|member| (member.id, member.name.as_str()))
            .collect();
        let name = |id: Option<Uuid>| {
            id.map(|id| names.get(&id).copied().unwrap_or("(unknown)").to_owned())
                .unwrap_or_default()
        };
        let key = self
            .workspace
            .as_ref()
            .and_then(|workspace| workspace.issue_key.clone());
        let mut text = String::new();
        push_row(&mut text, CSV_COLUMNS);
        for issue in &self.issues {
            let number = issue.number.map(|n| n.to_string()).unwrap_or_default();
            let id = match (&key, issue.number) {
                (Some(key), Some(number)) => format!("{key}-{number}"),
                _ => number.clone(),
            };
            push_row(
                &mut text,
                [
                    id.as_str(),
                    &issue.title,
                    &issue.description,
                    issue.status.as_str(),
                    issue.priority.as_str(),
                    &issue.labels.join(", "),
                    &name(issue.assignee),
                    &issue.owner,
                    &name(issue.created_by),
                    &time(issue.created_at),
                    &time(issue.updated_at),
                    &issue.deleted_at.map(time).unwrap_or_default(),
                    &issue.comments.len().to_string(),
                ],
            );
        }
        text
    }
}

/// The CSV's header row.
pub const CSV_COLUMNS: [&str; 13] = [
    "id",
    "title",
    "description",
    "status",
    "priority",
    "labels",
    "assignee",
    "owner",
    "created by",
    "created at",
    "updated at",
    "deleted at",
    "comments",
];

/// Rows grouped by their issue, each group in the order given.
fn by_issue<T>(rows: impl Iterator<Item = (Uuid, T)>) -> HashMap<Uuid, Vec<T>> {
    let mut grouped: HashMap<Uuid, Vec<T>> = HashMap::new();
    for (issue, row) in rows {
        grouped.entry(issue).or_default().push(row);
    }
    grouped
}

/// One CSV record, as RFC 4180 quotes it: a field with a comma, a quote or a line break in quotes,
/// its quotes doubled. Records end with a line feed (what spreadsheets and `csv` readers take).
fn push_row<'a>(text: &mut String, fields: impl IntoIterator<Item = &'a str>) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        if field.contains([',', '"', '\n', '\r']) {
            text.push('"');
            text.push_str(&field.replace('"', "\"\""));
            text.push('"');
        } else {
            text.push_str(field);
        }
    }
    text.push('\n');
}

/// Epoch milliseconds as RFC 3339 (UTC, to the millisecond).
pub fn time(ms: u64) -> String {
    humantime::format_rfc3339_millis(UNIX_EPOCH + Duration::from_millis(ms)).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_field_is_quoted_only_when_it_must_be() {
        let mut text = String::new();
        push_row(
            &mut text,
            ["plain", "a, b", "say \"hi\"", "two\nlines", "", "cr\r"],
        );
        assert_eq!(
            text,
            "plain,\"a, b\",\"say \"\"hi\"\"\",\"two\nlines\",,\"cr\r\"\n"
        );
    }

    #[test]
    fn only_an_export_of_a_known_version_parses() {
        let ok = r#"{"format": "tracker-export", "version": 1, "exportedAt": 0,
                     "members": [], "labels": [], "issues": []}"#;
        assert_eq!(Export::parse(ok).unwrap().issues.len(), 0);
        for (text, says) in [
            ("[]", "not JSON, or not an export"),
            (
                r#"{"format": "other", "version": 1}"#,
                "not a tracker export",
            ),
            (r#"{"format": "tracker-export", "version": 2}"#, "version 2"),
            (r#"{"format": "tracker-export"}"#, "version 0"),
            (
                r#"{"format": "tracker-export", "version": 1, "issues": 5}"#,
                "not JSON",
            ),
        ] {
            let err = Export::parse(text).unwrap_err().to_string();
            assert!(err.contains(says), "{text}: {err}");
        }
    }

    #[test]
    fn a_replica_that_never_pulled_exports_nothing_rather_than_an_empty_workspace() {
        use crate::replica::Storage;
        let actor = crate::Actor::new(Uuid::new_v4(), Uuid::new_v4());
        let mut replica = Replica::open(&Storage::Memory, actor).unwrap();
        let args = serde_json::json!({"id": Uuid::new_v4(), "title": "made offline",
            "description": "", "owner": "Ann", "createdAt": 1});
        replica.mutate("createIssue", &args, 1).unwrap();
        let err = Export::from_replica(&replica, None, Vec::new(), 2).unwrap_err();
        assert!(matches!(err, ExportError::NotLoaded), "{err}");
    }

    #[test]
    fn times_are_rfc_3339_in_utc_to_the_millisecond() {
        assert_eq!(time(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
    }
}
