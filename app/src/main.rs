//! The tracker's web app. For now a single page that proves the build path: Rust compiled to wasm by the
//! project's own pipeline (scripts/build.sh) and served by the worker through Workers static assets.
//! The engine (replica in a Web Worker) and the tracker UI come next.

use dioxus::prelude::*;
use shared::mutations::fields::Status;

const STYLE: &str = include_str!("style.css");

fn main() {
    dioxus::launch(App);
}

#[component]
fn App() -> Element {
    rsx! {
        style { {STYLE} }
        main {
            h1 { "Tracker" }
            p { "A local-first issue tracker on a Rust sync engine." }
            ul { aria_label: "Statuses",
                for status in Status::ALL {
                    li { key: "{status.as_str()}", "{status.as_str()}" }
                }
            }
        }
    }
}
