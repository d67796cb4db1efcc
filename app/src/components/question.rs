//! A yes/no question that stands in for a dialog's buttons, such as "Delete this issue?". Focus moves
//! to the safe answer, so Esc and Tab keep working and Enter never confirms by accident.

use dioxus::prelude::*;

#[component]
pub fn Question(
    /// The question, as its accessible name.
    label: String,
    /// The text shown.
    text: String,
    /// The answer that acts (shown as dangerous).
    act: String,
    on_act: EventHandler<()>,
    /// The answer that keeps things as they are; it takes focus.
    keep: String,
    on_keep: EventHandler<()>,
) -> Element {
    rsx! {
        div { class: "confirm", role: "alertdialog", aria_label: "{label}",
            p { "{text}" }
            button { class: "danger", onclick: move |_| on_act.call(()), "{act}" }
            button {
                onmounted: move |evt| async move {
                    let _ = evt.set_focus(true).await;
                },
                onclick: move |_| on_keep.call(()),
                "{keep}"
            }
        }
    }
}
