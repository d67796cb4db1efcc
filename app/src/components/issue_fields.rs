//! The fields schema version 2 added, as the dialog and the issue page show them: priority and
//! assignee pickers, and labels as coloured chips with a picker that adds, removes and creates.

use dioxus::prelude::*;
use shared::label::Label;
use shared::mutations::CreateLabel;
use shared::mutations::fields::{Color, LabelName, Priority, check_no_control_characters};
use uuid::Uuid;

use super::priority_name;
use crate::engine_link::EngineLink;
use crate::state::{AppState, now};

use shared::label::PALETTE;

#[component]
pub fn PrioritySelect(value: Priority, on_change: EventHandler<Priority>) -> Element {
    rsx! {
        label { class: "field",
            "Priority"
            select {
                value: "{value.as_str()}",
                onchange: move |evt| {
                    if let Some(priority) = Priority::parse(&evt.value()) {
                        on_change.call(priority);
                    }
                },
                for p in Priority::ALL.iter().rev() {
                    option { key: "{p.as_str()}", value: "{p.as_str()}", selected: value == *p, "{priority_name(*p)}" }
                }
            }
        }
    }
}

#[component]
pub fn AssigneeSelect(value: Option<Uuid>, on_change: EventHandler<Option<Uuid>>) -> Element {
    let state = use_context::<AppState>();
    // Someone who left stays shown while they are the assignee.
    let people = state.people(value);
    let chosen = value.map(|id| id.to_string()).unwrap_or_default();
    rsx! {
        label { class: "field",
            "Assignee"
            select {
                value: "{chosen}",
                onchange: move |evt| on_change.call(Uuid::parse_str(&evt.value()).ok()),
                option { value: "", selected: value.is_none(), "No one" }
                for (id, name) in people {
                    option { key: "{id}", value: "{id}", selected: value == Some(id), "{name}" }
                }
            }
        }
    }
}

/// A label as a chip: its colour as a dot, its name as text.
#[component]
pub fn LabelChip(label: Label) -> Element {
    rsx! {
        span { class: "label-chip",
            svg {
                class: "dot",
                view_box: "0 0 10 10",
                "aria-hidden": "true",
                circle { cx: "5", cy: "5", r: "5", fill: "{label.color}" }
            }
            "{label.name}"
        }
    }
}

/// The labels chosen (chips with a remove button each), a picker of the workspace's other labels,
/// and a field that creates a label and adds it.
#[component]
pub fn LabelPicker(
    chosen: Vec<Uuid>,
    on_add: EventHandler<Uuid>,
    on_remove: EventHandler<Uuid>,
) -> Element {
    let state = use_context::<AppState>();
    let engine = use_context::<EngineLink>();
    let mut naming = use_signal(String::new);
    let mut problem = use_signal(|| None::<String>);
    let all = state.view.read().labels.clone();
    let on: Vec<Label> = all
        .iter()
        .filter(|l| chosen.contains(&l.id))
        .cloned()
        .collect();
    let off: Vec<Label> = all
        .iter()
        .filter(|l| !chosen.contains(&l.id))
        .cloned()
        .collect();
    let count = all.len();
    let create = use_callback(move |()| {
        let name = naming.peek().trim().to_owned();
        if name.is_empty() {
            return;
        }
        if state
            .view
            .peek()
            .labels
            .iter()
            .any(|l| l.name.to_lowercase() == name.to_lowercase())
        {
            problem.set(Some("another label already has this name".to_owned()));
            return;
        }
        if let Err(message) = check_no_control_characters("name", &name) {
            problem.set(Some(message));
            return;
        }
        let name = match LabelName::try_from(name) {
            Ok(name) => name,
            Err(message) => {
                problem.set(Some(message));
                return;
            }
        };
        let Ok(color) = Color::try_from(PALETTE[count % PALETTE.len()].to_owned()) else {
            return;
        };
        let id = Uuid::new_v4();
        engine.mutate(CreateLabel {
            id,
            name,
            color,
            created_at: now(),
        });
        on_add.call(id);
        naming.set(String::new());
        problem.set(None);
    });
    rsx! {
        fieldset { class: "labels",
            legend { "Labels" }
            ul { class: "chips", aria_label: "Labels on this issue",
                for label in on {
                    li { key: "{label.id}",
                        LabelChip { label: label.clone() }
                        button {
                            class: "remove",
                            aria_label: "Remove label {label.name}",
                            onclick: move |_| on_remove.call(label.id),
                            "×"
                        }
                    }
                }
            }
            if !off.is_empty() {
                label { class: "field",
                    "Add label"
                    select {
                        value: "",
                        onchange: move |evt| {
                            if let Ok(id) = Uuid::parse_str(&evt.value()) {
                                on_add.call(id);
                            }
                        },
                        option { value: "", "Choose a label…" }
                        for label in off {
                            option { key: "{label.id}", value: "{label.id}", "{label.name}" }
                        }
                    }
                }
            }
            div { class: "new-label",
                label { class: "field",
                    "New label"
                    input {
                        value: "{naming}",
                        maxlength: crate::max_input_length(LabelName::MAX_CHARS),
                        oninput: move |evt| {
                            naming.set(evt.value());
                            problem.set(None);
                        },
                        onkeydown: move |evt| {
                            if evt.key() == Key::Enter {
                                evt.prevent_default();
                                evt.stop_propagation();
                                create(());
                            }
                        },
                    }
                }
                button { onclick: move |_| create(()), "Create label" }
            }
            if let Some(message) = problem() {
                p { class: "error", role: "alert", "{message}" }
            }
        }
    }
}
