//! An issue's own page (`/w/<workspace>/issue/<id>`): shareable, and it opens offline and on reload
//! from the replica like the list. Status, priority, assignee and labels change at once; the title
//! and description in the dialog (Edit); the discussion below. `j`/`k` go to the next and previous
//! issue of the list, Esc back to it (see `crate::keyboard`).

use dioxus::prelude::*;
use shared::mutations::fields::{Description, Millis, Status};
use shared::mutations::{
    AddIssueLabel, AssignIssue, MarkInboxRead, RemoveIssueLabel, RestoreIssue, SetIssuePriority,
    SetSubscription, UpdateIssue, UpdateIssueStatus,
};
use uuid::Uuid;

use super::comments::Comments;
use super::icons::Ago;
use super::issue_fields::{AssigneeSelect, LabelPicker, PrioritySelect};
use super::markdown::Markdown;
use super::reactions::Reactions;
use super::status_name;
use crate::engine_link::EngineLink;
use crate::state::{AppState, DialogState, EngineStatus, now};

/// Opens `id`'s page in this tab, without reloading.
pub fn open_issue(mut state: AppState, id: Uuid) {
    let path = match state.issue_shown(id) {
        Some(issue) => crate::url::numbered_path(state.workspace, &state.issue_key(), &issue),
        None => crate::url::issue_path(state.workspace, id),
    };
    crate::url::push_path(&path);
    state.open_number.set(None);
    state.trash_open.set(false);
    state.inbox_open.set(false);
    state.selected.set(Some(id));
    state.open_issue.set(Some(id));
}

/// Back to the list, scrolled to the issue, selected.
pub fn close_issue(mut state: AppState) {
    crate::url::push_path(&crate::route::workspace_path(state.workspace));
    state.open_number.set(None);
    state.trash_open.set(false);
    state.inbox_open.set(false);
    let open = *state.open_issue.peek();
    if let Some(id) = open {
        state.window.set(shared::issue::WindowRequest {
            around: Some(id),
            ..crate::viewport::wanted()
        });
    }
    state.open_issue.set(None);
}

/// The issue `step` places after (or before) the open one in the list, if any.
pub fn neighbour(state: AppState, step: isize) -> Option<Uuid> {
    let open = (*state.open_issue.peek())?;
    let view = state.view.peek();
    let at = view.issues.iter().position(|issue| issue.id == open)?;
    let to = at.checked_add_signed(step)?;
    view.issues.get(to).map(|issue| issue.id)
}

#[component]
pub fn IssuePage(id: Uuid) -> Element {
    let state = use_context::<AppState>();
    let engine = use_context::<EngineLink>();
    let view = state.view.read();
    let open = view.open.clone().filter(|open| open.issue.id == id);
    let previous = neighbour(state, -1);
    let next = neighbour(state, 1);
    drop(view);
    // Seen here is read: activity the inbox lists as unread is marked read once the page shows it
    // (up to its time, so what comes later is news again).
    let unread_at = open.as_ref().and_then(|open| open.unread_at);
    let read_engine = engine.clone();
    use_effect(use_reactive!(|(id, unread_at)| {
        if let Some(at) = unread_at
            && state.can_change()
        {
            read_engine.mutate(MarkInboxRead {
                issue_id: Some(id),
                at: Millis::clamped(at),
            });
        }
    }));

    let nav = rsx! {
        nav { class: "issue-nav", aria_label: "Issues",
            button { onclick: move |_| close_issue(state), "← All issues" }
            button {
                disabled: previous.is_none(),
                aria_keyshortcuts: "k",
                onclick: move |_| if let Some(id) = previous { open_issue(state, id) },
                "Previous issue"
            }
            button {
                disabled: next.is_none(),
                aria_keyshortcuts: "j",
                onclick: move |_| if let Some(id) = next { open_issue(state, id) },
                "Next issue"
            }
        }
    };
    let Some(open) = open else {
        let waiting = !*state.loaded.read() && *state.engine.read() != EngineStatus::Running
            || !*state.loaded.read();
        return rsx! {
            {nav}
            section { class: "issue-page",
                if waiting {
                    p { class: "empty", "Loading…" }
                } else {
                    p { class: "empty", "This issue does not exist here: it may have been deleted." }
                }
            }
        };
    };
    let issue = open.issue;
    let reference = state.reference(&issue);
    let link = format!(
        "{}{}",
        crate::route::origin(),
        crate::url::numbered_path(state.workspace, &state.issue_key(), &issue)
    );
    let mut copied = use_signal(|| None::<Result<(), String>>);
    let trashed = issue
        .deleted_at
        .map(|at| (at, state.name_of(issue.deleted_by)));
    let restore_engine = engine.clone();
    let labels = state.label_ids_of(id);
    let creator = state.name_of(issue.created_by);
    let changer = state.name_of(issue.updated_by);
    let can_change = state.can_change();
    let [
        status_engine,
        priority_engine,
        assign_engine,
        me_engine,
        add_engine,
        remove_engine,
        task_engine,
        subscribe_engine,
    ] = std::array::from_fn(|_| engine.clone());
    let watching = open.watching;
    rsx! {
        {nav}
        article { class: "issue-page", aria_labelledby: "issue-heading",
            if let Some((at, by)) = trashed {
                div { class: "banner trashed", role: "note",
                    span {
                        "In the trash: {by} deleted it "
                        Ago { millis: at, prefix: "Deleted" }
                        " ago. It is removed for good 30 days after."
                    }
                    if can_change {
                        button {
                            onclick: move |_| restore_engine.mutate(RestoreIssue { id, restored_at: now() }),
                            "Restore"
                        }
                    }
                }
            }
            div { class: "heading",
                span { class: "issue-ref", title: "This issue's number", "{reference}" }
                h2 { id: "issue-heading", "{issue.title}" }
                button {
                    class: "link",
                    disabled: issue.number.is_none(),
                    title: if issue.number.is_none() { "The link works once the server has numbered the issue" } else { "{link}" },
                    onclick: move |_| {
                        let link = link.clone();
                        spawn(async move { copied.set(Some(crate::clipboard::write(&link).await)) });
                    },
                    match copied() {
                        Some(Ok(())) => "Link copied",
                        Some(Err(_)) => "Copy failed",
                        None => "Copy link",
                    }
                }
                if can_change {
                    button {
                        onclick: move |_| {
                            let mut state = state;
                            state.dialog.set(DialogState::Edit(id));
                        },
                        "Edit"
                    }
                }
            }
            div { class: "issue-body",
                div { class: "issue-main",
                    if issue.description.is_empty() {
                        p { class: "hint", "No description." }
                    } else {
                        div { class: "description",
                            Markdown {
                                source: issue.description.clone(),
                                on_edit: can_change.then_some(EventHandler::new(move |text: String| {
                                    if let Ok(description) = Description::try_from(text) {
                                        task_engine.mutate(UpdateIssue {
                                            id,
                                            title: None,
                                            description: Some(description),
                                            owner: None,
                                            updated_at: now(),
                                        });
                                    }
                                })),
                            }
                        }
                    }
                    Reactions { issue: id, comment: None, all: open.reactions.clone(), can_react: can_change }
                    Comments { issue: id, comments: open.comments, events: open.events, reactions: open.reactions }
                }
                aside { class: "properties", aria_label: "Properties",
                    fieldset { disabled: !can_change,
                        legend { class: "visually-hidden", "Properties" }
                        label { class: "field",
                            "Status"
                            select {
                                value: "{issue.status.as_str()}",
                                onchange: move |evt| {
                                    if let Some(status) = Status::parse(&evt.value()) {
                                        status_engine.mutate(UpdateIssueStatus { id, status, updated_at: now() });
                                    }
                                },
                                for s in Status::ALL {
                                    option { key: "{s.as_str()}", value: "{s.as_str()}", selected: issue.status == s, "{status_name(s)}" }
                                }
                            }
                        }
                        PrioritySelect {
                            value: issue.priority,
                            on_change: move |priority| {
                                priority_engine.mutate(SetIssuePriority { id, priority, updated_at: now() });
                            },
                        }
                        AssigneeSelect {
                            value: issue.assignee,
                            on_change: move |assignee| {
                                assign_engine.mutate(AssignIssue { id, assignee, updated_at: now() });
                            },
                        }
                        if let Some(me) = state.me().filter(|me| issue.assignee != Some(*me) && can_change) {
                            button {
                                class: "link",
                                aria_keyshortcuts: "a",
                                onclick: move |_| me_engine.mutate(AssignIssue { id, assignee: Some(me), updated_at: now() }),
                                "Assign to me"
                            }
                        }
                        LabelPicker {
                            chosen: labels,
                            on_add: move |label_id| add_engine.mutate(AddIssueLabel { issue_id: id, label_id, updated_at: now() }),
                            on_remove: move |label_id| remove_engine.mutate(RemoveIssueLabel { issue_id: id, label_id, updated_at: now() }),
                        }
                    }
                    div { class: "subscription",
                        button {
                            disabled: !can_change,
                            onclick: move |_| subscribe_engine.mutate(SetSubscription { issue_id: id, subscribed: !watching, at: now() }),
                            if watching { "Unsubscribe" } else { "Subscribe" }
                        }
                        span { class: "hint",
                            if watching { "Its comments and status changes reach your inbox." } else { "Only assignments and mentions reach your inbox." }
                        }
                    }
                    dl { class: "facts",
                        div {
                            dt { "Created" }
                            dd {
                                "by {creator} · "
                                Ago { millis: issue.created_at, prefix: "Created" }
                            }
                        }
                        if issue.updated_at != issue.created_at {
                            div {
                                dt { "Changed" }
                                dd {
                                    "by {changer} · "
                                    Ago { millis: issue.updated_at, prefix: "Changed" }
                                }
                            }
                        }
                        // The seed's free-text owner, when it says something the creator does not.
                        if !issue.owner.is_empty() && issue.owner != creator {
                            div {
                                dt { "Owner" }
                                dd { "{issue.owner}" }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// An issue's page asked for by number (`/issue/TRK-42`) before the engine has said which issue that
/// is: it opens as soon as the engine finds it (`crate::engine_link`).
#[component]
pub fn NumberedIssue(number: u64) -> Element {
    let state = use_context::<AppState>();
    let reference = state.issue_key().issue(number);
    let settled = *state.loaded.read() && state.view.read().fetched;
    rsx! {
        nav { class: "issue-nav", aria_label: "Issues",
            button { onclick: move |_| close_issue(state), "← All issues" }
        }
        section { class: "issue-page",
            if settled {
                p { class: "empty",
                    "There is no issue {reference} here: it may have been deleted for good, or not have reached this device yet."
                }
            } else {
                p { class: "empty", "Loading {reference}…" }
            }
        }
    }
}
