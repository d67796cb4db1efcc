//! Creating and editing an issue. Enter in the title moves to the description, Ctrl/Cmd+Enter saves,
//! Esc closes. Editing also changes the status and deletes, after a confirmation.

use dioxus::prelude::*;
use shared::issue::Issue;
use shared::mutations::fields::{Description, Owner, Status, Title};
use shared::mutations::{CreateIssue, DeleteIssue, UpdateIssue, UpdateIssueStatus};
use uuid::Uuid;

use super::status_name;
use crate::engine_link::EngineLink;
use crate::state::{AppState, DialogState, now};

#[component]
pub fn Dialog() -> Element {
    let mut state = use_context::<AppState>();
    let dialog = *state.dialog.read();
    match dialog {
        DialogState::Closed => rsx! {},
        DialogState::New => {
            let key = "new";
            rsx! { IssueForm { key: "{key}", editing: None } }
        }
        DialogState::Edit(id) => {
            let issue = state.issue(id);
            match issue {
                Some(issue) => rsx! { IssueForm { key: "{id}", editing: Some(issue) } },
                None => rsx! {
                    div { class: "backdrop",
                        div { class: "dialog", role: "dialog", aria_label: "Issue gone",
                            p { "This issue was deleted." }
                            button { onclick: move |_| state.dialog.set(DialogState::Closed), "Close" }
                        }
                    }
                },
            }
        }
    }
}

#[component]
fn IssueForm(editing: Option<Issue>) -> Element {
    let mut state = use_context::<AppState>();
    let engine = use_context::<EngineLink>();
    let original = editing.clone();
    let mut title = use_signal(|| {
        editing
            .as_ref()
            .map(|i| i.title.clone())
            .unwrap_or_default()
    });
    let mut description = use_signal(|| {
        editing
            .as_ref()
            .map(|i| i.description.clone())
            .unwrap_or_default()
    });
    let mut status = use_signal(|| editing.as_ref().map_or(Status::NotStarted, |i| i.status));
    let mut error = use_signal(|| None::<String>);
    let mut confirming = use_signal(|| false);
    let mut description_field = use_signal(|| None::<MountedEvent>);

    let mut close = move || state.dialog.set(DialogState::Closed);
    let save_engine = engine.clone();
    let save = use_callback(move |()| {
        // The same types the mutation parses: a rule broken is said next to the field.
        let checked = Title::try_from(title.peek().clone())
            .and_then(|t| Ok((t, Description::try_from(description.peek().clone())?)));
        let (title, description) = match checked {
            Ok(fields) => fields,
            Err(message) => return error.set(Some(message)),
        };
        match &original {
            None => {
                let owner = match state.owner.peek().trim() {
                    "" => "Anonymous".to_owned(),
                    name => name.to_owned(),
                };
                let owner = match Owner::try_from(owner) {
                    Ok(owner) => owner,
                    Err(message) => return error.set(Some(format!("Your name: {message}"))),
                };
                let id = Uuid::new_v4();
                save_engine.mutate(CreateIssue {
                    id,
                    title,
                    description,
                    owner,
                    status: None,
                    created_at: now(),
                });
                state.selected.set(Some(id));
            }
            Some(issue) => {
                // Only what this person changed, so a concurrent edit of another field survives.
                let title = (issue.title != title.as_str()).then_some(title);
                let description =
                    (issue.description != description.as_str()).then_some(description);
                if title.is_some() || description.is_some() {
                    save_engine.mutate(UpdateIssue {
                        id: issue.id,
                        title,
                        description,
                        owner: None,
                        updated_at: now(),
                    });
                }
                let status = *status.peek();
                if issue.status != status {
                    save_engine.mutate(UpdateIssueStatus {
                        id: issue.id,
                        status,
                        updated_at: now(),
                    });
                }
            }
        }
        state.dialog.set(DialogState::Closed);
    });
    let delete_id = editing.as_ref().map(|i| i.id);
    let heading = if editing.is_some() {
        "Edit issue"
    } else {
        "New issue"
    };

    rsx! {
        div { class: "backdrop", onclick: move |_| close(),
            div {
                class: "dialog",
                role: "dialog",
                aria_modal: "true",
                aria_labelledby: "dialog-heading",
                onclick: move |evt| evt.stop_propagation(),
                onkeydown: move |evt| {
                    let modifiers = evt.modifiers();
                    match evt.key() {
                        Key::Escape => close(),
                        Key::Enter if modifiers.ctrl() || modifiers.meta() => {
                            evt.prevent_default();
                            save(());
                        }
                        _ => {}
                    }
                },
                h2 { id: "dialog-heading", "{heading}" }
                label {
                    "Title"
                    input {
                        value: "{title}",
                        maxlength: crate::max_input_length(Title::MAX_CHARS),
                        onmounted: move |evt| async move {
                            let _ = evt.set_focus(true).await;
                        },
                        oninput: move |evt| {
                            title.set(evt.value());
                            error.set(None);
                        },
                        onkeydown: move |evt| {
                            let modifiers = evt.modifiers();
                            if evt.key() == Key::Enter && !modifiers.ctrl() && !modifiers.meta() {
                                evt.prevent_default();
                                if let Some(field) = description_field.peek().clone() {
                                    spawn(async move {
                                        let _ = field.set_focus(true).await;
                                    });
                                }
                            }
                        },
                    }
                }
                label {
                    "Description"
                    textarea {
                        value: "{description}",
                        rows: 6,
                        maxlength: crate::max_input_length(Description::MAX_CHARS),
                        onmounted: move |evt| description_field.set(Some(evt)),
                        oninput: move |evt| description.set(evt.value()),
                    }
                }
                if editing.is_some() {
                    label {
                        "Status"
                        select {
                            value: "{status().as_str()}",
                            onchange: move |evt| {
                                if let Some(s) = Status::parse(&evt.value()) {
                                    status.set(s);
                                }
                            },
                            for s in Status::ALL {
                                option { key: "{s.as_str()}", value: "{s.as_str()}", selected: status() == s, "{status_name(s)}" }
                            }
                        }
                    }
                }
                if let Some(message) = error() {
                    p { class: "error", role: "alert", "{message}" }
                }
                if confirming() {
                    div { class: "confirm", role: "alertdialog", aria_label: "Delete this issue?",
                        p { "Delete this issue? This cannot be undone." }
                        button {
                            class: "danger",
                            onclick: move |_| {
                                if let Some(id) = delete_id {
                                    engine.mutate(DeleteIssue { id });
                                }
                                state.selected.set(None);
                                close();
                            },
                            "Delete issue"
                        }
                        button {
                            // Focus moves into the question, so Esc and Tab still work here.
                            onmounted: move |evt| async move {
                                let _ = evt.set_focus(true).await;
                            },
                            onclick: move |_| confirming.set(false),
                            "Keep it"
                        }
                    }
                } else {
                    div { class: "actions",
                        if editing.is_some() {
                            button { class: "danger", onclick: move |_| confirming.set(true), "Delete" }
                        }
                        span { class: "hint", "Ctrl+Enter to save · Esc to close" }
                        button { onclick: move |_| close(), "Cancel" }
                        button { class: "primary", onclick: move |_| save(()), "Save" }
                    }
                }
            }
        }
    }
}
