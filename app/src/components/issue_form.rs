//! The form that creates or edits an issue. Every keystroke is kept as a draft (`crate::drafts`):
//! clicking beside the dialog closes it and keeps the draft, and reopening restores it and says so.
//! Esc or Cancel with changes asks first (Esc again discards). Save checks every field by the
//! mutation's own rules and says what is wrong next to the field, keeping the dialog open, and
//! sends only the fields the person changed. Enter in the title moves to the description,
//! Ctrl/Cmd+Enter saves. Priority, assignee and labels are set here too (a label can be made here);
//! editing also changes the status and deletes, after a confirmation.

use dioxus::prelude::*;
use shared::Mutation;
use shared::issue::Issue;
use shared::mutations::fields::{Description, Owner, Status, Title, check_no_control_characters};
use shared::mutations::{
    AddIssueLabel, AssignIssue, CreateIssue, DeleteIssue, RemoveIssueLabel, SetIssuePriority,
    UpdateIssue, UpdateIssueStatus,
};
use uuid::Uuid;

use super::issue_fields::{AssigneeSelect, LabelPicker, PrioritySelect};
use super::markdown_field::MarkdownField;
use super::question::Question;
use super::{priority_name, status_name};
use crate::drafts::{self, Draft, DraftKey, Fields};
use crate::engine_link::EngineLink;
use crate::state::{AppState, DialogState, now};

/// A question the form is asking instead of its buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Asking {
    Nothing,
    Discard,
    Delete,
}

/// What is wrong, field by field, after a save was tried.
#[derive(Debug, Clone, Default, PartialEq)]
struct Problems {
    title: Option<String>,
    description: Option<String>,
    other: Option<String>,
}

#[component]
pub fn IssueForm(editing: Option<Issue>) -> Element {
    let mut state = use_context::<AppState>();
    let engine = use_context::<EngineLink>();
    let key = editing
        .as_ref()
        .map_or(DraftKey::New, |issue| DraftKey::Issue(issue.id));
    // Read once, when the dialog opens: a kept draft, and what the edit started from.
    let restored = use_hook(|| drafts::load(key));
    let base = use_signal(|| match (&restored, &editing) {
        (Some(draft), _) => draft.base.clone(),
        (None, Some(issue)) => Fields::of(issue, &state.label_ids_of(issue.id)),
        (None, None) => Fields::empty(),
    });
    let mut fields = use_signal(|| {
        restored
            .as_ref()
            .map_or_else(|| base.peek().clone(), |d| d.fields.clone())
    });
    let mut was_restored = use_signal(|| restored.is_some());
    let mut problems = use_signal(Problems::default);
    let mut asking = use_signal(|| Asking::Nothing);
    let mut description_field = use_signal(|| None::<MountedEvent>);

    // Every change is kept at once; the list marks the issues that have one.
    use_effect(move || {
        let draft = Draft {
            fields: fields.read().clone(),
            base: base.read().clone(),
        };
        drafts::save(key, &draft);
        if let DraftKey::Issue(id) = key {
            let changed = draft.fields != draft.base;
            if changed != state.drafts.peek().contains(&id) {
                let mut marks = state.drafts.write();
                if changed {
                    marks.insert(id);
                } else {
                    marks.remove(&id);
                }
            }
        }
    });

    let changed = fields.read().clone() != *base.read();
    let mut close = move || state.dialog.set(DialogState::Closed);
    let mut discard = move || {
        drafts::clear(key);
        if let DraftKey::Issue(id) = key {
            state.drafts.write().remove(&id);
        }
        close();
    };
    // Esc and Cancel: with changes, ask; asked already (Esc twice), discard.
    let mut leave = move || {
        let asked = *asking.peek() == Asking::Discard;
        match (changed, asked) {
            (false, _) => close(),
            (true, true) => discard(),
            (true, false) => asking.set(Asking::Discard),
        }
    };
    let editing_id = editing.as_ref().map(|issue| issue.id);
    let save_engine = engine.clone();
    let save = use_callback(move |()| {
        match submit(
            &save_engine,
            state,
            editing_id,
            &fields.peek(),
            &base.peek(),
        ) {
            Ok(()) => discard(),
            Err(found) => problems.set(found),
        }
    });
    // For an edit: what changed on the server since the person began.
    let now_on_server = editing_id
        .and_then(|id| state.issue(id))
        .map(|issue| Fields::of(&issue, &state.label_ids_of(issue.id)));
    let moved_on = now_on_server.filter(|current| *current != *base.read());
    let heading = if editing.is_some() {
        "Edit issue"
    } else {
        "New issue"
    };
    let current = fields.read().clone();
    let found = problems.read().clone();

    rsx! {
        // A click beside the dialog closes it; the draft stays.
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
                        Key::Escape => leave(),
                        Key::Enter if modifiers.ctrl() || modifiers.meta() => {
                            evt.prevent_default();
                            save(());
                        }
                        _ => {}
                    }
                },
                h2 { id: "dialog-heading", "{heading}" }
                if was_restored() {
                    p { class: "draft-note", role: "note",
                        "Draft restored"
                        button {
                            class: "link",
                            onclick: move |_| {
                                fields.set(base.peek().clone());
                                was_restored.set(false);
                            },
                            "Discard draft"
                        }
                    }
                }
                label {
                    "Title"
                    input {
                        value: "{current.title}",
                        maxlength: crate::max_input_length(Title::MAX_CHARS),
                        aria_invalid: found.title.is_some(),
                        onmounted: move |evt| async move {
                            let _ = evt.set_focus(true).await;
                        },
                        oninput: move |evt| {
                            fields.write().title = evt.value();
                            problems.write().title = None;
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
                if let Some(message) = &found.title {
                    p { class: "error", role: "alert", "{message}" }
                }
                MarkdownField {
                    label: "Description",
                    value: current.description.clone(),
                    rows: 6,
                    max_chars: Description::MAX_CHARS,
                    invalid: found.description.is_some(),
                    on_mounted: move |evt| description_field.set(Some(evt)),
                    on_input: move |text| {
                        fields.write().description = text;
                        problems.write().description = None;
                    },
                }
                if let Some(message) = &found.description {
                    p { class: "error", role: "alert", "{message}" }
                }
                div { class: "pair",
                    PrioritySelect {
                        value: current.priority,
                        on_change: move |priority| fields.write().priority = priority,
                    }
                    AssigneeSelect {
                        value: current.assignee,
                        on_change: move |assignee| fields.write().assignee = assignee,
                    }
                }
                LabelPicker {
                    chosen: current.labels.clone(),
                    on_add: move |id| {
                        let mut fields = fields.write();
                        if !fields.labels.contains(&id) {
                            fields.labels.push(id);
                            fields.labels.sort();
                        }
                    },
                    on_remove: move |id| fields.write().labels.retain(|label| *label != id),
                }
                if editing.is_some() {
                    label {
                        "Status"
                        select {
                            value: "{current.status.as_str()}",
                            onchange: move |evt| {
                                if let Some(status) = Status::parse(&evt.value()) {
                                    fields.write().status = status;
                                }
                            },
                            for s in Status::ALL {
                                option { key: "{s.as_str()}", value: "{s.as_str()}", selected: current.status == s, "{status_name(s)}" }
                            }
                        }
                    }
                }
                if let Some(now) = moved_on {
                    ChangedMeanwhile { base: base.read().clone(), now }
                }
                if let Some(message) = &found.other {
                    p { class: "error", role: "alert", "{message}" }
                }
                match asking() {
                    Asking::Delete => rsx! {
                        Question {
                            label: "Delete this issue?",
                            text: "Move this issue to the trash? Any member can restore it for 30 days, with its comments and history.",
                            act: "Delete issue",
                            on_act: move |()| {
                                if let Some(id) = editing_id {
                                    engine.mutate(DeleteIssue { id, deleted_at: Some(now()) });
                                }
                                state.selected.set(None);
                                discard();
                            },
                            keep: "Keep it",
                            on_keep: move |()| asking.set(Asking::Nothing),
                        }
                    },
                    Asking::Discard => rsx! {
                        Question {
                            label: "Discard your changes?",
                            text: "Discard your changes? Esc again discards them.",
                            act: "Discard",
                            on_act: move |()| discard(),
                            keep: "Keep editing",
                            on_keep: move |()| asking.set(Asking::Nothing),
                        }
                    },
                    Asking::Nothing => rsx! {
                        div { class: "actions",
                            if editing.is_some() {
                                button { class: "danger", onclick: move |_| asking.set(Asking::Delete), "Delete" }
                            }
                            span { class: "hint", "Ctrl+Enter to save · Esc to close" }
                            button { onclick: move |_| leave(), "Cancel" }
                            button { class: "primary", onclick: move |_| save(()), "Save" }
                        }
                    },
                }
            }
        }
    }
}

/// What changed on the server since an edit began, beside the person's own version.
#[component]
fn ChangedMeanwhile(base: Fields, now: Fields) -> Element {
    rsx! {
        div { class: "changed", role: "note", aria_label: "Changed meanwhile",
            p { "Changed by someone else since you began:" }
            if now.title != base.title {
                p { "Title now: " q { "{now.title}" } }
            }
            if now.description != base.description {
                p { "Description now:" }
                blockquote { "{now.description}" }
            }
            if now.status != base.status {
                p { "Status now: {status_name(now.status)}" }
            }
            if now.priority != base.priority {
                p { "Priority now: {priority_name(now.priority)}" }
            }
            if now.assignee != base.assignee {
                p { "Assignee changed" }
            }
            if now.labels != base.labels {
                p { "Labels changed" }
            }
        }
    }
}

/// Checks the fields by the rules their mutation applies, then sends what the person changed: the
/// new issue (every field checked), or for an edit only the fields that differ from where the edit
/// began (only those checked, so an issue stored under older rules can still have its other
/// fields edited).
fn submit(
    engine: &EngineLink,
    mut state: AppState,
    editing: Option<Uuid>,
    fields: &Fields,
    base: &Fields,
) -> Result<(), Problems> {
    let changed_title = editing.is_none() || fields.title.trim() != base.title;
    let changed_description = editing.is_none() || fields.description != base.description;
    let title = changed_title
        .then(|| {
            check_no_control_characters("title", &fields.title)?;
            Title::try_from(fields.title.clone())
        })
        .transpose();
    let description = changed_description
        .then(|| {
            check_no_control_characters("description", &fields.description)?;
            Description::try_from(fields.description.clone())
        })
        .transpose();
    let (title, description) = match (title, description) {
        (Ok(title), Ok(description)) => (title, description),
        (title, description) => {
            return Err(Problems {
                title: title.err(),
                description: description.err(),
                other: None,
            });
        }
    };
    let Some(id) = editing else {
        let (Some(title), Some(description)) = (title, description) else {
            return Err(Problems::default());
        };
        let owner = match state.owner.peek().trim() {
            "" => "Anonymous".to_owned(),
            name => name.to_owned(),
        };
        let owner = Owner::try_from(owner).map_err(|message| Problems {
            other: Some(format!("Your name: {message}")),
            ..Problems::default()
        })?;
        let id = Uuid::new_v4();
        // The issue and what the dialog set on it: one change, one push, one step to undo.
        let mut made: Vec<Mutation> = vec![
            CreateIssue {
                id,
                title,
                description,
                owner,
                status: None,
                created_at: now(),
                number: None,
            }
            .into(),
        ];
        made.extend(changes(id, fields, &Fields::empty()));
        engine.mutate_all(made);
        state.selected.set(Some(id));
        return Ok(());
    };
    let mut made: Vec<Mutation> = Vec::new();
    if title.is_some() || description.is_some() {
        made.push(
            UpdateIssue {
                id,
                title,
                description,
                owner: None,
                updated_at: now(),
            }
            .into(),
        );
    }
    if fields.status != base.status {
        made.push(
            UpdateIssueStatus {
                id,
                status: fields.status,
                updated_at: now(),
            }
            .into(),
        );
    }
    made.extend(changes(id, fields, base));
    engine.mutate_all(made);
    Ok(())
}

/// What changed of the fields schema version 2 added, each as its own mutation.
fn changes(id: Uuid, fields: &Fields, base: &Fields) -> Vec<Mutation> {
    let mut changes: Vec<Mutation> = Vec::new();
    if fields.priority != base.priority {
        changes.push(
            SetIssuePriority {
                id,
                priority: fields.priority,
                updated_at: now(),
            }
            .into(),
        );
    }
    if fields.assignee != base.assignee {
        changes.push(
            AssignIssue {
                id,
                assignee: fields.assignee,
                updated_at: now(),
            }
            .into(),
        );
    }
    for label in fields.labels.iter().filter(|l| !base.labels.contains(l)) {
        changes.push(
            AddIssueLabel {
                issue_id: id,
                label_id: *label,
                updated_at: now(),
            }
            .into(),
        );
    }
    for label in base.labels.iter().filter(|l| !fields.labels.contains(l)) {
        changes.push(
            RemoveIssueLabel {
                issue_id: id,
                label_id: *label,
                updated_at: now(),
            }
            .into(),
        );
    }
    changes
}
