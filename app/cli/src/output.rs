//! What the reading commands print: aligned text for people, `--json` for scripts (one document on
//! standard output; notes and warnings go to standard error, so a pipe gets only the data).

use std::collections::HashMap;

use serde::Serialize;
use shared::comment::Comment;
use shared::issue::Issue;
use shared::mutations::fields::{Priority, Status};
use shared::protocol::LogEntry;
use uuid::Uuid;

use crate::error::Result;
use crate::workspace::Workspace;

/// An issue as `ls --json` and `show --json` print it: names beside ids.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueJson {
    pub id: Uuid,
    /// `TRK-42`; `null` until the server numbers an issue made offline.
    pub key: Option<String>,
    pub number: Option<u64>,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub status: Status,
    pub priority: Priority,
    pub assignee: Option<Person>,
    pub labels: Vec<String>,
    pub created_at: u64,
    pub updated_at: u64,
    pub created_by: Option<Person>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comments: Option<Vec<CommentJson>>,
}

#[derive(Debug, Serialize)]
pub struct Person {
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommentJson {
    pub id: Uuid,
    pub author: Person,
    pub body: String,
    pub created_at: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<u64>,
}

impl Workspace {
    pub fn person(&self, id: Uuid) -> Person {
        Person {
            id,
            name: self.name_of(id),
        }
    }

    /// The label names of each of `issues`.
    pub fn labels_of(&self, issues: &[Issue]) -> Result<HashMap<Uuid, Vec<String>>> {
        let names: HashMap<Uuid, String> = self
            .replica
            .labels()?
            .into_iter()
            .map(|label| (label.id, label.name))
            .collect();
        let ids: Vec<Uuid> = issues.iter().map(|issue| issue.id).collect();
        let mut labels: HashMap<Uuid, Vec<String>> = HashMap::new();
        for link in self.replica.issue_labels(&ids)? {
            if let Some(name) = names.get(&link.label_id) {
                labels.entry(link.issue_id).or_default().push(name.clone());
            }
        }
        for names in labels.values_mut() {
            names.sort_by_key(|name| name.to_lowercase());
        }
        Ok(labels)
    }

    pub fn issue_json(
        &self,
        issue: &Issue,
        labels: Vec<String>,
        comments: Option<Vec<Comment>>,
    ) -> IssueJson {
        IssueJson {
            id: issue.id,
            key: issue
                .number
                .map(|number| self.issue_ref(issue.id, Some(number))),
            number: issue.number,
            title: issue.title.clone(),
            description: comments.as_ref().map(|_| issue.description.clone()),
            status: issue.status,
            priority: issue.priority,
            assignee: issue.assignee.map(|id| self.person(id)),
            labels,
            created_at: issue.created_at,
            updated_at: issue.updated_at,
            created_by: issue.created_by.map(|id| self.person(id)),
            deleted_at: issue.deleted_at,
            comments: comments.map(|comments| {
                comments
                    .into_iter()
                    .map(|comment| CommentJson {
                        id: comment.id,
                        author: self.person(comment.author),
                        body: comment.body,
                        created_at: comment.created_at,
                        edited_at: comment.edited_at,
                    })
                    .collect()
            }),
        }
    }

    /// The issue a log entry is about, as it is now, if it is about one.
    pub fn entry_issue(&self, entry: &LogEntry) -> Option<Issue> {
        let id = entry
            .args
            .get("issueId")
            .or_else(|| entry.args.get("id"))
            .and_then(|id| id.as_str())
            .and_then(|id| Uuid::parse_str(id).ok())?;
        self.replica.issue(id).ok().flatten()
    }

    /// One line for a log entry, as `watch` prints it: who did what to which issue.
    pub fn describe(&self, entry: &LogEntry) -> String {
        let who = self.name_of(entry.member_id);
        let args = &entry.args;
        let issue = self
            .entry_issue(entry)
            .map(|issue| format!("{} {}", self.issue_ref(issue.id, issue.number), issue.title))
            .unwrap_or_default();
        let text = |key: &str| args.get(key).and_then(|v| v.as_str()).unwrap_or_default();
        let what = match entry.name.as_str() {
            "createIssue" => "created".to_owned(),
            "updateIssue" => "edited".to_owned(),
            "updateIssueStatus" => format!("set the status to {}:", text("status")),
            "setIssuePriority" => format!("set the priority to {}:", text("priority")),
            "assignIssue" => match args.get("assignee").and_then(|v| v.as_str()) {
                Some(id) => format!(
                    "assigned {} to",
                    Uuid::parse_str(id).map_or_else(|_| id.to_owned(), |id| self.name_of(id))
                ),
                None => "unassigned".to_owned(),
            },
            "addComment" => "commented on".to_owned(),
            "editComment" => "edited a comment on".to_owned(),
            "deleteComment" => "deleted a comment on".to_owned(),
            "deleteIssue" => "moved to the trash:".to_owned(),
            "restoreIssue" => "restored".to_owned(),
            "addIssueLabel" => "labelled".to_owned(),
            "removeIssueLabel" => "unlabelled".to_owned(),
            "setReaction" => format!("reacted {} on", text("emoji")),
            "createLabel" => format!("made the label {}", text("name")),
            other => other.to_owned(),
        };
        format!("{who} {what} {issue}").trim_end().to_owned()
    }
}

/// Writes to standard output. A reader that went away (`tracker ls | head`) ends the command
/// quietly, as for any Unix tool, instead of a panic.
pub fn write_out(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        std::process::exit(0);
    }
}

/// A line on standard output ([`write_out`]).
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::output::write_out(&format!("{}\n", format_args!($($arg)*)))
    };
}
pub(crate) use say;

/// Prints `value` as JSON on standard output.
pub fn print_json(value: &impl Serialize) {
    say!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

/// Text cut to `width` characters, with `…` when cut.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// A time as RFC 3339, to the second.
pub fn when(ms: u64) -> String {
    humantime::format_rfc3339_seconds(std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms))
        .to_string()
}
