//! The inbox (`/w/<workspace>/inbox`): the issues whose activity concerns the member, newest first,
//! unread ones marked, derived by their replica (`shared::inbox`); the header shows how many are
//! unread. Opening one marks it read and goes to the issue (and the comment); *Mark all read* marks
//! the rest. Read marks are private mutations: they follow the member to every device and reach no
//! one else.

use dioxus::prelude::*;
use shared::inbox::{Activity, InboxItem};
use shared::mutations::MarkInboxRead;
use shared::mutations::fields::{Millis, Status};

use super::icons::Ago;
use super::status_name;
use crate::engine_link::EngineLink;
use crate::state::{AppState, now};

/// Opens the inbox in this tab, without reloading.
pub fn open_inbox(mut state: AppState) {
    crate::url::push_path(&crate::url::inbox_path(state.workspace));
    state.open_issue.set(None);
    state.open_number.set(None);
    state.trash_open.set(false);
    state.inbox_open.set(true);
}

/// The header's way in, with the unread count.
#[component]
pub fn InboxButton() -> Element {
    let state = use_context::<AppState>();
    let unread = state.view.read().unread;
    let open = *state.inbox_open.read();
    rsx! {
        button {
            class: if open { "inbox-button open" } else { "inbox-button" },
            aria_current: if open { "page" } else { "false" },
            title: "Assignments, mentions and comments on issues you follow",
            onclick: move |_| open_inbox(state),
            "Inbox"
            if unread > 0 {
                span { class: "badge", "aria-hidden": "true", "{unread}" }
                span { class: "visually-hidden", "({unread} unread)" }
            }
        }
    }
}

#[component]
pub fn InboxPage() -> Element {
    let state = use_context::<AppState>();
    let engine = use_context::<EngineLink>();
    let items = state.view.read().inbox.clone();
    let unread = state.view.read().unread;
    let all_engine = engine.clone();
    rsx! {
        nav { class: "issue-nav", aria_label: "Issues",
            button { onclick: move |_| super::close_issue(state), "← All issues" }
        }
        section { class: "inbox", aria_labelledby: "inbox-heading",
            div { class: "heading-row",
                h2 { id: "inbox-heading", "Inbox" }
                button {
                    disabled: unread == 0,
                    onclick: move |_| all_engine.mutate(MarkInboxRead { issue_id: None, at: now() }),
                    "Mark all read"
                }
            }
            p { class: "hint",
                "Issues you were assigned or mentioned in, and comments and status changes on issues you made, are assigned to, commented on or subscribed to."
            }
            match items {
                None => rsx! { p { class: "empty", "Loading…" } },
                Some(items) if items.is_empty() => rsx! { p { class: "empty", "Nothing yet: when someone assigns you, mentions you or replies, it shows here." } },
                Some(items) => rsx! {
                    ul { class: "inbox-list", aria_label: "Inbox items",
                        for item in items {
                            InboxRow { key: "{item.issue_id}", item }
                        }
                    }
                },
            }
        }
    }
}

#[component]
fn InboxRow(item: InboxItem) -> Element {
    let state = use_context::<AppState>();
    let engine = use_context::<EngineLink>();
    let who = state.name_of(Some(item.by));
    let what = match item.activity {
        Activity::Assigned => format!("{who} assigned you"),
        Activity::Mentioned => format!("{who} mentioned you"),
        Activity::Commented => format!("{who} commented"),
        Activity::Status => match Status::parse(&item.value) {
            Some(status) => format!("{who} moved it to {}", status_name(status)),
            None => format!("{who} changed its status"),
        },
    };
    let reference = match item.number {
        Some(n) => state.issue_key().issue(n),
        None => format!("{}-…", state.issue_key().as_str()),
    };
    let excerpt = match item.activity {
        Activity::Commented | Activity::Mentioned if !item.value.is_empty() => {
            Some(excerpt(&item.value))
        }
        _ => None,
    };
    let (issue, comment, at, unread) = (item.issue_id, item.comment_id, item.at, item.unread);
    let read_engine = engine.clone();
    let mark = move |engine: &EngineLink| {
        if unread {
            engine.mutate(MarkInboxRead {
                issue_id: Some(issue),
                at: Millis::clamped(at),
            });
        }
    };
    rsx! {
        li { class: if unread { "inbox-row unread" } else { "inbox-row" },
            span { class: "dot", "aria-hidden": "true" }
            div { class: "inbox-text",
                div { class: "inbox-line",
                    span { class: "issue-ref", "{reference}" }
                    button {
                        class: "link title",
                        aria_label: if unread { "{item.title} (unread)" } else { "{item.title}" },
                        onclick: move |_| {
                            mark(&engine);
                            super::open_issue(state, issue);
                            if let (Some(comment), Some(window)) = (comment, web_sys::window()) {
                                let _ = window.location().set_hash(&format!("comment-{comment}"));
                            }
                        },
                        "{item.title}"
                    }
                }
                div { class: "inbox-what",
                    "{what} · "
                    Ago { millis: at, prefix: "" }
                }
                if let Some(excerpt) = excerpt {
                    p { class: "excerpt", "{excerpt}" }
                }
            }
            if unread {
                button {
                    class: "link",
                    aria_label: "Mark read: {item.title}",
                    onclick: move |_| mark(&read_engine),
                    "Mark read"
                }
            }
        }
    }
}

/// A comment's first words as plain text, on one line.
fn excerpt(text: &str) -> String {
    let plain = shared::markdown::plain_text(&shared::markdown::parse(text));
    let line = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 140 {
        format!("{}…", line.chars().take(140).collect::<String>())
    } else {
        line
    }
}
