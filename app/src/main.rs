//! The issue tracker's web app. The UI (Dioxus, on the main thread) never touches SQLite: the sync
//! engine runs in a dedicated Web Worker (`app/engine`) and the two talk by messages. The UI sends a
//! subscription (the list's filter) and local mutations; the engine answers with the list to show,
//! the sync status, and the changes the server rejected.
//!
//! The address picks the screen (`route.rs`): a workspace's tracker, setting one up, joining one by
//! an invite link, or the way to the last one used here.

mod access;
mod api;
mod clipboard;
mod components;
mod download;
mod drafts;
mod durable;
mod engine_link;
mod first_screen;
mod keyboard;
mod passkey;
mod route;
mod session;
mod state;
mod undo;
mod upgrade;
mod url;
mod viewport;

use dioxus::prelude::*;
use uuid::Uuid;

use components::{
    BulkBar, Dialog, FilterBar, Header, Home, InboxPage, IssueList, IssuePage, JoinPage, Notices,
    NumberedIssue, SetupPage, SignInPage, TrashPage, Unsent,
};
use route::Route;
use state::AppState;

/// A field's `maxlength` for a rule of `max_chars` characters. The browser counts UTF-16 units, two
/// for some characters, and trimmed whitespace does not count: the field allows room for both, and
/// the rule itself, checked on save, says the rest next to the field.
/// This build's version (the app crate's, as in CHANGELOG.md): shown in the sync inspector and the
/// keyboard shortcuts sheet, so a bug report can say which build it is about.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub fn max_input_length(max_chars: usize) -> usize {
    max_chars * 2
}

fn main() {
    // The wasm is instantiated: what comes after is the first render (app/bench/browser.mjs).
    engine_link::mark("ui-main");
    dioxus::launch(App);
}

#[component]
fn App() -> Element {
    match route::current() {
        Route::Setup { token } => rsx! { SetupPage { token } },
        Route::Join { invite } => rsx! { JoinPage { invite } },
        Route::SignIn { device } => rsx! { SignInPage { device } },
        Route::Home => rsx! { Home {} },
        Route::Workspace(workspace) => rsx! { Tracker { workspace } },
    }
}

/// One workspace's tracker.
#[component]
fn Tracker(workspace: Uuid) -> Element {
    let state = use_context_provider(|| AppState::new(workspace));
    engine_link::use_engine(state);
    access::use_access(state);
    keyboard::use_shortcuts(state);
    viewport::use_viewport(state);
    drafts::use_marks_from_other_tabs(state);
    durable::use_persistent_storage(state);
    upgrade::use_reload_when_outdated(state);

    rsx! {
        div { class: if state.open_issue.read().is_some() { "app issue-open" } else { "app" },
            Header {}
            main {
                Unsent {}
                if let Some(id) = *state.open_issue.read() {
                    IssuePage { id }
                } else if let Some(number) = *state.open_number.read() {
                    NumberedIssue { number }
                } else if *state.trash_open.read() {
                    TrashPage {}
                } else if *state.inbox_open.read() {
                    InboxPage {}
                } else {
                    FilterBar {}
                    BulkBar {}
                    IssueList {}
                }
            }
            Dialog {}
            Notices {}
        }
    }
}
