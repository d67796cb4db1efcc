//! The issue tracker's web app. The UI (Dioxus, on the main thread) never touches SQLite: the sync
//! engine runs in a dedicated Web Worker (`app/engine`) and the two talk by messages. The UI sends a
//! subscription (the list's filter) and local mutations; the engine answers with the list to show,
//! the sync status, and the changes the server rejected.

mod components;
mod engine;
mod keyboard;
mod owner;
mod state;
mod url;

use dioxus::prelude::*;

use components::{Dialog, FilterBar, Header, IssueList, Notices};
use state::AppState;

const STYLE: &str = include_str!("style.css");

fn main() {
    dioxus::launch(App);
}

#[component]
fn App() -> Element {
    let state = use_context_provider(AppState::new);
    use_context_provider(|| engine::Engine::start(state));
    keyboard::use_shortcuts(state);
    engine::use_subscription(state);

    rsx! {
        style { {STYLE} }
        div { class: "app",
            Header {}
            main {
                FilterBar {}
                IssueList {}
            }
            Dialog {}
            Notices {}
        }
    }
}
