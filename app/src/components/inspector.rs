//! The sync inspector: what the engine is doing, read from the engine itself (it answers
//! `ToEngine::Inspect` with its replica's and its journal's state) every half second while open.
//! Connection, client id, cookie, `lastMutationId`, storage, the engine's memory, the pending queue,
//! the last sync events, and a button that copies all of it as JSON for a bug report.

use dioxus::prelude::*;
use engine::messages::{Channel, Inspection, StorageKind, SyncEventKind, ToEngine};
use shared::protocol::PushMutation;

use super::dialog::Modal;
use crate::engine_link::EngineLink;
use crate::state::{AppState, DialogState};

const REFRESH_MS: u32 = 500;

#[component]
pub fn InspectorDialog() -> Element {
    let mut state = use_context::<AppState>();
    let engine = use_context::<EngineLink>();
    let mut copied = use_signal(|| None::<Result<(), String>>);
    use_future(move || {
        let engine = engine.clone();
        async move {
            loop {
                engine.send(ToEngine::Inspect);
                gloo_timers::future::TimeoutFuture::new(REFRESH_MS).await;
            }
        }
    });
    let inspection = state.inspection.read().clone();
    let close = move |_| state.dialog.set(DialogState::Closed);
    let now = js_sys::Date::now() as u64;

    rsx! {
        Modal { class: "inspector", labelled_by: "inspector-heading",
            h2 { id: "inspector-heading", "Sync inspector" }
            match inspection {
                None => rsx! { p { class: "hint", "Asking the engine…" } },
                Some(inspection) => rsx! {
                    dl { class: "facts", aria_label: "Sync state",
                        dt { "Connection" }
                        dd { "{connection(&inspection)}" }
                        dt { "Client id" }
                        dd { code { "{inspection.client_id}" } }
                        dt { "Cookie" }
                        dd { "{cookie(inspection.cookie)}" }
                        dt { "lastMutationId" }
                        dd { "{inspection.last_mutation_id}" }
                        dt { "Storage" }
                        dd { "{storage(&inspection.storage)}" }
                        dt { "Engine memory" }
                        dd { "{megabytes(inspection.memory_bytes)}" }
                        dt { "Version" }
                        dd { "{crate::VERSION}" }
                    }
                    section { aria_labelledby: "pending-heading",
                        h3 { id: "pending-heading", "Pending ({inspection.pending_count})" }
                        if inspection.pending.is_empty() {
                            p { class: "hint", "Nothing waits to be sent." }
                        } else {
                            table { class: "queue", aria_labelledby: "pending-heading",
                                thead { tr { th { "Id" } th { "Mutation" } th { "Arguments" } th { "Age" } } }
                                tbody {
                                    for mutation in inspection.pending.iter() {
                                        tr { key: "{mutation.id}",
                                            td { "{mutation.id}" }
                                            td { "{mutation.name}" }
                                            td { "{summary(mutation)}" }
                                            td { "{age(now, mutation.timestamp)}" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    section { aria_labelledby: "events-heading",
                        h3 { id: "events-heading", "Last sync events" }
                        if inspection.events.is_empty() {
                            p { class: "hint", "None yet." }
                        } else {
                            table { class: "events", aria_labelledby: "events-heading",
                                thead { tr { th { "When" } th { "What" } th { "Detail" } th { "Bytes" } th { "Time" } } }
                                tbody {
                                    for (i, event) in inspection.events.iter().enumerate().rev() {
                                        tr { key: "{i}-{event.at}",
                                            td { "{age(now, Some(event.at as f64))}" }
                                            td { "{kind(event.kind)}" }
                                            td { "{event.summary}" }
                                            td { "{bytes(event.sent_bytes, event.received_bytes)}" }
                                            td { "{duration(event.duration_ms)}" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    div { class: "actions",
                        button {
                            onclick: move |_| {
                                let inspection = state.inspection.peek().clone();
                                spawn(async move {
                                    copied.set(Some(copy(inspection.as_deref()).await));
                                });
                            },
                            "Copy as JSON"
                        }
                        button { onclick: close, "Close" }
                    }
                    match copied() {
                        Some(Ok(())) => rsx! { p { role: "status", "Copied to the clipboard." } },
                        Some(Err(reason)) => rsx! { p { class: "error", role: "alert", "Could not copy: {reason}" } },
                        None => rsx! {},
                    }
                },
            }
        }
    }
}

fn connection(inspection: &Inspection) -> &'static str {
    match (inspection.channel, inspection.online) {
        (Channel::Live, _) => "Live: the server pokes this tab; nothing polls",
        (Channel::Connecting, true) => "Connecting: pulling on a timer until the socket opens",
        (Channel::Connecting, false) => "Offline: the last request got no answer",
    }
}

fn cookie(cookie: Option<u64>) -> String {
    cookie.map_or("none (never pulled)".to_owned(), |c| c.to_string())
}

/// Bytes in megabytes (10^6), to one decimal: "12.6 MB".
fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn storage(storage: &StorageKind) -> String {
    match storage {
        StorageKind::Device { slot } => format!("this device (slot {slot})"),
        StorageKind::Memory { reason } => format!("memory only: {reason}"),
    }
}

/// A mutation's arguments in a line: the issue, then the other fields given.
fn summary(mutation: &PushMutation) -> String {
    let Some(args) = mutation.args.as_object() else {
        return mutation.args.to_string();
    };
    let id = args
        .get("id")
        .and_then(|id| id.as_str())
        .map(|id| id.chars().take(8).collect::<String>());
    let fields: Vec<String> = args
        .iter()
        .filter(|(key, value)| *key != "id" && !value.is_null())
        .map(|(key, value)| {
            let text = match value {
                serde_json::Value::String(text) => format!("{text:?}"),
                other => other.to_string(),
            };
            let short: String = text.chars().take(40).collect();
            if short.len() < text.len() {
                format!("{key}: {short}…")
            } else {
                format!("{key}: {short}")
            }
        })
        .collect();
    match id {
        Some(id) => format!("issue {id}… {}", fields.join(", ")),
        None => fields.join(", "),
    }
}

fn age(now: u64, at: Option<f64>) -> String {
    let Some(at) = at else {
        return "?".to_owned();
    };
    let seconds = now.saturating_sub(at as u64) / 1000;
    match seconds {
        0..60 => format!("{seconds} s ago"),
        60..3600 => format!("{} min ago", seconds / 60),
        _ => format!("{} h ago", seconds / 3600),
    }
}

fn kind(kind: SyncEventKind) -> &'static str {
    match kind {
        SyncEventKind::Push => "push",
        SyncEventKind::Pull => "pull",
        SyncEventKind::Poke => "poke",
        SyncEventKind::Rebase => "rebase",
        SyncEventKind::Rejection => "rejection",
        SyncEventKind::Socket => "socket",
    }
}

fn bytes(sent: Option<u64>, received: Option<u64>) -> String {
    match (sent, received) {
        (Some(sent), Some(received)) if sent > 0 => format!("↑{sent} ↓{received}"),
        (_, Some(received)) => format!("↓{received}"),
        _ => String::new(),
    }
}

fn duration(ms: Option<f64>) -> String {
    ms.map_or(String::new(), |ms| format!("{ms:.1} ms"))
}

/// Copies the inspection, as pretty JSON, to the clipboard.
async fn copy(inspection: Option<&Inspection>) -> Result<(), String> {
    let inspection = inspection.ok_or("the engine has not answered yet")?;
    let json = serde_json::to_string_pretty(inspection).map_err(|err| err.to_string())?;
    crate::clipboard::write(&json).await
}
