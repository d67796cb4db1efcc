//! `tracker new`, `edit`, `status`, `comment`: mutations made in the replica, then pushed.

use crate::output::say;
use std::io::Read;

use shared::Mutation;
use shared::label::PALETTE;
use shared::mutations::fields::{Color, CommentBody, Description, LabelName, Millis, Owner, Title};
use shared::mutations::{
    AddComment, AddIssueLabel, AssignIssue, CreateIssue, CreateLabel, DeleteIssue,
    RemoveIssueLabel, RestoreIssue, SetIssuePriority, UpdateIssue, UpdateIssueStatus,
};
use uuid::Uuid;

use crate::args::{EditArgs, NewArgs, PriorityArg, StatusArg};
use crate::commands::{find_issue, save};
use crate::editor;
use crate::error::{CliError, Result};
use crate::output::print_json;
use crate::sync::now;
use crate::workspace::Workspace;

const ISSUE_HELP: &str = "The first line is the title; after a blank line, the description (Markdown).\n\
     An empty title changes nothing.";

pub fn new(ws: &mut Workspace, args: &NewArgs) -> Result<()> {
    let (title, description) = match &args.title {
        Some(title) => (title.clone(), args.description.clone().unwrap_or_default()),
        None => editor::title_and_description(&editor::edit(
            &format!("\n\n{}", args.description.clone().unwrap_or_default()),
            ISSUE_HELP,
        )?),
    };
    if title.trim().is_empty() {
        return Err(CliError::usage("no title: nothing was made"));
    }
    let id = Uuid::new_v4();
    let owner = ws
        .known_name(ws.me())
        .unwrap_or_else(|| "Anonymous".to_owned());
    let mut mutations: Vec<Mutation> = vec![
        CreateIssue {
            id,
            title: field(Title::try_from(title))?,
            description: field(Description::try_from(description))?,
            owner: field(Owner::try_from(owner))?,
            status: args.status.map(StatusArg::status),
            created_at: stamp(),
            number: None,
        }
        .into(),
    ];
    field_changes(
        ws,
        id,
        args.priority,
        args.assignee.as_deref(),
        &args.label,
        &mut mutations,
    )?;
    save(ws, &mutations)?;
    print_issue(ws, id, args.json)
}

pub fn edit(ws: &mut Workspace, args: &EditArgs) -> Result<()> {
    let issue = find_issue(ws, &args.issue)?;
    let id = issue.id;
    let nothing_given = args.title.is_none()
        && args.description.is_none()
        && args.priority.is_none()
        && args.assignee.is_none()
        && args.add_label.is_empty()
        && args.remove_label.is_empty();
    let (title, description) = if nothing_given {
        let (title, description) = editor::title_and_description(&editor::edit(
            &format!("{}\n\n{}", issue.title, issue.description),
            ISSUE_HELP,
        )?);
        if title.is_empty() {
            return Err(CliError::usage("no title: nothing changed"));
        }
        (
            Some(title).filter(|title| *title != issue.title),
            Some(description).filter(|description| *description != issue.description),
        )
    } else {
        (args.title.clone(), args.description.clone())
    };
    let mut mutations: Vec<Mutation> = Vec::new();
    if title.is_some() || description.is_some() {
        mutations.push(
            UpdateIssue {
                id,
                title: title
                    .map(Title::try_from)
                    .transpose()
                    .map_err(CliError::usage)?,
                description: description
                    .map(Description::try_from)
                    .transpose()
                    .map_err(CliError::usage)?,
                owner: None,
                updated_at: stamp(),
            }
            .into(),
        );
    }
    field_changes(
        ws,
        id,
        args.priority,
        args.assignee.as_deref(),
        &args.add_label,
        &mut mutations,
    )?;
    let labels = ws.replica.labels()?;
    for name in &args.remove_label {
        let label = labels
            .iter()
            .find(|label| label.name.eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| CliError::not_found(format!("no label named {name:?}")))?;
        mutations.push(
            RemoveIssueLabel {
                issue_id: id,
                label_id: label.id,
                updated_at: stamp(),
            }
            .into(),
        );
    }
    if mutations.is_empty() {
        eprintln!("nothing changed");
        return Ok(());
    }
    save(ws, &mutations)?;
    print_issue(ws, id, args.json)
}

pub fn status(ws: &mut Workspace, reference: &str, status: StatusArg, json: bool) -> Result<()> {
    let issue = find_issue(ws, reference)?;
    let mutation = UpdateIssueStatus {
        id: issue.id,
        status: status.status(),
        updated_at: stamp(),
    };
    save(ws, &[mutation.into()])?;
    print_issue(ws, issue.id, json)
}

/// `delete` (to the trash) and `restore` (from it).
pub fn trash(ws: &mut Workspace, reference: &str, delete: bool, json: bool) -> Result<()> {
    let issue = find_issue(ws, reference)?;
    let mutation: Mutation = if delete {
        if issue.deleted_at.is_some() {
            eprintln!("already in the trash");
            return print_issue(ws, issue.id, json);
        }
        DeleteIssue {
            id: issue.id,
            deleted_at: Some(stamp()),
        }
        .into()
    } else {
        if issue.deleted_at.is_none() {
            eprintln!("not in the trash");
            return print_issue(ws, issue.id, json);
        }
        RestoreIssue {
            id: issue.id,
            restored_at: stamp(),
        }
        .into()
    };
    save(ws, &[mutation])?;
    print_issue(ws, issue.id, json)
}

pub fn comment(ws: &mut Workspace, reference: &str, body: Option<&str>, json: bool) -> Result<()> {
    let issue = find_issue(ws, reference)?;
    let body = match body {
        Some("-") => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|err| CliError::failed(format!("reading standard input: {err}")))?;
            text
        }
        Some(text) => text.to_owned(),
        None => editor::edit(
            "\n",
            &format!(
                "Your comment on {} {} (Markdown). An empty comment is not sent.",
                ws.issue_ref(issue.id, issue.number),
                issue.title
            ),
        )?,
    };
    if body.trim().is_empty() {
        return Err(CliError::usage("an empty comment: nothing was sent"));
    }
    let mutation = AddComment {
        id: Uuid::new_v4(),
        issue_id: issue.id,
        body: field(CommentBody::try_from(body))?,
        created_at: stamp(),
    };
    save(ws, &[mutation.into()])?;
    print_issue(ws, issue.id, json)
}

/// What `new` and `edit` set beside the text, each a mutation after `mutations`: the priority, the
/// assignee (`none` is no one) and labels added by name (made when missing).
fn field_changes(
    ws: &Workspace,
    id: Uuid,
    priority: Option<PriorityArg>,
    assignee: Option<&str>,
    labels: &[String],
    mutations: &mut Vec<Mutation>,
) -> Result<()> {
    if let Some(priority) = priority {
        mutations.push(
            SetIssuePriority {
                id,
                priority: priority.priority(),
                updated_at: stamp(),
            }
            .into(),
        );
    }
    if let Some(name) = assignee {
        mutations.push(
            AssignIssue {
                id,
                assignee: ws.assignee_named(name)?,
                updated_at: stamp(),
            }
            .into(),
        );
    }
    for label in label_ids(ws, labels, mutations)? {
        mutations.push(
            AddIssueLabel {
                issue_id: id,
                label_id: label,
                updated_at: stamp(),
            }
            .into(),
        );
    }
    Ok(())
}

/// The ids of the labels named `names` (any case), each made (a `createLabel` added to
/// `mutations`) when the workspace has none by that name.
pub fn label_ids(
    ws: &Workspace,
    names: &[String],
    mutations: &mut Vec<Mutation>,
) -> Result<Vec<Uuid>> {
    let labels = ws.replica.labels()?;
    let mut made = 0;
    let mut ids = Vec::new();
    for name in names {
        let name = name.trim();
        if let Some(label) = labels.iter().find(|l| l.name.eq_ignore_ascii_case(name)) {
            ids.push(label.id);
            continue;
        }
        let id = Uuid::new_v4();
        let color = PALETTE[(labels.len() + made) % PALETTE.len()];
        made += 1;
        mutations.push(
            CreateLabel {
                id,
                name: field(LabelName::try_from(name.to_owned()))?,
                color: field(Color::try_from(color.to_owned()))?,
                created_at: stamp(),
            }
            .into(),
        );
        ids.push(id);
    }
    Ok(ids)
}

/// Prints the issue as it is now: its key and title, or (`--json`) all of it.
fn print_issue(ws: &Workspace, id: Uuid, json: bool) -> Result<()> {
    let issue = ws
        .replica
        .issue(id)?
        .ok_or_else(|| CliError::not_found("the issue is gone (the server refused it)"))?;
    if json {
        let labels = ws
            .labels_of(std::slice::from_ref(&issue))?
            .remove(&id)
            .unwrap_or_default();
        let comments = ws.replica.comments(id)?;
        print_json(&ws.issue_json(&issue, labels, Some(comments)));
    } else {
        let trashed = if issue.deleted_at.is_some() {
            ", in the trash"
        } else {
            ""
        };
        say!(
            "{} {} ({}{trashed})",
            ws.issue_ref(issue.id, issue.number),
            issue.title,
            issue.status.as_str()
        );
    }
    Ok(())
}

pub fn stamp() -> Millis {
    Millis::clamped(now())
}

/// A field's own rule broken: a usage error with its message.
pub fn field<T>(value: std::result::Result<T, String>) -> Result<T> {
    value.map_err(CliError::usage)
}
