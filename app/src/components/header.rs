//! The top bar: the workspace (a switcher when there are several), the sync indicator, who is signed
//! in, the members, and the button that creates; below it, what keeps the tracker from saving.

use dioxus::prelude::*;
use engine::messages::{Channel, StorageKind};
use shared::ErrorCode;

use super::inbox::InboxButton;
use crate::route;
use crate::state::{Access, AppState, DialogState, EngineStatus};

#[component]
pub fn Header() -> Element {
    let mut state = use_context::<AppState>();
    let sync = state.sync.read().clone();
    let engine = state.engine.read().clone();
    let (class, label) = if engine == EngineStatus::Starting {
        ("starting", "Starting…".to_owned())
    } else if matches!(engine, EngineStatus::Stopped(_)) {
        ("offline", "Not running".to_owned())
    } else if sync.denied.is_some() {
        ("offline", format!("Not saved · {} pending", sync.pending))
    } else if sync.held_back.is_some() {
        ("syncing", format!("Held back · {} pending", sync.pending))
    } else if !sync.online {
        ("offline", format!("Offline · {} pending", sync.pending))
    } else if sync.pending > 0 {
        ("syncing", format!("Syncing · {} pending", sync.pending))
    } else if sync.channel == Channel::Live {
        ("synced", "Live".to_owned())
    } else {
        ("syncing", "Connecting…".to_owned())
    };
    let memory_reason = match &*state.storage.read() {
        Some(StorageKind::Memory { reason }) => Some(reason.clone()),
        _ => None,
    };
    let session = state.session.read().clone();
    let workspaces = session
        .as_ref()
        .map(|info| info.workspaces.clone())
        .unwrap_or_default();
    let current = state.workspace;
    let here = workspaces.iter().find(|w| w.id == current).cloned();
    let denied = sync.denied.clone();
    let pending = sync.pending;
    let changes = if pending == 1 { "change" } else { "changes" };
    let stay = if pending == 1 { "stays" } else { "stay" };
    let can_change = state.can_change();

    rsx! {
        header { class: "top",
            h1 { "Tracker" }
            if workspaces.len() > 1 {
                select {
                    class: "workspace",
                    aria_label: "Workspace",
                    onchange: move |evt| {
                        if let Ok(id) = uuid::Uuid::parse_str(&evt.value()) && id != current {
                            route::go(&route::workspace_path(id));
                        }
                    },
                    for workspace in workspaces.iter() {
                        option {
                            key: "{workspace.id}",
                            value: "{workspace.id}",
                            selected: workspace.id == current,
                            "{workspace.name}"
                        }
                    }
                }
            } else if let Some(workspace) = &here {
                span { class: "workspace", "{workspace.name}" }
            }
            div { role: "status", aria_live: "polite", aria_label: "Sync",
                button {
                    class: "sync {class}",
                    aria_haspopup: "dialog",
                    title: "Open the sync inspector",
                    onclick: move |_| state.dialog.set(DialogState::Inspector),
                    "{label}"
                }
            }
            InboxButton {}
            if let Some(info) = &session {
                button {
                    class: "who",
                    aria_haspopup: "dialog",
                    title: "Your account: name, devices, passkeys, sign out",
                    onclick: move |_| state.dialog.set(DialogState::Account),
                    span { class: "visually-hidden", "Account: " }
                    "{info.member.name}"
                }
            }
            button {
                class: "commands",
                aria_keyshortcuts: "Control+K Meta+K",
                title: "Command palette (Ctrl+K)",
                onclick: move |_| state.dialog.set(DialogState::Palette),
                "Commands"
                kbd { class: "shortcut", "aria-hidden": "true", "Ctrl K" }
            }
            button {
                class: "help",
                aria_label: "Keyboard shortcuts",
                title: "Keyboard shortcuts (?)",
                onclick: move |_| state.dialog.set(DialogState::Shortcuts),
                "?"
            }
            if can_change {
                button {
                    onclick: move |_| state.dialog.set(DialogState::Members),
                    "Members"
                }
                button {
                    class: "primary",
                    aria_keyshortcuts: "c",
                    onclick: move |_| state.dialog.set(DialogState::New),
                    "New issue"
                }
            }
        }
        if let EngineStatus::Stopped(reason) = engine {
            p { class: "banner failed", role: "alert",
                "The tracker could not start: {reason}. Nothing you change here is saved; reload the page to try again."
            }
        }
        if let Some(refusal) = denied {
            p { class: "banner failed", role: "alert",
                if refusal.error == ErrorCode::Forbidden {
                    "You are no longer a member of this workspace. "
                } else {
                    "You are signed out here (the session ended or was refused). "
                }
                if pending > 0 {
                    "Your changes are not saved: {pending} {changes} {stay} on this device until you are let back in. "
                }
                if refusal.error == ErrorCode::Forbidden {
                    "Ask the workspace's owner for an invite link."
                } else {
                    a { href: "/signin", "Sign in again" }
                }
            }
        }
        if sync.outdated.is_some() {
            p { class: "banner", role: "alert",
                "A new version of the tracker is available. "
                if crate::upgrade::may_reload() {
                    "This page reloads into it as soon as nothing is being typed here; your changes are kept."
                } else {
                    "Your changes are kept. "
                    button { onclick: move |_| crate::upgrade::reload(), "Reload now" }
                }
            }
        }
        if let Some(held) = sync.held_back.clone().filter(|_| sync.denied.is_none()) {
            p { class: "banner", role: "note",
                if held.error == ErrorCode::QuotaExceeded {
                    "The server is holding your changes back: {held.message}. They stay on this device and are sent then."
                } else {
                    "The server asked this tab to slow down; your changes are sent in a few seconds."
                }
            }
        }
        match state.access.read().clone() {
            Access::SignedOut if denied_is_none(&state) => rsx! {
                p { class: "banner failed", role: "alert",
                    "You are signed out here. Open the invite link you were sent to sign in again; nothing on this device is lost."
                }
            },
            Access::NotAMember if denied_is_none(&state) => rsx! {
                p { class: "banner failed", role: "alert",
                    "You are not a member of this workspace. Ask its owner for an invite link."
                }
            },
            Access::Unreachable => rsx! {
                p { class: "banner failed", role: "alert",
                    "The tracker cannot be reached, and this browser has not signed in to this workspace before."
                }
            },
            _ => rsx! {},
        }
        if *state.persisted.read() == Some(false) && pending > 0 && memory_reason.is_none()
            && (!sync.online || sync.denied.is_some() || sync.held_back.is_some())
        {
            p { class: "banner", role: "note",
                "This browser did not agree to keep the tracker's storage: if it runs short of space it may clear changes that are not synced yet ({pending} {changes} now)."
            }
        }
        if let Some(reason) = memory_reason {
            p { class: "banner", role: "note",
                "Not saved on this device: {reason}. Changes sync while this tab stays open."
            }
        }
    }
}

fn denied_is_none(state: &AppState) -> bool {
    state.sync.read().denied.is_none()
}
