//! The frame of the screens around the tracker (setup, joining, the way in), and their name field.

use dioxus::prelude::*;
use shared::api::Name;

#[component]
pub fn Page(title: String, children: Element) -> Element {
    rsx! {
        div { class: "app page",
            header { class: "top", h1 { "Tracker" } }
            main {
                h2 { "{title}" }
                {children}
            }
        }
    }
}

/// "Your name": the display name the others will see.
#[component]
pub fn NameField(name: Signal<String>) -> Element {
    rsx! {
        label {
            "Your name"
            input {
                value: "{name}",
                maxlength: crate::max_input_length(Name::MAX_CHARS),
                autocomplete: "name",
                oninput: move |evt| name.set(evt.value()),
            }
        }
    }
}
