//! The status filter, with counts, the text search, filters by label, priority, assignee and creator
//! (each adds a value; a chip per value removes it), and the sort. All of it lives in the URL.

use dioxus::prelude::*;
use shared::issue::Sort;
use shared::mutations::fields::{Priority, Status};
use uuid::Uuid;

use super::{priority_name, status_name};
use crate::state::AppState;

fn sort_name(sort: Sort) -> &'static str {
    match sort {
        Sort::Created => "Newest",
        Sort::Updated => "Recently changed",
        Sort::Priority => "Most urgent",
    }
}

#[component]
pub fn FilterBar() -> Element {
    let mut state = use_context::<AppState>();
    let counts = state.view.read().counts;
    let current = state.filter.read().status;
    let search = state.filter.read().search.clone().unwrap_or_default();
    let mut open_filters = use_signal(|| false);
    let chosen = {
        let filter = state.filter.read();
        filter.labels.len()
            + filter.priorities.len()
            + filter.assignees.len()
            + filter.creators.len()
    };
    let options: Vec<(&str, Option<Status>, u64)> = std::iter::once(("All", None, counts.total()))
        .chain(Status::ALL.map(|s| (status_name(s), Some(s), counts.of(s))))
        .collect();

    rsx! {
        nav { class: "filters", aria_label: "Filter issues",
            div { class: "statuses", role: "radiogroup", aria_label: "Status",
                for (name, status, count) in options {
                    button {
                        key: "{name}",
                        role: "radio",
                        aria_checked: "{current == status}",
                        aria_label: "{name}",
                        "aria-description": "{count} issues",
                        class: if current == status { "chip active" } else { "chip" },
                        onclick: move |_| state.filter.write().status = status,
                        "{name}"
                        span { class: "count", aria_hidden: "true", "{count}" }
                    }
                }
            }
            input {
                r#type: "search",
                class: "search",
                id: "search",
                aria_label: "Search",
                aria_keyshortcuts: "/",
                placeholder: "Search titles and descriptions",
                value: "{search}",
                oninput: move |evt| {
                    let text = evt.value();
                    state.filter.write().search = (!text.is_empty()).then_some(text);
                },
            }
            // On a phone the pickers fold away behind this button (`style.css`); on a wider
            // screen it is hidden and they always show.
            button {
                class: "filters-toggle",
                aria_expanded: "{open_filters()}",
                aria_controls: "more-filters",
                onclick: move |_| open_filters.toggle(),
                if chosen > 0 { "Filters · {chosen}" } else { "Filters" }
            }
            MoreFilters { open: open_filters() }
        }
    }
}

/// One "add a filter" picker for each of label, priority, assignee and creator, the sort, and the
/// values chosen so far as chips that remove themselves.
#[component]
fn MoreFilters(open: bool) -> Element {
    let mut state = use_context::<AppState>();
    let filter = state.filter.read().clone();
    let labels = state.view.read().labels.clone();
    let people = state.people(None);
    // What is chosen, as (what it says, how to take it out).
    let mut chosen: Vec<(String, Chosen)> = Vec::new();
    for label in &filter.labels {
        chosen.push((format!("Label: {label}"), Chosen::Label(label.clone())));
    }
    for priority in &filter.priorities {
        chosen.push((
            format!("Priority: {}", priority_name(*priority)),
            Chosen::Priority(*priority),
        ));
    }
    for assignee in &filter.assignees {
        let name = assignee.map_or_else(|| "no one".to_owned(), |id| state.name_of(Some(id)));
        chosen.push((format!("Assignee: {name}"), Chosen::Assignee(*assignee)));
    }
    for creator in &filter.creators {
        chosen.push((
            format!("Creator: {}", state.name_of(Some(*creator))),
            Chosen::Creator(*creator),
        ));
    }
    let creators = people.clone();
    rsx! {
        div { id: "more-filters", class: if open { "more-filters open" } else { "more-filters" },
            select {
                aria_label: "Filter by label",
                value: "",
                onchange: move |evt| {
                    let name = evt.value();
                    let mut filter = state.filter.write();
                    if !name.is_empty() && !filter.labels.contains(&name) {
                        filter.labels.push(name);
                    }
                },
                option { value: "", "Label…" }
                for label in labels {
                    option { key: "{label.id}", value: "{label.name}", "{label.name}" }
                }
            }
            select {
                aria_label: "Filter by priority",
                value: "",
                onchange: move |evt| {
                    if let Some(priority) = Priority::parse(&evt.value()) {
                        let mut filter = state.filter.write();
                        if !filter.priorities.contains(&priority) {
                            filter.priorities.push(priority);
                        }
                    }
                },
                option { value: "", "Priority…" }
                for p in Priority::ALL.iter().rev() {
                    option { key: "{p.as_str()}", value: "{p.as_str()}", "{priority_name(*p)}" }
                }
            }
            select {
                aria_label: "Filter by assignee",
                value: "",
                onchange: move |evt| {
                    let value = evt.value();
                    let assignee = match value.as_str() {
                        "" => return,
                        "none" => None,
                        id => match Uuid::parse_str(id) {
                            Ok(id) => Some(id),
                            Err(_) => return,
                        },
                    };
                    let mut filter = state.filter.write();
                    if !filter.assignees.contains(&assignee) {
                        filter.assignees.push(assignee);
                    }
                },
                option { value: "", "Assignee…" }
                option { value: "none", "No one" }
                for (id, name) in people {
                    option { key: "{id}", value: "{id}", "{name}" }
                }
            }
            select {
                aria_label: "Filter by creator",
                value: "",
                onchange: move |evt| {
                    if let Ok(id) = Uuid::parse_str(&evt.value()) {
                        let mut filter = state.filter.write();
                        if !filter.creators.contains(&id) {
                            filter.creators.push(id);
                        }
                    }
                },
                option { value: "", "Creator…" }
                for (id, name) in creators {
                    option { key: "{id}", value: "{id}", "{name}" }
                }
            }
            label { class: "sort", r#for: "sort", "Sort" }
            select {
                    id: "sort",
                    value: "{filter.sort.as_str()}",
                    onchange: move |evt| {
                        if let Some(sort) = Sort::parse(&evt.value()) {
                            state.filter.write().sort = sort;
                        }
                    },
                    for sort in Sort::ALL {
                        option { key: "{sort.as_str()}", value: "{sort.as_str()}", selected: filter.sort == sort, "{sort_name(sort)}" }
                    }
            }
            a {
                class: "trash-link",
                href: "{crate::url::trash_path(state.workspace)}",
                onclick: move |evt| {
                    evt.prevent_default();
                    super::open_trash(state);
                },
                "Trash"
            }
            if !chosen.is_empty() {
                ul { class: "chips", aria_label: "Filters",
                    for (text, which) in chosen {
                        li { key: "{text}",
                            "{text}"
                            button {
                                class: "remove",
                                aria_label: "Remove filter {text}",
                                onclick: move |_| which.remove(&mut state.filter.write()),
                                "×"
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A chosen filter value.
#[derive(Debug, Clone, PartialEq)]
enum Chosen {
    Label(String),
    Priority(Priority),
    Assignee(Option<Uuid>),
    Creator(Uuid),
}

impl Chosen {
    fn remove(&self, filter: &mut shared::issue::IssueFilter) {
        match self {
            Chosen::Label(name) => filter.labels.retain(|l| l != name),
            Chosen::Priority(p) => filter.priorities.retain(|x| x != p),
            Chosen::Assignee(a) => filter.assignees.retain(|x| x != a),
            Chosen::Creator(c) => filter.creators.retain(|x| x != c),
        }
    }
}
