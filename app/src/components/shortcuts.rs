//! The keyboard shortcuts sheet, opened with `?` from anywhere a shortcut works: every key the page
//! answers (`keyboard.rs`), and this build's version.

use dioxus::prelude::*;

use super::dialog::Modal;
use crate::state::{AppState, DialogState};

/// Each shortcut: its keys (two spaces between keys; `or` between alternatives), and what it does.
const SHORTCUTS: &[(&str, &str)] = &[
    (
        "Ctrl+K  or  ⌘K",
        "Command palette: go to an issue, run any action",
    ),
    ("c", "New issue"),
    (
        "Ctrl+Z  or  ⌘Z",
        "Undo your last change in this tab (Shift to redo)",
    ),
    ("/", "Search"),
    ("↑ ↓  or  k j", "Move the selection through the list"),
    ("Page Up  Page Down", "Move a screen at a time"),
    ("Home  End", "First and last issue"),
    ("Enter", "Edit the selected issue"),
    ("o", "Open the selected issue's page"),
    ("a", "Assign the selected or open issue to me"),
    ("j k", "On an issue's page: next and previous issue"),
    ("x", "Pick the selected issue, to change many at once"),
    (
        "Shift+x",
        "Pick every issue from the last one picked to the selected",
    ),
    (
        "Esc",
        "Back to the list; close a dialog; let go of picked issues",
    ),
    ("?", "This sheet"),
];

#[component]
pub fn ShortcutsDialog() -> Element {
    let mut state = use_context::<AppState>();
    rsx! {
        Modal { class: "shortcuts", labelled_by: "shortcuts-heading",
            h2 { id: "shortcuts-heading", "Keyboard shortcuts" }
            p { class: "hint", "They work wherever you are not typing; Ctrl+K works everywhere." }
            dl { class: "keys", aria_label: "Shortcuts",
                for (keys, what) in SHORTCUTS.iter() {
                    div { key: "{keys}",
                        dt {
                            for key in keys.split("  ") {
                                if key == "or" { span { "or" } } else { kbd { "{key}" } }
                            }
                        }
                        dd { "{what}" }
                    }
                }
            }
            p { class: "hint version", "Tracker {crate::VERSION}" }
            div { class: "actions",
                button {
                    onmounted: move |evt| async move {
                        let _ = evt.set_focus(true).await;
                    },
                    onclick: move |_| state.dialog.set(DialogState::Closed),
                    "Close"
                }
            }
        }
    }
}
