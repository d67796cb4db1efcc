//! Drafts: what a person typed in the new-issue dialog or an edit dialog and has not saved, kept in
//! the browser's localStorage on every keystroke, so a stray click, Esc or a reload loses nothing.
//! One draft for the new issue and one per issue being edited. localStorage rather than the
//! engine's database: it is written synchronously on each keystroke, needs no engine (so it works
//! while the engine starts or if it cannot), and a draft is this browser's alone, never synced.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use shared::issue::Issue;
use shared::mutations::fields::{Priority, Status};
use uuid::Uuid;

const PREFIX: &str = "tracker.draft.";
const NEW: &str = "new";

/// The fields a person edits. Drafts kept by an older build have no priority, assignee or labels:
/// they read as none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fields {
    pub title: String,
    pub description: String,
    pub status: Status,
    #[serde(default)]
    pub priority: Priority,
    #[serde(default)]
    pub assignee: Option<Uuid>,
    /// Label ids, sorted.
    #[serde(default)]
    pub labels: Vec<Uuid>,
}

impl Fields {
    /// `issue`'s fields, with the labels on it.
    pub fn of(issue: &Issue, labels: &[Uuid]) -> Fields {
        let mut labels = labels.to_vec();
        labels.sort();
        Fields {
            title: issue.title.clone(),
            description: issue.description.clone(),
            status: issue.status,
            priority: issue.priority,
            assignee: issue.assignee,
            labels,
        }
    }

    /// What a new issue starts from.
    pub fn empty() -> Fields {
        Fields {
            title: String::new(),
            description: String::new(),
            status: Status::default(),
            priority: Priority::default(),
            assignee: None,
            labels: Vec::new(),
        }
    }
}

/// An unsaved draft: the fields as typed, and (for an edit) the issue as it was when the edit began,
/// which says what the person changed and what changed on the server meanwhile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub fields: Fields,
    pub base: Fields,
}

/// Whose draft: the new issue's, or an issue's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftKey {
    New,
    Issue(Uuid),
}

impl DraftKey {
    fn storage_key(self) -> String {
        match self {
            DraftKey::New => format!("{PREFIX}{NEW}"),
            DraftKey::Issue(id) => format!("{PREFIX}{id}"),
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub fn load(key: DraftKey) -> Option<Draft> {
    let text = storage()?.get_item(&key.storage_key()).ok()??;
    serde_json::from_str(&text).ok()
}

/// Keeps `draft`, or forgets it when it changes nothing.
pub fn save(key: DraftKey, draft: &Draft) {
    if draft.fields == draft.base {
        return clear(key);
    }
    if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(draft)) {
        // A full storage keeps the draft in the dialog only; nothing else to do about it here.
        let _ = storage.set_item(&key.storage_key(), &text);
    }
}

pub fn clear(key: DraftKey) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&key.storage_key());
    }
}

/// The issues that have an edit draft in this browser.
pub fn issues_with_drafts() -> BTreeSet<Uuid> {
    let Some(storage) = storage() else {
        return BTreeSet::new();
    };
    let count = storage.length().unwrap_or(0);
    (0..count)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter_map(|key| Uuid::parse_str(key.strip_prefix(PREFIX)?).ok())
        .collect()
}

/// Keeps `state.drafts` (the list's draft marks) current when another tab of this browser keeps or
/// clears a draft: localStorage tells the other tabs with a `storage` event.
pub fn use_marks_from_other_tabs(state: crate::state::AppState) {
    use dioxus::prelude::*;
    use futures_util::StreamExt;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    use_hook(move || {
        let (sender, mut changes) = futures_channel::mpsc::unbounded::<()>();
        let on_storage = Closure::<dyn FnMut(web_sys::StorageEvent)>::new(
            move |event: web_sys::StorageEvent| {
                if event.key().is_none_or(|key| key.starts_with(PREFIX)) {
                    let _ = sender.unbounded_send(());
                }
            },
        );
        if let Some(window) = web_sys::window() {
            let _ = window
                .add_event_listener_with_callback("storage", on_storage.as_ref().unchecked_ref());
        }
        on_storage.forget();
        let mut marks = state.drafts;
        spawn(async move {
            while changes.next().await.is_some() {
                marks.set(issues_with_drafts());
            }
        });
    });
}
