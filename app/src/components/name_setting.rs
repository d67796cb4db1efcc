//! A name saved to the server: one field, one button, a word when it is saved. The member's own name
//! (the account dialog, `POST /api/profile`) and the workspace's (Members, owners, `POST
//! /api/workspaces/{id}/name`) both send `{name}`.

use dioxus::prelude::*;
use shared::account::SetName;
use shared::api::Name;

use crate::api;

#[component]
pub fn NameSetting(
    /// The section's heading, and the id it is known by.
    heading: String,
    id: String,
    /// The field's label and the button's words.
    label: String,
    submit: String,
    /// What is said once saved.
    saved: String,
    current: String,
    /// Where `{name}` is posted.
    path: String,
    /// Saved: the app updates what it shows.
    on_saved: EventHandler<Name>,
) -> Element {
    let mut typed = use_signal(|| current);
    let mut said = use_signal(|| None::<Result<(), String>>);
    let save = move |evt: FormEvent| {
        evt.prevent_default();
        let name = match Name::try_from(typed.peek().clone()) {
            Ok(name) => name,
            Err(problem) => {
                said.set(Some(Err(problem)));
                return;
            }
        };
        let path = path.clone();
        spawn(async move {
            match api::post::<_, SetName>(&path, &SetName { name: name.clone() }).await {
                Ok(_) => {
                    on_saved.call(name);
                    said.set(Some(Ok(())));
                }
                Err(failure) => said.set(Some(Err(failure.message()))),
            }
        });
    };
    rsx! {
        section { aria_labelledby: "{id}",
            h3 { id: "{id}", "{heading}" }
            form { class: "actions", onsubmit: save,
                label { class: "field",
                    "{label}"
                    input {
                        value: "{typed}",
                        maxlength: crate::max_input_length(Name::MAX_CHARS),
                        oninput: move |evt| typed.set(evt.value()),
                    }
                }
                button { r#type: "submit", "{submit}" }
            }
            match said() {
                Some(Ok(())) => rsx! { p { class: "hint", role: "status", "{saved}" } },
                Some(Err(problem)) => rsx! { p { class: "error", role: "alert", "{problem}" } },
                None => rsx! {},
            }
        }
    }
}
