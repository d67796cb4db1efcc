//! A new version of the tracker: when the server says this build is too old to read the workspace
//! (`409 VersionNotSupported`, or a change in the log this build does not know), the page reloads
//! into the new build at the next safe moment: no dialog open, no text typed into a field, and every
//! change made here handed to the engine (which keeps pushing meanwhile: the server still takes this
//! version's changes). The service worker fetches the network first, so the reload gets the new
//! build. One reload per five minutes at most: if the server still refuses after it (the new build
//! is not deployed yet), the banner offers the reload instead of looping.

use dioxus::prelude::*;

use crate::state::{AppState, DialogState};

/// When the page last reloaded for a new version (sessionStorage, epoch milliseconds).
const RELOADED_AT: &str = "tracker-version-reload";
const RELOAD_AT_MOST_EVERY_MS: f64 = 5.0 * 60.0 * 1000.0;

pub fn use_reload_when_outdated(state: AppState) {
    use_effect(move || {
        let outdated = state.sync.read().outdated.is_some();
        let dialog_open = *state.dialog.read() != DialogState::Closed;
        let unsent = !state.unsent.read().is_empty();
        if outdated && !dialog_open && !unsent && !typing() && may_reload() {
            reload();
        }
    });
}

/// Whether a reload for a new version is allowed now (none in the last five minutes).
pub fn may_reload() -> bool {
    let last = storage()
        .and_then(|s| s.get_item(RELOADED_AT).ok().flatten())
        .and_then(|at| at.parse::<f64>().ok());
    last.is_none_or(|at| js_sys::Date::now() - at > RELOAD_AT_MOST_EVERY_MS)
}

/// Reloads the page into the new build, noting when.
pub fn reload() {
    if let Some(storage) = storage() {
        let _ = storage.set_item(RELOADED_AT, &js_sys::Date::now().to_string());
    }
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

/// Text typed into the field that has focus.
fn typing() -> bool {
    use wasm_bindgen::JsCast;
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    let Some(active) = active else {
        return false;
    };
    if let Some(input) = active.dyn_ref::<web_sys::HtmlInputElement>() {
        return !input.value().is_empty();
    }
    if let Some(area) = active.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        return !area.value().is_empty();
    }
    false
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}
