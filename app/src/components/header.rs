//! The top bar: the name, the sync indicator, this device's name, and the button that creates.

use dioxus::prelude::*;
use engine::messages::StorageKind;
use shared::mutations::fields::Owner;

use crate::state::{AppState, DialogState, EngineStatus};

#[component]
pub fn Header() -> Element {
    let mut state = use_context::<AppState>();
    let sync = *state.sync.read();
    let engine = state.engine.read().clone();
    let (class, label) = if engine == EngineStatus::Starting {
        ("starting", "Starting…".to_owned())
    } else if matches!(engine, EngineStatus::Stopped(_)) {
        ("offline", "Not running".to_owned())
    } else if !sync.online {
        ("offline", format!("Offline · {} pending", sync.pending))
    } else if sync.pending > 0 {
        ("syncing", format!("Syncing · {} pending", sync.pending))
    } else {
        ("synced", "Synced".to_owned())
    };
    let memory_reason = match &*state.storage.read() {
        Some(StorageKind::Memory { reason }) => Some(reason.clone()),
        _ => None,
    };

    rsx! {
        header { class: "top",
            h1 { "Tracker" }
            div { class: "sync {class}", role: "status", aria_live: "polite", "{label}" }
            label { class: "owner",
                span { "You are" }
                input {
                    value: "{state.owner}",
                    maxlength: crate::max_input_length(Owner::MAX_CHARS),
                    aria_label: "Your name",
                    oninput: move |evt| state.owner.set(evt.value()),
                    onchange: move |evt| crate::owner::save(evt.value().trim()),
                }
            }
            button {
                class: "primary",
                onclick: move |_| state.dialog.set(DialogState::New),
                "New issue"
            }
        }
        if let EngineStatus::Stopped(reason) = engine {
            p { class: "banner failed", role: "alert",
                "The tracker could not start: {reason}. Nothing you change here is saved; reload the page to try again."
            }
        }
        if let Some(reason) = memory_reason {
            p { class: "banner", role: "note",
                "Not saved on this device: {reason}. Changes sync while this tab stays open."
            }
        }
    }
}
