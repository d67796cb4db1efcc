//! The list of issues, in the filter's order: title (a click edits it), status (a click moves it on),
//! priority, assignee, labels, who made and last changed it, a short date, and a link to its page.
//! Virtualized: the list is as tall as every matching row, and holds only the window of rows the
//! engine sent, each at its place (`crate::viewport`).

use std::cell::RefCell;
use std::collections::HashMap;

use dioxus::prelude::*;
use shared::issue::Issue;
use shared::label::Label;
use shared::mutations::UpdateIssueStatus;
use shared::mutations::fields::Status;
use uuid::Uuid;

use super::icons::{Ago, Avatar, PriorityIcon, StatusIcon};
use super::issue_fields::LabelChip;
use super::{next_status, status_name};
use crate::engine_link::EngineLink;
use crate::state::{AppState, DialogState, EngineStatus, now};

#[component]
pub fn IssueList() -> Element {
    let state = use_context::<AppState>();
    let view = state.view.read();
    let selected = *state.selected.read();
    let mut labels = state.labels_by_issue();
    let loaded = *state.loaded.read();
    let stopped = matches!(*state.engine.read(), EngineStatus::Stopped(_));
    // Read once here, not by each row: a row re-renders only when its own props change.
    let can_change = state.can_change();
    // Rows are one line high or two (a narrow screen): laid out again when that changes.
    let _ = state.narrow.read();
    // Before the engine's first view: the rows kept from the last visit, if any
    // (`crate::first_screen`; an engine that cannot start takes them away).
    let shown: &[Issue] = &view.issues;
    let height = if shown.is_empty() && !loaded {
        0.0
    } else {
        view.matching as f64 * crate::viewport::row_height()
    };

    // Once a view is on the page: follow rows that moved, finish a jump or a selection by position.
    use_effect(move || {
        let _ = state.view.read();
        crate::viewport::after_render(state);
    });

    let issue_key = state.issue_key();
    rsx! {
        section { class: "list", aria_label: "Issues",
            if !loaded && shown.is_empty() {
                p { class: "empty",
                    if stopped { "The list is not available: the tracker is not running." } else { "Loading…" }
                }
            } else if loaded && view.issues.is_empty() && view.matching == 0 {
                p { class: "empty",
                    if view.counts.total() > 0 {
                        "No issues match."
                    } else if !view.fetched && state.sync.read().online {
                        "Loading the workspace…"
                    } else if !view.fetched {
                        "This device has not loaded the workspace yet: it will once it is online."
                    } else {
                        "No issues yet. Press C or “New issue” to create one."
                    }
                }
            }
            // As tall as every matching row; only the window the engine sent is in it.
            ul { id: "issue-rows", height: "{height}px",
                for (at, issue) in shown.iter().enumerate() {
                    IssueRow {
                        key: "{issue.id}",
                        can_change,
                        issue_key: issue_key.clone(),
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
    /// Whether changes made here can still be saved (`AppState::can_change`).
    can_change: bool,
    /// The workspace's issue key, read once by the list.
    issue_key: shared::numbers::IssueKey,
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
    let picked = state.picked.read().contains(&id);
    let title = issue.title.clone();
    rsx! {
        li {
            class: match (selected, picked) {
                (_, true) => "row picked",
                (true, false) => "row selected",
                (false, false) => "row",
            },
            top: "{position as f64 * crate::viewport::row_height()}px",
            aria_setsize: "{of}",
            aria_posinset: "{position + 1}",
            "data-id": "{id}",
            aria_current: if selected { "true" } else { "false" },
            input {
                class: "pick",
                r#type: "checkbox",
                checked: picked,
                // Named by `title`, not `aria-label`: a field's label search must not find it.
                title: "Select {title}",
                onclick: move |evt| {
                    let shift = evt.modifiers().shift();
                    super::bulk::toggle(state, id, position, shift);
                },
            }
            button {
                class: "status {crate::url::slug(status)}",
                aria_label: "{status_label}",
                title: "{status_name(status)} (click: {status_name(next)})",
                disabled: !can_change,
                onclick: move |_| {
                    state.selected.set(Some(id));
                    let status = next_click(id, status);
                    engine.mutate(UpdateIssueStatus {
                        id,
                        status,
                        updated_at: now(),
                    });
                },
                StatusIcon { status }
                span { class: "visually-hidden", "{status_name(status)}" }
            }
            button {
                class: "title",
                onclick: move |_| {
                    state.selected.set(Some(id));
                    if can_change {
                        state.dialog.set(DialogState::Edit(id));
                    } else {
                        super::issue_page::open_issue(state, id);
                    }
                },
                "{issue.title}"
            }
            div { class: "props",
                span { class: "issue-ref",
                    match issue.number {
                        Some(number) => issue_key.issue(number),
                        None => format!("{}-…", issue_key.as_str()),
                    }
                }
                if state.drafts.read().contains(&id) {
                    span { class: "draft-mark", "Draft" }
                }
                PriorityIcon { priority: issue.priority }
                for label in labels {
                    LabelChip { key: "{label.id}", label: label.clone() }
                }
                span { class: "authors", "{authors}" }
                if let (Some(member), Some(name)) = (issue.assignee, assignee) {
                    Avatar { member, label: "Assigned to {name}", name }
                }
                Ago { millis: issue.created_at, prefix: "Created" }
            }
            a {
                class: "open",
                href: "{crate::url::numbered_path(state.workspace, &issue_key, &issue)}",
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

thread_local! {
    /// The status each row's last click asked for, and when: a click that lands before the row
    /// shows the previous one's result moves on from that, not from the status on screen.
    static CLICKED: RefCell<HashMap<Uuid, (Status, f64)>> = RefCell::new(HashMap::new());
}

/// How long a click's status counts over the one on screen (another person's change meanwhile
/// wins after it).
const CLICK_MEMORY_MS: f64 = 2_000.0;

/// The status a click on `id`'s status button, which shows `shown`, asks for.
fn next_click(id: Uuid, shown: Status) -> Status {
    let now = js_sys::Date::now();
    CLICKED.with_borrow_mut(|clicked| {
        clicked.retain(|_, (_, at)| now - *at < CLICK_MEMORY_MS);
        let from = clicked.get(&id).map_or(shown, |(status, _)| *status);
        let next = next_status(from);
        clicked.insert(id, (next, now));
        next
    })
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
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(millis as f64));
    let this_year = js_sys::Date::new_0().get_full_year();
    let month = super::icons::MONTHS[date.get_month() as usize % 12];
    if date.get_full_year() == this_year {
        format!("{month} {}", date.get_date())
    } else {
        format!("{month} {}, {}", date.get_date(), date.get_full_year())
    }
}
