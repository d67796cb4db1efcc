//! The toast after each change made here: "Status → Done · Undo" (or, after an undo, "Redo"), for a
//! few seconds; the same as Ctrl/Cmd+Z (see `crate::undo`).

use dioxus::prelude::*;
use gloo_timers::future::TimeoutFuture;

use crate::engine_link::EngineLink;
use crate::state::AppState;

/// How long a toast stays.
const SHOWN_MS: u32 = 8_000;

#[component]
pub fn UndoToast() -> Element {
    let mut state = use_context::<AppState>();
    let engine = use_context::<EngineLink>();
    let toast = state.undo.read().toast.clone();
    let shown = toast.as_ref().map(|toast| toast.id);
    // Each new toast hides itself after a while, unless a newer one replaced it.
    use_effect(use_reactive!(|shown| {
        if let Some(id) = shown {
            spawn(async move {
                TimeoutFuture::new(SHOWN_MS).await;
                let mut history = state.undo.write();
                if history.toast.as_ref().is_some_and(|toast| toast.id == id) {
                    history.toast = None;
                }
            });
        }
    }));
    let Some(toast) = toast else {
        return rsx! {};
    };
    let can = if toast.redo {
        state.undo.read().can_redo()
    } else {
        state.undo.read().can_undo()
    };
    rsx! {
        div { class: "notice toast", role: "status",
            span { "{toast.text}" }
            if can && state.can_change() {
                button {
                    class: "link",
                    aria_keyshortcuts: if toast.redo { "Control+Shift+Z Meta+Shift+Z" } else { "Control+Z Meta+Z" },
                    onclick: move |_| if toast.redo { engine.redo() } else { engine.undo() },
                    if toast.redo { "Redo" } else { "Undo" }
                }
            }
            button {
                aria_label: "Dismiss",
                onclick: move |_| state.undo.write().toast = None,
                "×"
            }
        }
    }
}
