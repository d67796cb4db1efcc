//! Changes the engine has not taken yet: made while it starts (they are sent, in order, once it is
//! ready), or kept on screen as not saved when it could not start. Each issue they touch is shown as
//! they would leave it, and can be changed again.

use dioxus::prelude::*;

use super::list::IssueRow;
use crate::state::{AppState, EngineStatus};

#[component]
pub fn Unsent() -> Element {
    let state = use_context::<AppState>();
    let previews = state.unsent_previews();
    let count = state.unsent.read().len();
    let shown = previews.len() as u64;
    if count == 0 {
        return rsx! {};
    }
    let selected = *state.selected.read();
    let heading = match &*state.engine.read() {
        EngineStatus::Stopped(_) => "Not saved",
        _ => "Saved once the tracker has started",
    };
    let changes = if count == 1 { "change" } else { "changes" };

    rsx! {
        section { class: "list unsent", aria_labelledby: "unsent-heading",
            h2 { id: "unsent-heading", "{heading}" }
            p { class: "hint", "{count} {changes}" }
            ul {
                for (at, issue) in previews.into_iter().enumerate() {
                    IssueRow {
                        key: "{issue.id}",
                        can_change: state.can_change(),
                        issue_key: state.issue_key(),
                        position: at as u64,
                        of: shown,
                        selected: selected == Some(issue.id),
                        labels: state.labels_of(issue.id),
                        issue,
                    }
                }
            }
        }
    }
}
