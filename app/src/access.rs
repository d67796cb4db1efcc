//! Who the tracker runs as. The engine opens at once as the member this browser remembers (so the
//! tracker starts offline, and fast), while `GET /api/session` confirms it; a browser that remembers
//! no one opens once the server has said who it is. The workspace's members are fetched for authors'
//! names. What the server says lands in `AppState::access`.

use std::collections::BTreeSet;

use dioxus::prelude::*;
use shared::ErrorCode;
use shared::api::{Members, SessionInfo};
use uuid::Uuid;

use crate::api;
use crate::engine_link::EngineLink;
use crate::session;
use crate::state::{Access, AppState};

pub fn use_access(state: AppState) {
    use_names(state);
    let engine = use_context::<EngineLink>();
    use_hook(move || {
        if let Some(info) = session::cached() {
            open_as(state, &engine, &info);
        }
        spawn(confirm(state, engine.clone()));
        spawn(async move {
            refresh_members(state).await;
        });
    });
}

/// Opens the engine as `info`'s member, if they are in this page's workspace.
fn open_as(mut state: AppState, engine: &EngineLink, info: &SessionInfo) -> bool {
    let Some((actor, legacy)) = info.replica_of(state.workspace) else {
        return false;
    };
    if state.owner.peek().is_empty() {
        state.owner.set(info.member.name.clone());
    }
    session::set_last_workspace(actor.workspace_id);
    engine.open(actor, legacy);
    true
}

async fn confirm(mut state: AppState, engine: EngineLink) {
    match api::get::<SessionInfo>("/api/session").await {
        Ok(info) => {
            session::remember(&info);
            if engine
                .opened_as()
                .is_some_and(|actor| actor.member_id != info.member.id)
            {
                // Someone else signed in on this browser since: start over as them.
                crate::route::go(&crate::route::workspace_path(state.workspace));
                return;
            }
            let member = open_as(state, &engine, &info);
            if state.sync.peek().denied.is_some() {
                // The engine's first request beat this answer, which may have just traded an older
                // cookie for a session (`GET /api/session`): it tries again now, not after backoff.
                engine.send(engine::messages::ToEngine::SyncNow);
            }
            state.session.set(Some(info));
            state.access.set(if member {
                Access::Member
            } else {
                Access::NotAMember
            });
        }
        Err(failure) if failure.code() == Some(ErrorCode::Unauthenticated) => {
            session::forget();
            state.access.set(Access::SignedOut);
        }
        Err(_) => {
            if engine.opened_as().is_none() {
                state.access.set(Access::Unreachable);
            }
        }
    }
}

/// Reads the session again (the workspace's issue key changed) and keeps it for the next start.
pub async fn refresh_session(mut state: AppState) {
    if let Ok(info) = api::get::<SessionInfo>("/api/session").await {
        session::remember(&info);
        state.session.set(Some(info));
    }
}

/// Someone the page has no name for made a change (they joined since the members were read): read
/// the members again, once for each such id.
fn use_names(state: AppState) {
    let mut asked = use_signal(BTreeSet::<Uuid>::new);
    use_effect(move || {
        let view = state.view.read();
        let _ = state.members.read();
        let _ = state.former.read();
        let comments = view.open.iter().flat_map(|open| &open.comments);
        let unknown: Vec<Uuid> = view
            .issues
            .iter()
            .chain(view.open.iter().map(|open| &open.issue))
            .flat_map(|issue| [issue.created_by, issue.updated_by, issue.assignee])
            .chain(comments.map(|comment| Some(comment.author)))
            .flatten()
            .filter(|id| !state.knows(*id) && !asked.peek().contains(id))
            .collect();
        if !unknown.is_empty() {
            asked.write().extend(unknown);
            spawn(async move {
                refresh_members(state).await;
            });
        }
    });
}

/// Fetches the workspace's members (and keeps their names for offline use); the members dialog
/// calls it again after each change.
pub async fn refresh_members(mut state: AppState) -> Option<Members> {
    let path = format!("/api/workspaces/{}/members", state.workspace);
    let members = api::get::<Members>(&path).await.ok()?;
    session::remember_members(state.workspace, &members);
    state.members.set(members.members.clone());
    state.former.set(members.former.clone());
    Some(members)
}
