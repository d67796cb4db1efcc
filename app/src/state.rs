//! The UI's state: what the engine last sent, and what the user is doing.

use dioxus::prelude::*;
use engine::messages::{StorageKind, SyncStatus, View};
use shared::issue::IssueFilter;
use uuid::Uuid;

/// Which dialog is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogState {
    Closed,
    New,
    Edit(Uuid),
}

/// A message for the user: a change the server rejected or the engine refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub id: u64,
    pub text: String,
}

/// All of the UI's signals, provided as context by `App`.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The list the engine sends for the current filter.
    pub view: Signal<View>,
    /// The engine sent its first view: the list is real, not a placeholder.
    pub loaded: Signal<bool>,
    pub sync: Signal<SyncStatus>,
    pub storage: Signal<Option<StorageKind>>,
    /// The list's filter, mirrored in the page's URL.
    pub filter: Signal<IssueFilter>,
    pub selected: Signal<Option<Uuid>>,
    pub dialog: Signal<DialogState>,
    pub notices: Signal<Vec<Notice>>,
    /// This device's name, the owner of the issues it creates.
    pub owner: Signal<String>,
}

impl AppState {
    pub fn new() -> AppState {
        AppState {
            view: Signal::new(View::default()),
            loaded: Signal::new(false),
            sync: Signal::new(SyncStatus::default()),
            storage: Signal::new(None),
            filter: Signal::new(crate::url::read_filter()),
            selected: Signal::new(None),
            dialog: Signal::new(DialogState::Closed),
            notices: Signal::new(Vec::new()),
            owner: Signal::new(crate::owner::load()),
        }
    }

    pub fn notify(mut self, text: String) {
        let id = self
            .notices
            .peek()
            .iter()
            .map(|n| n.id + 1)
            .max()
            .unwrap_or(0);
        self.notices.write().push(Notice { id, text });
    }
}

/// Epoch milliseconds from the browser's clock.
pub fn now() -> u64 {
    js_sys::Date::now() as u64
}
