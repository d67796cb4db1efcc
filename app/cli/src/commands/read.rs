//! `tracker ls`, `tracker show`, `tracker members`: reading the replica.

use crate::output::say;
use shared::issue::IssueFilter;

use crate::args::ListArgs;
use crate::commands::{find_issue, refresh};
use crate::error::{CliError, Result};
use crate::output::{fit, print_json, when};
use crate::workspace::Workspace;

/// The trash's window, as the web app shows it.
const TRASH_SINCE_MS: u64 = shared::compaction::TRASH_RETENTION_MS;

pub fn ls(ws: &mut Workspace, args: &ListArgs) -> Result<()> {
    refresh(ws, args.read.offline)?;
    let mut issues = if args.trash {
        let since = crate::sync::now().saturating_sub(TRASH_SINCE_MS);
        ws.replica.trash(since, u32::MAX)?
    } else {
        let assignees = args
            .assignee
            .iter()
            .map(|name| ws.assignee_named(name))
            .collect::<Result<Vec<_>>>()?;
        let filter = IssueFilter {
            status: args.status.map(|status| status.status()),
            search: args.search.clone().filter(|text| !text.trim().is_empty()),
            priorities: args.priority.iter().map(|p| p.priority()).collect(),
            assignees,
            creators: Vec::new(),
            labels: args.label.clone(),
            sort: args.sort.sort(),
        };
        ws.replica.issues(&filter)?
    };
    let total = issues.len();
    if args.limit > 0 {
        issues.truncate(args.limit);
    }
    let mut labels = ws.labels_of(&issues)?;
    if args.json {
        let list: Vec<_> = issues
            .iter()
            .map(|issue| ws.issue_json(issue, labels.remove(&issue.id).unwrap_or_default(), None))
            .collect();
        print_json(&list);
        return Ok(());
    }
    for issue in &issues {
        let key = ws.issue_ref(issue.id, issue.number);
        let assignee = issue.assignee.map(|id| ws.name_of(id)).unwrap_or_default();
        let tags = labels.remove(&issue.id).unwrap_or_default().join(", ");
        say!(
            "{key:<9} {:<11} {:<6} {:<50} {:<14} {tags}",
            issue.status.as_str(),
            issue.priority.as_str(),
            fit(&issue.title, 50),
            fit(&assignee, 14),
        );
    }
    if issues.len() < total {
        eprintln!("{} of {total} shown (--limit 0 shows all)", issues.len());
    } else if total == 0 {
        eprintln!("no issues match");
    }
    Ok(())
}

pub fn show(ws: &mut Workspace, reference: &str, json: bool, offline: bool) -> Result<()> {
    refresh(ws, offline)?;
    let issue = find_issue(ws, reference)?;
    let labels = ws
        .labels_of(std::slice::from_ref(&issue))?
        .remove(&issue.id)
        .unwrap_or_default();
    let comments = ws.replica.comments(issue.id)?;
    if json {
        print_json(&ws.issue_json(&issue, labels, Some(comments)));
        return Ok(());
    }
    say!("{} {}", ws.issue_ref(issue.id, issue.number), issue.title);
    say!(
        "{} · {} priority · assigned to {}",
        issue.status.as_str(),
        issue.priority.as_str(),
        issue
            .assignee
            .map(|id| ws.name_of(id))
            .unwrap_or_else(|| "no one".to_owned())
    );
    if !labels.is_empty() {
        say!("labels: {}", labels.join(", "));
    }
    // The name it was filed under, and who entered it when that differs (an import's author).
    let entered_by = issue.created_by.map(|id| ws.name_of(id));
    let by = match entered_by {
        Some(name) if name != issue.owner => format!("{} (entered by {name})", issue.owner),
        _ => issue.owner.clone(),
    };
    say!(
        "opened {} by {by}{}",
        when(issue.created_at),
        issue
            .deleted_at
            .map(|at| format!(" · in the trash since {}", when(at)))
            .unwrap_or_default()
    );
    if !issue.description.trim().is_empty() {
        say!("\n{}", issue.description.trim_end());
    }
    for comment in comments {
        say!(
            "\n— {} at {}{}\n{}",
            ws.name_of(comment.author),
            when(comment.created_at),
            if comment.edited_at.is_some() {
                " (edited)"
            } else {
                ""
            },
            comment.body.trim_end()
        );
    }
    Ok(())
}

pub fn members(ws: &mut Workspace, json: bool) -> Result<()> {
    ws.refresh_members().or_else(|err| match err.code {
        crate::error::Code::Offline if !ws.members.members.is_empty() => {
            eprintln!("offline: the members as last read ({err})");
            Ok(())
        }
        _ => Err(err),
    })?;
    if json {
        print_json(&ws.members.members);
        return Ok(());
    }
    if ws.members.members.is_empty() {
        return Err(CliError::failed("no members known yet: run `tracker sync`"));
    }
    for member in &ws.members.members {
        let you = if member.id == ws.me() { " (you)" } else { "" };
        let role = format!("{:?}", member.role).to_lowercase();
        say!("{:<30} {role}{you}", member.name);
    }
    Ok(())
}
