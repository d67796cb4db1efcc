//! The status filter, with counts, and the text search. Both live in the URL.

use dioxus::prelude::*;
use shared::mutations::fields::Status;

use super::status_name;
use crate::state::AppState;

#[component]
pub fn FilterBar() -> Element {
    let mut state = use_context::<AppState>();
    let counts = state.view.read().counts;
    let current = state.filter.read().status;
    let search = state.filter.read().search.clone().unwrap_or_default();
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
                aria_label: "Search",
                placeholder: "Search titles and descriptions",
                value: "{search}",
                oninput: move |evt| {
                    let text = evt.value();
                    state.filter.write().search = (!text.is_empty()).then_some(text);
                },
            }
        }
    }
}
