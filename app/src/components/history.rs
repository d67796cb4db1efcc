//! An issue's history in its thread: "Grace set priority to Urgent · 2 h", one line each, between
//! the comments in time order (`shared::history`). Read from the replica, so offline too.

use dioxus::prelude::*;
use shared::history::{EventKind, IssueEvent};
use shared::mutations::fields::{Priority, Status};
use uuid::Uuid;

use super::icons::Ago;
use super::{priority_name, status_name};
use crate::state::AppState;

/// What one event says, after its author's name.
pub fn sentence(state: &AppState, event: &IssueEvent) -> String {
    let label = |value: &str| {
        let view = state.view.peek();
        Uuid::parse_str(value)
            .ok()
            .and_then(|id| {
                view.labels
                    .iter()
                    .find(|l| l.id == id)
                    .map(|l| l.name.clone())
            })
            .map_or_else(|| "a deleted label".to_owned(), |name| format!("“{name}”"))
    };
    match event.kind {
        EventKind::Created => "created the issue".to_owned(),
        EventKind::Title => format!("renamed it to “{}”", event.value),
        EventKind::Description => "edited the description".to_owned(),
        EventKind::Status => match Status::parse(&event.value) {
            Some(status) => format!("set status to {}", status_name(status)),
            None => "changed the status".to_owned(),
        },
        EventKind::Priority => match Priority::parse(&event.value) {
            Some(Priority::None) => "removed the priority".to_owned(),
            Some(priority) => format!("set priority to {}", priority_name(priority)),
            None => "changed the priority".to_owned(),
        },
        EventKind::Assignee => match Uuid::parse_str(&event.value) {
            Ok(id) if state.me() == Some(id) && event.member_id == id => "took it".to_owned(),
            Ok(id) => format!("assigned it to {}", state.name_of(Some(id))),
            Err(_) => "unassigned it".to_owned(),
        },
        EventKind::LabelAdded => format!("added the label {}", label(&event.value)),
        EventKind::LabelRemoved => format!("removed the label {}", label(&event.value)),
        EventKind::Trashed => "moved it to the trash".to_owned(),
        EventKind::Restored => "restored it from the trash".to_owned(),
    }
}

#[component]
pub fn HistoryItem(event: IssueEvent) -> Element {
    let state = use_context::<AppState>();
    let who = state.name_of(Some(event.member_id));
    let what = sentence(&state, &event);
    rsx! {
        li { class: "event",
            span { class: "event-dot", "aria-hidden": "true" }
            span {
                strong { "{who}" }
                " {what} · "
                Ago { millis: event.at, prefix: "" }
            }
        }
    }
}
