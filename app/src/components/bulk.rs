//! Picking many rows and changing them together. `x` (or a row's checkbox) picks the selected row,
//! Shift extends the pick from the last row picked; a bar then sets the status, priority, assignee
//! or a label of every picked issue, or deletes them, as one push of ordinary mutations
//! (`EngineLink::mutate_all`). Esc or "Clear" unpicks.

use std::cell::Cell;

use dioxus::prelude::*;
use shared::Mutation;
use shared::mutations::fields::{Priority, Status};
use shared::mutations::{
    AddIssueLabel, AssignIssue, DeleteIssue, SetIssuePriority, UpdateIssueStatus,
};
use uuid::Uuid;

use super::question::Question;
use super::{priority_name, status_name};
use crate::engine_link::EngineLink;
use crate::state::{AppState, now};

thread_local! {
    /// The list position of the row picked (or unpicked) last: Shift extends from it.
    static ANCHOR: Cell<Option<u64>> = const { Cell::new(None) };
}

/// Picks or unpicks the row `id` at `position`; with `extend`, picks every row from the last one
/// picked to it (those the page holds: the screen and a screenful around it).
pub fn toggle(mut state: AppState, id: Uuid, position: u64, extend: bool) {
    let anchor = ANCHOR.replace(Some(position));
    match anchor.filter(|_| extend) {
        Some(from) => {
            let (low, high) = (from.min(position), from.max(position));
            let view = state.view.peek();
            let ids: Vec<Uuid> = view
                .issues
                .iter()
                .enumerate()
                .filter(|(at, _)| (low..=high).contains(&(view.start + *at as u64)))
                .map(|(_, issue)| issue.id)
                .collect();
            drop(view);
            state.picked.write().extend(ids);
        }
        None => {
            let mut picked = state.picked.write();
            if !picked.remove(&id) {
                picked.insert(id);
            }
        }
    }
}

/// `x`: picks (or unpicks) the selected row; `X` (Shift+x) extends to it.
pub fn toggle_selected(state: AppState, extend: bool) {
    let Some(id) = *state.selected.peek() else {
        return;
    };
    if let Some(position) = crate::viewport::selected_index(state) {
        toggle(state, id, position, extend);
    }
}

/// Unpicks every row.
pub fn clear(mut state: AppState) {
    ANCHOR.set(None);
    state.picked.write().clear();
}

/// The bar over the list while rows are picked.
#[component]
pub fn BulkBar() -> Element {
    let state = use_context::<AppState>();
    let engine = use_context::<EngineLink>();
    let mut deleting = use_signal(|| false);
    // Bumped after each change, so the pickers are made again showing their prompt.
    let mut round = use_signal(|| 0_u32);
    let picked: Vec<Uuid> = state.picked.read().iter().copied().collect();
    if picked.is_empty() || !state.can_change() {
        return rsx! {};
    }
    let count = picked.len();
    let issues = if count == 1 { "issue" } else { "issues" };
    let people = state.people(None);
    let labels = state.view.read().labels.clone();
    let apply = use_callback(move |make: Box<dyn Fn(Uuid) -> Mutation>| {
        let ids: Vec<Uuid> = state.picked.peek().iter().copied().collect();
        engine.mutate_all(ids.into_iter().map(make).collect());
        round += 1;
    });
    rsx! {
        section { class: "bulk", role: "toolbar", aria_label: "Change {count} selected {issues}",
            p { class: "picked", role: "status", "{count} selected" }
            button {
                class: "link clear",
                onclick: move |_| clear(state),
                aria_keyshortcuts: "Escape",
                "Clear selection"
            }
            for r in [round()] {
            div { key: "{r}", class: "pickers",
            label { class: "field",
                span { class: "visually-hidden", "Status" }
                select {
                    value: "",
                    onchange: move |evt| {
                        if let Some(status) = Status::parse(&evt.value()) {
                            let at = now();
                            apply(Box::new(move |id| UpdateIssueStatus { id, status, updated_at: at }.into()));
                        }
                    },
                    option { value: "", "Set status…" }
                    for s in Status::ALL {
                        option { key: "{s.as_str()}", value: "{s.as_str()}", "{status_name(s)}" }
                    }
                }
            }
            label { class: "field",
                span { class: "visually-hidden", "Priority" }
                select {
                    value: "",
                    onchange: move |evt| {
                        if let Some(priority) = Priority::parse(&evt.value()) {
                            let at = now();
                            apply(Box::new(move |id| SetIssuePriority { id, priority, updated_at: at }.into()));
                        }
                    },
                    option { value: "", "Set priority…" }
                    for p in Priority::ALL.iter().rev() {
                        option { key: "{p.as_str()}", value: "{p.as_str()}", "{priority_name(*p)}" }
                    }
                }
            }
            label { class: "field",
                span { class: "visually-hidden", "Assignee" }
                select {
                    value: "",
                    onchange: move |evt| {
                        let value = evt.value();
                        if value.is_empty() {
                            return;
                        }
                        let assignee = Uuid::parse_str(&value).ok();
                        let at = now();
                        apply(Box::new(move |id| AssignIssue { id, assignee, updated_at: at }.into()));
                    },
                    option { value: "", "Assign to…" }
                    option { value: "nobody", "No one" }
                    for (id, name) in people.iter().cloned() {
                        option { key: "{id}", value: "{id}", "{name}" }
                    }
                }
            }
            if !labels.is_empty() {
                label { class: "field",
                    span { class: "visually-hidden", "Label" }
                    select {
                        value: "",
                        onchange: move |evt| {
                            if let Ok(label_id) = Uuid::parse_str(&evt.value()) {
                                let at = now();
                                apply(Box::new(move |issue_id| AddIssueLabel { issue_id, label_id, updated_at: at }.into()));
                            }
                        },
                        option { value: "", "Add label…" }
                        for label in labels.iter().cloned() {
                            option { key: "{label.id}", value: "{label.id}", "{label.name}" }
                        }
                    }
                }
            }
            }
            }
            if deleting() {
                Question {
                    label: "Delete {count} {issues}?",
                    text: "Move {count} {issues} to the trash? Any member can restore them for 30 days, with their comments and history.",
                    act: "Delete",
                    on_act: move |_| {
                        deleting.set(false);
                        apply(Box::new(|id| DeleteIssue { id, deleted_at: Some(now()) }.into()));
                        clear(state);
                    },
                    keep: "Keep",
                    on_keep: move |_| deleting.set(false),
                }
            } else {
                button { class: "danger", onclick: move |_| deleting.set(true), "Delete…" }
            }
        }
    }
}
