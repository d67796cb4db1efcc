//! The dialog that is open, if any: the form for a new issue or for editing one (`issue_form.rs`),
//! word that the issue being edited was deleted meanwhile, the members (`members.rs`), the account
//! (`account.rs`), the sync
//! inspector (`inspector.rs`), the keyboard shortcuts (`shortcuts.rs`) or the command palette
//! (`palette.rs`); and [`Modal`], the frame
//! the last three share.

use dioxus::prelude::*;

use super::account::AccountDialog;
use super::inspector::InspectorDialog;
use super::issue_form::IssueForm;
use super::members::MembersDialog;
use super::palette::Palette;
use super::shortcuts::ShortcutsDialog;
use crate::state::{AppState, DialogState};

#[component]
pub fn Dialog() -> Element {
    let mut state = use_context::<AppState>();
    let dialog = *state.dialog.read();
    match dialog {
        DialogState::Closed => rsx! {},
        DialogState::Members => rsx! { MembersDialog {} },
        DialogState::Account => rsx! { AccountDialog {} },
        DialogState::Inspector => rsx! { InspectorDialog {} },
        DialogState::Shortcuts => rsx! { ShortcutsDialog {} },
        DialogState::Palette => rsx! { Palette {} },
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

/// A modal dialog named by its heading (the element with id `labelled_by`): a click beside it or
/// Esc closes it.
#[component]
pub fn Modal(class: String, labelled_by: String, children: Element) -> Element {
    let mut state = use_context::<AppState>();
    rsx! {
        div { class: "backdrop", onclick: move |_| state.dialog.set(DialogState::Closed),
            div {
                class: "dialog {class}",
                role: "dialog",
                aria_modal: "true",
                aria_labelledby: "{labelled_by}",
                onclick: move |evt| evt.stop_propagation(),
                onkeydown: move |evt| {
                    if evt.key() == Key::Escape {
                        state.dialog.set(DialogState::Closed);
                    }
                },
                {children}
            }
        }
    }
}
