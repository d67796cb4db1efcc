//! The commands. Each reads or changes the local replica and syncs around it: a reading command pulls
//! first (unless `--offline`), a changing command queues its mutations and then pushes them. When the
//! server cannot be reached, both go on with the replica alone and say so on standard error.

pub mod export;
pub mod import;
pub mod login;
pub mod read;
pub mod watch;
pub mod write;

use shared::Mutation;
use shared::issue::Issue;
use shared::numbers::parse_reference;
use uuid::Uuid;

use crate::error::{CliError, Code, Result};
use crate::sync::{self, Synced};
use crate::workspace::Workspace;

/// Brings the replica up to date before it is read, unless `offline`. Unreachable: a warning, and
/// the local copy is read.
pub fn refresh(ws: &mut Workspace, offline: bool) -> Result<()> {
    if offline {
        return Ok(());
    }
    if ws.members.workspace.is_none() {
        match ws.refresh_members() {
            Ok(()) => {}
            Err(err) if err.code == Code::Offline => {}
            Err(err) => return Err(err),
        }
    }
    match sync::sync(&mut ws.replica, &ws.client, None) {
        Ok(synced) => report_rejections(&synced),
        Err(stopped) if stopped.error.code == Code::Offline => {
            eprintln!("offline: showing this device's copy ({})", stopped.error);
            Ok(())
        }
        Err(stopped) => Err(stopped.error),
    }
}

/// Queues `mutations` in the replica (each applied at once, locally), then pushes them. Unreachable:
/// they stay queued, and the command succeeds saying so.
pub fn save(ws: &mut Workspace, mutations: &[Mutation]) -> Result<()> {
    queue(ws, mutations)?;
    match sync::sync(&mut ws.replica, &ws.client, None) {
        Ok(synced) => report_rejections(&synced),
        Err(stopped) if stopped.error.code == Code::Offline => {
            let pending = ws.replica.pending_count()?;
            eprintln!(
                "saved on this device; {pending} change{} will sync with the next command that \
                 reaches the server ({})",
                if pending == 1 { "" } else { "s" },
                stopped.error
            );
            Ok(())
        }
        Err(stopped) => {
            report_rejections(&stopped.synced)?;
            Err(stopped.error)
        }
    }
}

/// Applies `mutations` to the replica and queues them, each through the acceptance rules of a new
/// mutation (control characters, numbers only the server gives), as the server will check them.
pub fn queue(ws: &mut Workspace, mutations: &[Mutation]) -> Result<()> {
    for mutation in mutations {
        let args: serde_json::Value = serde_json::from_str(&mutation.args_json())
            .map_err(|err| CliError::failed(format!("a mutation's args: {err}")))?;
        ws.replica.mutate(mutation.name(), &args, sync::now())?;
    }
    Ok(())
}

/// The server refused some of this device's changes: their effects are gone. An error naming them.
fn report_rejections(synced: &Synced) -> Result<()> {
    if synced.rejected.is_empty() {
        return Ok(());
    }
    let reasons: Vec<String> = synced
        .rejected
        .iter()
        .map(|rejected| {
            format!(
                "change {}: {} ({:?})",
                rejected.id, rejected.message, rejected.error
            )
        })
        .collect();
    Err(CliError::new(
        Code::Refused,
        format!("the server refused {}", reasons.join("; ")),
    ))
}

/// The issue `reference` names: `TRK-42`, `#42`, `42`, or its id. Issues in the trash too.
pub fn find_issue(ws: &Workspace, reference: &str) -> Result<Issue> {
    let found = if let Ok(id) = Uuid::parse_str(reference.trim()) {
        ws.replica.issue(id)?
    } else if let Some(number) = parse_reference(reference) {
        ws.replica.issue_numbered(number)?
    } else {
        return Err(CliError::usage(format!(
            "{reference:?} is not an issue: give its key (TRK-42), its number (42) or its id"
        )));
    };
    found.ok_or_else(|| CliError::not_found(format!("no issue {reference} in this workspace")))
}

/// `tracker sync`: push, pull, read the members again; what happened, on standard error (or as
/// JSON). Unreachable is an error here (exit status 5): syncing is all it was asked to do.
pub fn sync_command(ws: &mut Workspace, json: bool) -> Result<()> {
    ws.refresh_members()?;
    let pending_before = ws.replica.pending_count()?;
    let synced = sync::sync(&mut ws.replica, &ws.client, None).map_err(|stopped| stopped.error)?;
    let pending = ws.replica.pending_count()?;
    if json {
        crate::output::print_json(&serde_json::json!({
            "pushed": pending_before.saturating_sub(pending),
            "pulled": synced.entries.len(),
            "rejected": synced.rejected,
            "pending": pending,
            "cookie": ws.replica.cookie(),
        }));
    } else {
        eprintln!(
            "up to date: {} change{} sent, {} pulled",
            pending_before.saturating_sub(pending),
            if pending_before == 1 { "" } else { "s" },
            synced.entries.len()
        );
    }
    report_rejections(&synced)
}

/// `tracker budget <member> <extra>`: more changes for a member today (owners).
pub fn budget(ws: &mut Workspace, member: &str, extra: u64, json: bool) -> Result<()> {
    if let Err(err) = ws.refresh_members() {
        eprintln!("the members as last read ({err})");
    }
    let id = ws.member_named(member)?;
    let budget = ws.client.grant_budget(id, extra)?;
    if json {
        crate::output::print_json(&budget);
    } else {
        eprintln!(
            "{} may make {} changes today (UTC), {} used so far",
            ws.name_of(id),
            budget.budget,
            budget.used
        );
    }
    Ok(())
}
