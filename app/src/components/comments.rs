//! The discussion under an issue, oldest first, with what happened to the issue between the
//! comments (`super::history`): each comment with its author, a permalink
//! (`#comment-<id>`, which opens the issue's page scrolled to it) and, for its author or the
//! workspace's owner, edit and delete; and the field that adds one.

use dioxus::prelude::*;
use shared::comment::Comment;
use shared::mutations::fields::{CommentBody, check_no_control_characters};
use shared::mutations::{AddComment, DeleteComment, EditComment};
use uuid::Uuid;

use super::history::HistoryItem;
use super::icons::{Ago, Avatar};
use super::markdown::Markdown;
use super::markdown_field::MarkdownField;
use super::reactions::Reactions;
use crate::engine_link::EngineLink;
use crate::state::{AppState, now};
use shared::history::IssueEvent;
use shared::reaction::Reaction;

#[component]
pub fn Comments(
    issue: Uuid,
    comments: Vec<Comment>,
    events: Vec<IssueEvent>,
    reactions: Vec<Reaction>,
) -> Element {
    let state = use_context::<AppState>();
    let engine = use_context::<EngineLink>();
    let mut writing = use_signal(String::new);
    let mut problem = use_signal(|| None::<String>);
    let target = crate::url::read_comment_anchor();
    let mut landed = use_signal(|| false);
    let count = comments.len();
    // A permalink opened cold: once its comment is on the page, scroll to it (once).
    use_effect(use_reactive!(|count| {
        let _ = count;
        if let Some(target) = target
            && !*landed.peek()
            && let Some(element) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(&format!("comment-{target}")))
        {
            element.scroll_into_view();
            landed.set(true);
        }
    }));
    let post = use_callback(move |()| {
        let text = writing.peek().clone();
        match checked_body(text) {
            Ok(body) => {
                engine.mutate(AddComment {
                    id: Uuid::new_v4(),
                    issue_id: issue,
                    body,
                    created_at: now(),
                });
                writing.set(String::new());
                problem.set(None);
            }
            Err(message) => problem.set(Some(message)),
        }
    });
    let no_comments = comments.is_empty();
    let thread = thread(comments, events);
    rsx! {
        section { class: "comments", aria_labelledby: "comments-heading",
            h3 { id: "comments-heading", "Activity" }
            if no_comments {
                p { class: "hint", "No comments yet." }
            }
            ol {
                for item in thread {
                    match item {
                        Item::Comment(comment) => rsx! {
                            CommentItem {
                                key: "{comment.id}",
                                targeted: target == Some(comment.id),
                                may_change: state.can_change()
                                    && (state.is_owner() || state.me() == Some(comment.author)),
                                comment: comment.clone(),
                                reactions: reactions.clone(),
                            }
                        },
                        Item::Event(event) => rsx! {
                            HistoryItem {
                                key: "{event.at}-{event.member_id}-{event.kind.as_str()}-{event.value}",
                                event: event.clone(),
                            }
                        },
                    }
                }
            }
            if state.can_change() {
                MarkdownField {
                    label: "Add a comment",
                    value: writing(),
                    rows: 3,
                    max_chars: CommentBody::MAX_CHARS,
                    on_input: move |text| {
                        writing.set(text);
                        problem.set(None);
                    },
                    on_submit: move |()| post(()),
                }
                if let Some(message) = problem() {
                    p { class: "error", role: "alert", "{message}" }
                }
                div { class: "actions",
                    span { class: "hint", "Ctrl+Enter to comment" }
                    button { class: "primary", onclick: move |_| post(()), "Comment" }
                }
            } else {
                p { class: "hint", "Comments cannot be added from here: this browser is no longer signed in to the workspace." }
            }
        }
    }
}

/// One line of the thread.
enum Item {
    Comment(Comment),
    Event(IssueEvent),
}

/// The comments and the history in time order (an event before a comment made at the same moment).
fn thread(comments: Vec<Comment>, events: Vec<IssueEvent>) -> Vec<Item> {
    let mut items: Vec<(u64, u8, Item)> = events
        .into_iter()
        .map(|e| (e.at, 0, Item::Event(e)))
        .chain(
            comments
                .into_iter()
                .map(|c| (c.created_at, 1, Item::Comment(c))),
        )
        .collect();
    items.sort_by_key(|(at, order, _)| (*at, *order));
    // The same person setting the same value again (a repeated pick, two tabs at once) reads once.
    let mut thread: Vec<Item> = Vec::with_capacity(items.len());
    for (_, _, item) in items {
        if let (Item::Event(event), Some(Item::Event(last))) = (&item, thread.last())
            && (event.member_id, event.kind, &event.value)
                == (last.member_id, last.kind, &last.value)
        {
            continue;
        }
        thread.push(item);
    }
    thread
}

#[component]
fn CommentItem(
    comment: Comment,
    targeted: bool,
    may_change: bool,
    reactions: Vec<Reaction>,
) -> Element {
    let state = use_context::<AppState>();
    let engine = use_context::<EngineLink>();
    let mut editing = use_signal(|| None::<String>);
    let mut problem = use_signal(|| None::<String>);
    let id = comment.id;
    let issue = comment.issue_id;
    let author = state.name_of(Some(comment.author));

    let edit_engine = engine.clone();
    let task_engine = engine.clone();
    let save = use_callback(move |()| {
        let Some(text) = editing.peek().clone() else {
            return;
        };
        match checked_body(text) {
            Ok(body) => {
                edit_engine.mutate(EditComment {
                    id,
                    issue_id: issue,
                    body,
                    edited_at: now(),
                });
                editing.set(None);
            }
            Err(message) => problem.set(Some(message)),
        }
    });
    rsx! {
        li {
            id: "comment-{id}",
            class: if targeted { "comment target" } else { "comment" },
            aria_current: if targeted { "location" } else { "false" },
            aria_label: "Comment by {author}",
            div { class: "byline",
                Avatar { member: comment.author, name: author.clone(), label: String::new() }
                strong { "{author}" }
                a { href: "#comment-{id}", class: "permalink",
                    Ago { millis: comment.created_at, prefix: "Commented" }
                }
                if comment.edited_at.is_some() {
                    span { class: "hint", "edited" }
                }
            }
            if let Some(text) = editing() {
                MarkdownField {
                    label: "Edit comment",
                    value: text,
                    rows: 3,
                    max_chars: CommentBody::MAX_CHARS,
                    on_input: move |text| {
                        editing.set(Some(text));
                        problem.set(None);
                    },
                    on_submit: move |()| save(()),
                }
                if let Some(message) = problem() {
                    p { class: "error", role: "alert", "{message}" }
                }
                div { class: "actions",
                    button { onclick: move |_| editing.set(None), "Cancel" }
                    button { class: "primary", onclick: move |_| save(()), "Save comment" }
                }
            } else {
                div { class: "body",
                    Markdown {
                        source: comment.body.clone(),
                        on_edit: may_change.then_some(EventHandler::new(move |text: String| {
                            if let Ok(body) = CommentBody::try_from(text) {
                                task_engine.mutate(EditComment { id, issue_id: issue, body, edited_at: now() });
                            }
                        })),
                    }
                }
                Reactions { issue, comment: Some(id), all: reactions, can_react: state.can_change() }
                if may_change {
                    div { class: "actions",
                        button {
                            class: "link",
                            onclick: move |_| editing.set(Some(comment.body.clone())),
                            "Edit comment"
                        }
                        button {
                            class: "link danger",
                            onclick: move |_| engine.mutate(DeleteComment { id, issue_id: issue }),
                            "Delete comment"
                        }
                    }
                }
            }
        }
    }
}

/// A comment's text by every rule its mutation applies (the engine would refuse the rest, after the
/// field was cleared): what is wrong is said beside the field, and the text stays.
fn checked_body(text: String) -> Result<CommentBody, String> {
    check_no_control_characters("body", &text)?;
    CommentBody::try_from(text)
}
