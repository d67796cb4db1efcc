//! The trash (`/w/<workspace>/trash`): issues deleted in the last 30 days, most recent first, each
//! restorable by any member with its comments, labels and history; compaction removes them after
//! that (`shared::compaction`). Read from the replica like the list.

use dioxus::prelude::*;
use shared::mutations::RestoreIssue;

use super::icons::Ago;
use crate::engine_link::EngineLink;
use crate::state::{AppState, now};

/// Opens the trash in this tab, without reloading.
pub fn open_trash(mut state: AppState) {
    crate::url::push_path(&crate::url::trash_path(state.workspace));
    state.open_issue.set(None);
    state.open_number.set(None);
    state.inbox_open.set(false);
    state.trash_open.set(true);
}

#[component]
pub fn TrashPage() -> Element {
    let state = use_context::<AppState>();
    let engine = use_context::<EngineLink>();
    let trash = state.view.read().trash.clone();
    let can_change = state.can_change();
    rsx! {
        nav { class: "issue-nav", aria_label: "Issues",
            button { onclick: move |_| super::close_issue(state), "← All issues" }
        }
        section { class: "trash", aria_labelledby: "trash-heading",
            h2 { id: "trash-heading", "Trash" }
            p { class: "hint",
                "Deleted issues stay here for 30 days, with their comments, labels and history. Any member can restore them."
            }
            match trash {
                None => rsx! { p { class: "empty", "Loading…" } },
                Some(issues) if issues.is_empty() => rsx! { p { class: "empty", "The trash is empty." } },
                Some(issues) => rsx! {
                    ul { class: "trash-list",
                        for issue in issues {
                            li { key: "{issue.id}", class: "trash-row",
                                span { class: "issue-ref", "{state.reference(&issue)}" }
                                button {
                                    class: "link title",
                                    onclick: move |_| super::open_issue(state, issue.id),
                                    "{issue.title}"
                                }
                                span { class: "muted",
                                    "Deleted by {state.name_of(issue.deleted_by)} · "
                                    Ago { millis: issue.deleted_at.unwrap_or(issue.updated_at), prefix: "Deleted" }
                                }
                                if can_change {
                                    button {
                                        aria_label: "Restore {state.reference(&issue)}: {issue.title}",
                                        onclick: {
                                            let engine = engine.clone();
                                            move |_| engine.mutate(RestoreIssue { id: issue.id, restored_at: now() })
                                        },
                                        "Restore"
                                    }
                                }
                            }
                        }
                    }
                },
            }
        }
    }
}
