//! Shortcuts for the whole page: ArrowUp/ArrowDown (and `k`/`j`) move the selection through the
//! list, Page Up/Page Down by a screen, Home/End to its first and last row; Enter edits the selected
//! issue, `o` opens its page, `c` creates, `/` searches, `a` assigns the selected (or open) issue to
//! me, Ctrl/Cmd+Z undoes this tab's last change and Ctrl/Cmd+Shift+Z redoes it (`crate::undo`),
//! Ctrl/Cmd+K opens the command palette (`components/palette.rs`) even while typing, `x` picks the selected row for a change to many (Shift+x extends), `?` lists them all (`components/shortcuts.rs`); on an issue's page `j`/`k` go to the next and previous issue and Esc back to the list. They
//! apply when no dialog is open and focus is not in a text field.

use dioxus::prelude::*;
use futures_channel::mpsc::unbounded;
use futures_util::StreamExt;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::KeyboardEvent;

use crate::engine_link::EngineLink;
use crate::state::{AppState, DialogState};
use crate::viewport;

pub fn use_shortcuts(state: AppState) {
    let engine = use_context::<EngineLink>();
    use_hook(move || {
        let (sender, mut keys) = unbounded::<String>();
        let on_key = Closure::<dyn FnMut(KeyboardEvent)>::new(move |event: KeyboardEvent| {
            // Ctrl/Cmd+K: the command palette, from anywhere, typing or not.
            if (event.ctrl_key() || event.meta_key())
                && !event.alt_key()
                && event.key().eq_ignore_ascii_case("k")
            {
                event.prevent_default();
                let _ = sender.unbounded_send(PALETTE.to_owned());
                return;
            }
            // Ctrl/Cmd+Z undoes this tab's last change, with Shift (or Ctrl+Y) redoes it; in a
            // text field they are the field's own.
            if (event.ctrl_key() || event.meta_key()) && !event.alt_key() && !typing(&event) {
                let key = event.key().to_ascii_lowercase();
                let redo = (key == "z" && event.shift_key()) || (key == "y" && event.ctrl_key());
                if key == "z" || redo {
                    event.prevent_default();
                    let _ = sender.unbounded_send(if redo { REDO } else { UNDO }.to_owned());
                    return;
                }
            }
            if event.ctrl_key() || event.meta_key() || event.alt_key() || typing(&event) {
                return;
            }
            let key = event.key();
            // Enter on a focused button presses that button.
            if key == "Enter" && on_button(&event) {
                return;
            }
            if matches!(
                key.as_str(),
                "ArrowUp"
                    | "ArrowDown"
                    | "PageUp"
                    | "PageDown"
                    | "Home"
                    | "End"
                    | "Enter"
                    | "c"
                    | "j"
                    | "k"
                    | "o"
                    | "a"
                    | "/"
                    | "?"
                    | "x"
                    | "X"
                    | "Escape"
            ) {
                let scrolls_the_page = matches!(
                    key.as_str(),
                    "ArrowUp" | "ArrowDown" | "PageUp" | "PageDown" | "Home" | "End"
                );
                if scrolls_the_page && state.open_issue.peek().is_some() {
                    // On an issue's page these scroll it, as on any page.
                    return;
                }
                if key != "Enter" {
                    event.prevent_default();
                }
                let _ = sender.unbounded_send(key);
            }
        });
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            let _ = document
                .add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
        }
        on_key.forget();
        spawn(async move {
            while let Some(key) = keys.next().await {
                shortcut(state, &engine, &key);
            }
        });
    });
}

/// Keys typed into a field or a dialog are theirs (a checkbox is not typed into).
fn typing(event: &KeyboardEvent) -> bool {
    target(event).is_some_and(|target| {
        let checkbox = target.get_attribute("type").as_deref() == Some("checkbox");
        (matches!(target.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") && !checkbox)
            || target.closest("[role=dialog]").ok().flatten().is_some()
    })
}

fn on_button(event: &KeyboardEvent) -> bool {
    target(event).is_some_and(|target| target.tag_name() == "BUTTON")
}

fn target(event: &KeyboardEvent) -> Option<web_sys::Element> {
    event.target()?.dyn_into::<web_sys::Element>().ok()
}

/// What the listener sends for Ctrl/Cmd+K.
const PALETTE: &str = "palette";
/// ... for Ctrl/Cmd+Z and Ctrl/Cmd+Shift+Z.
const UNDO: &str = "undo";
const REDO: &str = "redo";

fn shortcut(mut state: AppState, engine: &EngineLink, key: &str) {
    if key == PALETTE {
        // Over the list, the issue page and the other sheets; not over the issue form, whose
        // draft would close under it.
        let dialog = *state.dialog.peek();
        match dialog {
            DialogState::Palette => state.dialog.set(DialogState::Closed),
            DialogState::New | DialogState::Edit(_) => {}
            _ => state.dialog.set(DialogState::Palette),
        }
        return;
    }
    if key == UNDO || key == REDO {
        if *state.dialog.peek() == DialogState::Closed && state.can_change() {
            if key == UNDO {
                engine.undo();
            } else {
                engine.redo();
            }
        }
        return;
    }
    let dialog = *state.dialog.peek();
    if dialog != DialogState::Closed {
        // Esc closes a sheet wherever focus is (the issue form asks first, by its own key handler).
        if key == "Escape" && !matches!(dialog, DialogState::New | DialogState::Edit(_)) {
            state.dialog.set(DialogState::Closed);
        }
        return;
    }
    let open = *state.open_issue.peek();
    // Moving through the list: from the selected row, else from the first on the screen.
    let (first, screen) = viewport::on_screen();
    let current = viewport::selected_index(state);
    let from = current.unwrap_or(first);
    let matching = state.view.peek().matching;
    let can_change = state.can_change();
    match key {
        "c" | "a" | "Enter" if !can_change => {}
        "c" => state.dialog.set(DialogState::New),
        "?" => state.dialog.set(DialogState::Shortcuts),
        "j" | "k" if open.is_some() => {
            let step = if key == "j" { 1 } else { -1 };
            if let Some(id) = crate::components::neighbour(state, step) {
                crate::components::open_issue(state, id);
            }
        }
        "Escape" if open.is_some() => crate::components::close_issue(state),
        "Escape" => crate::components::clear_picked(state),
        "x" | "X" if open.is_none() => crate::components::toggle_picked(state, key == "X"),
        "o" => {
            // Read before opening: a signal is not written while it is being read.
            let selected = *state.selected.peek();
            if let Some(id) = selected {
                crate::components::open_issue(state, id);
            }
        }
        "a" => {
            let issue = open.or(*state.selected.peek());
            if let (Some(id), Some(me)) = (issue, state.me()) {
                engine.mutate(shared::mutations::AssignIssue {
                    id,
                    assignee: Some(me),
                    updated_at: crate::state::now(),
                });
            }
        }
        "/" => search(state),
        "Enter" => {
            if let Some(id) = *state.selected.peek() {
                state.dialog.set(DialogState::Edit(id));
            }
        }
        _ if open.is_some() => {}
        "ArrowDown" | "j" => {
            viewport::select_index(state, current.map_or(first, |i| i + 1));
        }
        "ArrowUp" | "k" => {
            viewport::select_index(state, current.map_or(first, |i| i.saturating_sub(1)));
        }
        "PageDown" => viewport::select_index(state, from + screen.saturating_sub(1)),
        "PageUp" => viewport::select_index(state, from.saturating_sub(screen.saturating_sub(1))),
        "Home" => viewport::select_index(state, 0),
        "End" => viewport::select_index(state, matching.saturating_sub(1)),
        _ => {}
    }
}

/// Back to the list (from an issue's page) with focus in the search field.
pub fn search(state: AppState) {
    if state.open_issue.peek().is_some() {
        crate::components::close_issue(state);
    }
    focus_search();
}

/// Puts focus in the search field: at once on the list, or once the list is back on the page.
fn focus_search() {
    fn focus() -> bool {
        let field = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("search"))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        field.is_some_and(|field| field.focus().is_ok())
    }
    if !focus() {
        gloo_timers::callback::Timeout::new(0, || {
            focus();
        })
        .forget();
    }
}
