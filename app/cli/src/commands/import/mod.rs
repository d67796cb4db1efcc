//! `tracker import github|csv|json <file>`: issues from elsewhere, as the mutations a person would
//! make, queued in the replica and pushed a batch (100) at a time with a progress bar.
//!
//! Re-running an import changes nothing: every issue and comment gets an id derived from where it
//! came from (a UUID v5 of its source id), and what the replica already holds is skipped. An import
//! that was interrupted (killed, offline) is finished by running it again, or by `tracker sync`.

pub mod csv;
pub mod github;
pub mod json;

use std::collections::{HashMap, HashSet};

use shared::Mutation;
use shared::mutations::fields::{
    Color, CommentBody, Description, LabelName, Millis, Owner, Priority, Status, Title,
};
use shared::mutations::{
    AddComment, AddIssueLabel, AssignIssue, CreateIssue, CreateLabel, DeleteIssue, SetIssuePriority,
};
use uuid::Uuid;

use crate::commands::write::field;
use crate::error::{CliError, Code, Result};
use crate::sync;
use crate::workspace::Workspace;

/// The namespace of the ids an import derives (UUID v5): the same source id, the same issue.
const NAMESPACE: Uuid = Uuid::from_u128(0x6f1c_2a8e_53d4_4b1e_9a07_3c5e_8d21_f4b9);

/// An issue as read from a source, before it is mutations.
#[derive(Debug, Clone, Default)]
pub struct Incoming {
    /// Where it came from, stable across runs (`github:owner/repo#42`): its id derives from it.
    pub source_id: String,
    pub title: String,
    pub description: String,
    /// The name it was filed under (a GitHub login, an export's owner).
    pub owner: String,
    pub status: Status,
    pub priority: Priority,
    /// Labels by name, with a colour when the source has one (`#rrggbb`).
    pub labels: Vec<(String, Option<String>)>,
    /// Who it is assigned to, by name: the first that names a member is kept.
    pub assignees: Vec<String>,
    pub created_at: u64,
    pub updated_at: u64,
    pub deleted_at: Option<u64>,
    pub comments: Vec<IncomingComment>,
}

#[derive(Debug, Clone, Default)]
pub struct IncomingComment {
    pub source_id: String,
    /// The author's name, kept in the text unless it is the importer's.
    pub author: String,
    pub body: String,
    pub created_at: u64,
}

/// What an import found and queued.
#[derive(Debug, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub issues: usize,
    pub new_issues: usize,
    pub comments: usize,
    pub new_comments: usize,
    pub new_labels: usize,
    /// Texts cut to the tracker's limits (title 200, description and comment 10,000 characters).
    pub shortened: usize,
    pub changes: usize,
}

/// The id an imported thing gets in `workspace` from its source id: the same in every run, and
/// different in every workspace (ids are unique on the server, across workspaces).
pub fn derived_id(workspace: Uuid, source_id: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, format!("{workspace}/{source_id}").as_bytes())
}

/// The mutations that bring `incoming` into the workspace, skipping what it already holds.
pub fn plan(ws: &Workspace, incoming: &[Incoming]) -> Result<(Vec<Mutation>, Summary)> {
    let mut summary = Summary::default();
    let mut mutations: Vec<Mutation> = Vec::new();
    let mut labels: HashMap<String, Uuid> = ws
        .replica
        .labels()?
        .into_iter()
        .map(|label| (label.name.to_lowercase(), label.id))
        .collect();
    let me = ws.name_of(ws.me()).to_lowercase();
    let workspace = ws.client.login.workspace;
    for issue in incoming {
        summary.issues += 1;
        summary.comments += issue.comments.len();
        let id = derived_id(workspace, &issue.source_id);
        let exists = ws.replica.issue(id)?.is_some();
        if !exists {
            summary.new_issues += 1;
            mutations.extend(issue_mutations(ws, issue, id, &mut labels, &mut summary)?);
        }
        let have: HashSet<Uuid> = if exists {
            ws.replica.comments(id)?.into_iter().map(|c| c.id).collect()
        } else {
            HashSet::new()
        };
        for comment in &issue.comments {
            let comment_id = derived_id(workspace, &comment.source_id);
            if have.contains(&comment_id) {
                continue;
            }
            let attributed = if comment.author.to_lowercase() == me || comment.author.is_empty() {
                comment.body.clone()
            } else {
                format!("**{}** wrote:\n\n{}", comment.author, comment.body)
            };
            if attributed.trim().is_empty() {
                continue;
            }
            let (body, cut) = shorten(&attributed, CommentBody::MAX_CHARS);
            summary.shortened += usize::from(cut);
            summary.new_comments += 1;
            mutations.push(
                AddComment {
                    id: comment_id,
                    issue_id: id,
                    body: field(CommentBody::try_from(body))?,
                    created_at: millis(comment.created_at),
                }
                .into(),
            );
        }
        // Into the trash last, once it has everything it came with.
        if let (false, Some(deleted_at)) = (exists, issue.deleted_at) {
            mutations.push(
                DeleteIssue {
                    id,
                    deleted_at: Some(millis(deleted_at)),
                }
                .into(),
            );
        }
    }
    summary.changes = mutations.len();
    Ok((mutations, summary))
}

fn issue_mutations(
    ws: &Workspace,
    issue: &Incoming,
    id: Uuid,
    labels: &mut HashMap<String, Uuid>,
    summary: &mut Summary,
) -> Result<Vec<Mutation>> {
    let title = match issue.title.trim() {
        "" => "(no title)".to_owned(),
        title => title.to_owned(),
    };
    let (title, cut_title) = shorten(&title, Title::MAX_CHARS);
    let (description, cut_description) = shorten(&issue.description, Description::MAX_CHARS);
    let owner = match issue.owner.trim() {
        "" => "unknown".to_owned(),
        owner => shorten(owner, Owner::MAX_CHARS).0,
    };
    summary.shortened += usize::from(cut_title) + usize::from(cut_description);
    let updated_at = millis(issue.updated_at.max(issue.created_at));
    let mut mutations: Vec<Mutation> = vec![
        CreateIssue {
            id,
            title: field(Title::try_from(title))?,
            description: field(Description::try_from(description))?,
            owner: field(Owner::try_from(owner))?,
            status: Some(issue.status),
            created_at: millis(issue.created_at),
            number: None,
        }
        .into(),
    ];
    if issue.priority != Priority::None {
        mutations.push(
            SetIssuePriority {
                id,
                priority: issue.priority,
                updated_at,
            }
            .into(),
        );
    }
    if let Some(assignee) = issue.assignees.iter().find_map(|name| {
        ws.member_named(name)
            .ok()
            .filter(|_| !name.eq_ignore_ascii_case("me"))
    }) {
        mutations.push(
            AssignIssue {
                id,
                assignee: Some(assignee),
                updated_at,
            }
            .into(),
        );
    }
    for (name, color) in &issue.labels {
        let name = shorten(name.trim(), LabelName::MAX_CHARS).0;
        if name.is_empty() {
            continue;
        }
        let label_id = match labels.get(&name.to_lowercase()) {
            Some(label_id) => *label_id,
            None => {
                let label_id = derived_id(
                    ws.client.login.workspace,
                    &format!("label:{}", name.to_lowercase()),
                );
                let color = color
                    .as_deref()
                    .and_then(|c| Color::try_from(c.to_owned()).ok())
                    .unwrap_or_else(|| {
                        let palette = shared::label::PALETTE;
                        let pick = palette[labels.len() % palette.len()];
                        Color::try_from(pick.to_owned()).expect("the palette's colours are valid")
                    });
                mutations.push(
                    CreateLabel {
                        id: label_id,
                        name: field(LabelName::try_from(name.clone()))?,
                        color,
                        created_at: millis(issue.created_at),
                    }
                    .into(),
                );
                summary.new_labels += 1;
                labels.insert(name.to_lowercase(), label_id);
                label_id
            }
        };
        mutations.push(
            AddIssueLabel {
                issue_id: id,
                label_id,
                updated_at,
            }
            .into(),
        );
    }
    Ok(mutations)
}

/// Queues `mutations` and pushes them with a progress bar; the summary goes to standard error, or
/// (`json`) as JSON to standard output.
pub fn run(
    ws: &mut Workspace,
    source: &str,
    mutations: &[Mutation],
    summary: &Summary,
    json: bool,
) -> Result<()> {
    let bar = indicatif::ProgressBar::new(mutations.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} changes ({eta} left)")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(format!("importing from {source}"));
    crate::commands::queue(ws, mutations)?;
    let outcome = sync::sync(&mut ws.replica, &ws.client, Some(&bar));
    bar.finish_and_clear();
    let report = |summary: &Summary| {
        if json {
            crate::output::print_json(summary);
        } else {
            eprintln!(
                "{source}: {} issues ({} new), {} comments ({} new), {} new labels; {} changes{}",
                summary.issues,
                summary.new_issues,
                summary.comments,
                summary.new_comments,
                summary.new_labels,
                summary.changes,
                if summary.shortened > 0 {
                    format!(
                        "; {} {} cut to the tracker's limits (docs/import-export.md)",
                        summary.shortened,
                        if summary.shortened == 1 {
                            "text"
                        } else {
                            "texts"
                        }
                    )
                } else {
                    String::new()
                }
            );
        }
    };
    match outcome {
        Ok(synced) if synced.rejected.is_empty() => {
            report(summary);
            Ok(())
        }
        Ok(synced) => {
            report(summary);
            Err(CliError::new(
                Code::Refused,
                format!(
                    "the server refused {} of the changes, the first: {}",
                    synced.rejected.len(),
                    synced.rejected[0].message
                ),
            ))
        }
        Err(stopped) => {
            report(summary);
            let pending = ws.replica.pending_count()?;
            Err(CliError::new(
                stopped.error.code,
                format!(
                    "{}; {pending} changes are queued on this device: `tracker sync` (or the same \
                     import again) sends them",
                    stopped.error.message
                ),
            ))
        }
    }
}

/// `tracker import <source> <file>`.
pub fn import(ws: &mut Workspace, source: &crate::args::ImportSource) -> Result<()> {
    use crate::args::ImportSource;
    let (file, json) = match source {
        ImportSource::Github { file, json, .. }
        | ImportSource::Csv { file, json }
        | ImportSource::Json { file, json } => (file, *json),
    };
    let text = std::fs::read_to_string(file).map_err(|err| crate::error::io(file, err))?;
    let (name, incoming) = match source {
        ImportSource::Github { repo, .. } => ("GitHub", github::read(&text, repo.as_deref())?),
        ImportSource::Csv { .. } => ("CSV", csv::read(&text, sync::now())?),
        ImportSource::Json { .. } => ("the export", json::read(&text)?),
    };
    // What is here already is skipped: the replica must be up to date first.
    crate::commands::refresh(ws, false)?;
    let (mutations, summary) = plan(ws, &incoming)?;
    run(ws, name, &mutations, &summary, json)
}

fn millis(ms: u64) -> Millis {
    Millis::clamped(ms)
}

/// `text` cut to `max` characters (with a note of how long it was), and whether it was cut.
pub fn shorten(text: &str, max: usize) -> (String, bool) {
    let count = text.chars().count();
    if count <= max {
        return (text.to_owned(), false);
    }
    let note = format!("\n\n… (cut: the original is {count} characters)");
    let keep = max.saturating_sub(note.chars().count());
    if keep == 0 || max < 100 {
        return (
            text.chars().take(max).collect::<String>().trim().to_owned(),
            true,
        );
    }
    let mut cut: String = text.chars().take(keep).collect();
    cut.push_str(&note);
    (cut, true)
}

/// An RFC 3339 time (`2024-03-01T12:00:00Z`) as epoch milliseconds.
pub fn parse_time(text: &str, what: &str) -> Result<u64> {
    humantime::parse_rfc3339_weak(text.trim())
        .ok()
        .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|since| since.as_millis() as u64)
        .ok_or_else(|| CliError::usage(format!("{what}: {text:?} is not an RFC 3339 time")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_text_is_cut_with_a_note_and_a_short_one_kept() {
        assert_eq!(shorten("short", 10), ("short".to_owned(), false));
        let long = "x".repeat(12_000);
        let (cut, was) = shorten(&long, 10_000);
        assert!(was);
        assert_eq!(cut.chars().count(), 10_000);
        assert!(cut.ends_with("(cut: the original is 12000 characters)"));
        let (title, _) = shorten(&"t".repeat(300), 200);
        assert_eq!(title.chars().count(), 200);
    }

    #[test]
    fn the_same_source_gives_the_same_id() {
        let (one, two) = (Uuid::from_u128(1), Uuid::from_u128(2));
        assert_eq!(
            derived_id(one, "github:a/b#1"),
            derived_id(one, "github:a/b#1")
        );
        assert_ne!(
            derived_id(one, "github:a/b#1"),
            derived_id(one, "github:a/b#2")
        );
        assert_ne!(
            derived_id(one, "github:a/b#1"),
            derived_id(two, "github:a/b#1")
        );
    }

    #[test]
    fn times_parse_or_say_which_field() {
        assert_eq!(
            parse_time("1970-01-01T00:00:01Z", "createdAt").unwrap(),
            1000
        );
        assert_eq!(
            parse_time("yesterday", "createdAt").unwrap_err().code,
            Code::Usage
        );
    }
}
