//! The list of issues, in the filter's order: title (a click edits it), status (a click moves it on),
//! priority, assignee, labels, who made and last changed it, a short date, and a link to its page.
//! Virtualized: the list is as tall as every matching row, and holds only the window of rows the
//! engine sent, each at its place (`crate::viewport`).

use dioxus::prelude::*;
use shared::issue::Issue;
use shared::label::Label;
use shared::mutations::UpdateIssueStatus;
use shared::mutations::fields::Priority;

use super::issue_fields::LabelChip;
use super::{next_status, priority_name, status_name};
use crate::engine_link::EngineLink;
use crate::state::{AppState, DialogState, EngineStatus, now};
use crate::viewport::ROW_HEIGHT;

#[component]
pub fn IssueList() -> Element {
    let state = use_context::<AppState>();
    let view = state.view.read();
    let selected = *state.selected.read();
    let mut labels = state.labels_by_issue();
    let loaded = *state.loaded.read();
    let stopped = matches!(*state.engine.read(), EngineStatus::Stopped(_));
    // Before the engine's first view: the rows kept from the last visit, if any
    // (`crate::first_screen`; an engine that cannot start takes them away).
    let shown: &[Issue] = &view.issues;
    let height = if shown.is_empty() && !loaded {
        0.0
    } else {
        view.matching as f64 * ROW_HEIGHT
    };

    // Once a view is on the page: follow rows that moved, finish a jump or a selection by position.
    use_effect(move || {
        let _ = state.view.read();
        crate::viewport::after_render(state);
    });

    rsx! {
        section { class: "list", aria_label: "Issues",
            if !loaded && shown.is_empty() {
                p { class: "empty",
                    if stopped { "The list is not available: the tracker is not running." } else { "Loading…" }
                }
            } else if loaded && view.issues.is_empty() && view.matching == 0 {
                p { class: "empty",
                    if view.counts.total() == 0 { "No issues yet. Press C or “New issue” to create one." } else { "No issues match." }
                }
            }
            // As tall as every matching row; only the window the engine sent is in it.
            ul { id: "issue-rows", height: "{height}px",
                for (at, issue) in shown.iter().enumerate() {
                    IssueRow {
                        key: "{issue.id}",
                        labels: labels.remove(&issue.id).unwrap_or_default(),
                        issue: issue.clone(),
                        selected: selected == Some(issue.id),
                        position: view.start + at as u64,
                        of: view.matching,
                    }
                }
            }
        }
    }
}

#[component]
pub(super) fn IssueRow(
    issue: Issue,
    labels: Vec<Label>,
    selected: bool,
    /// Its place in the list, from 0, and how many rows the list has.
    position: u64,
    of: u64,
) -> Element {
    let mut state = use_context::<AppState>();
    let engine = use_context::<EngineLink>();
    let id = issue.id;
    let status = issue.status;
    let next = next_status(status);
    let status_label = format!(
        "Status: {}. Change to {}",
        status_name(status),
        status_name(next)
    );
    let authors = authors(&state, &issue);
    let assignee = issue.assignee.map(|member| state.name_of(Some(member)));
    rsx! {
        li {
            class: if selected { "row selected" } else { "row" },
            top: "{position as f64 * ROW_HEIGHT}px",
            aria_setsize: "{of}",
            aria_posinset: "{position + 1}",
            "data-id": "{id}",
            aria_current: if selected { "true" } else { "false" },
            button {
                class: "title",
                onclick: move |_| {
                    state.selected.set(Some(id));
                    state.dialog.set(DialogState::Edit(id));
                },
                "{issue.title}"
            }
            button {
                class: "status {crate::url::slug(status)}",
                aria_label: "{status_label}",
                onclick: move |_| {
                    state.selected.set(Some(id));
                    engine.mutate(UpdateIssueStatus {
                        id,
                        status: next,
                        updated_at: now(),
                    });
                },
                "{status_name(status)}"
            }
            if state.drafts.read().contains(&id) {
                span { class: "draft-mark", "Draft" }
            }
            for label in labels {
                LabelChip { key: "{label.id}", label: label.clone() }
            }
            if issue.priority != Priority::None {
                span { class: "priority {issue.priority.as_str()}", "{priority_name(issue.priority)}" }
            }
            if let Some(assignee) = assignee {
                span { class: "assignee", "→ {assignee}" }
            }
            span { class: "authors", "{authors}" }
            time { class: "date", "{short_date(issue.created_at)}" }
            a {
                class: "open",
                href: "{crate::url::issue_path(state.workspace, id)}",
                onclick: move |evt| {
                    evt.prevent_default();
                    super::issue_page::open_issue(state, id);
                },
                // Named by its text, not `aria-label`: a field's label search must not find it.
                "Open"
                span { class: "visually-hidden", " issue: {issue.title}" }
            }
        }
    }
}

/// "by Ada", or "by Ada · changed by Grace" when someone else changed it last.
pub(super) fn authors(state: &AppState, issue: &Issue) -> String {
    let creator = state.name_of(issue.created_by);
    if issue.updated_by.is_none() || issue.updated_by == issue.created_by {
        format!("by {creator}")
    } else {
        format!(
            "by {creator} · changed by {}",
            state.name_of(issue.updated_by)
        )
    }
}

/// "Nov 26", or "Nov 26, 2025" for another year.
pub(super) fn short_date(millis: u64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(millis as f64));
    let this_year = js_sys::Date::new_0().get_full_year();
    let month = MONTHS[date.get_month() as usize % 12];
    if date.get_full_year() == this_year {
        format!("{month} {}", date.get_date())
    } else {
        format!("{month} {}, {}", date.get_date(), date.get_full_year())
    }
}
