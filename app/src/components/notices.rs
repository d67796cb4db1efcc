//! Messages for the user: changes the server rejected (their effects are already undone) and changes
//! that could not be saved.

use dioxus::prelude::*;

use crate::state::AppState;

#[component]
pub fn Notices() -> Element {
    let mut state = use_context::<AppState>();
    let notices = state.notices.read().clone();
    rsx! {
        div { class: "notices",
            super::undo_toast::UndoToast {}
            for notice in notices {
                div { key: "{notice.id}", class: "notice", role: "alert",
                    span { "{notice.text}" }
                    button {
                        aria_label: "Dismiss",
                        onclick: move |_| state.notices.write().retain(|n| n.id != notice.id),
                        "×"
                    }
                }
            }
        }
    }
}
