//! The list's first screen, kept in localStorage: a start shows the rows it showed last at once,
//! while the engine's wasm loads and opens the replica, and the engine's first view replaces them.
//!
//! One view is kept (the window the engine sent: the screen's rows and those just below), for the
//! member, workspace and filter it was read for, and only a view of the list's top: rows further
//! down depend on where the page was scrolled. A start with another
//! member, workspace or filter, or on an issue's page, waits for the engine as before. Signing out
//! forgets it (`crate::session::forget`).

use std::cell::RefCell;

use engine::messages::{FromEngine, View};
use serde::{Deserialize, Serialize};
use shared::issue::IssueFilter;
use uuid::Uuid;

/// Whose screen is kept, and for which filter.
const WHOSE: &str = "tracker.firstScreen";
/// The engine's message that brought it, as it came (so the UI needs no code to write a view).
const VIEW: &str = "tracker.firstScreen.view";

#[derive(Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Whose {
    workspace: Uuid,
    member: Uuid,
    filter: IssueFilter,
}

thread_local! {
    /// What this page wrote last, so an unchanged screen is not written again.
    static WRITTEN: RefCell<String> = const { RefCell::new(String::new()) };
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The screen kept for `member` in `workspace` with `filter`, if any: its first `rows` rows (the
/// first paint waits for every row rendered, and the engine's view brings the rest).
pub fn kept(workspace: Uuid, member: Uuid, filter: &IssueFilter, rows: usize) -> Option<View> {
    let storage = storage()?;
    let whose: Whose = serde_json::from_str(&storage.get_item(WHOSE).ok()??).ok()?;
    if whose.workspace != workspace || whose.member != member || whose.filter != *filter {
        return None;
    }
    match serde_json::from_str(&storage.get_item(VIEW).ok()??).ok()? {
        FromEngine::View(mut view) => {
            view.issues.truncate(rows);
            Some(*view)
        }
        _ => None,
    }
}

/// Keeps `view`, which the engine sent as `message`, when it shows the list's top (and no issue's
/// page, whose comments it would carry), for the member this browser remembers: once signed out,
/// nothing is kept.
pub fn keep(workspace: Uuid, filter: &IssueFilter, view: &View, message: &str) {
    if view.start != 0 || view.open.is_some() || WRITTEN.with_borrow(|w| w == message) {
        return;
    }
    let Some((actor, _)) = crate::session::cached().and_then(|info| info.replica_of(workspace))
    else {
        return;
    };
    let whose = Whose {
        workspace,
        member: actor.member_id,
        filter: filter.clone(),
    };
    let (Some(storage), Ok(whose)) = (storage(), serde_json::to_string(&whose)) else {
        return;
    };
    if storage.set_item(WHOSE, &whose).is_ok() && storage.set_item(VIEW, message).is_ok() {
        WRITTEN.set(message.to_owned());
    } else {
        forget();
    }
}

/// Signed out: no rows stay.
pub fn forget() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(WHOSE);
        let _ = storage.remove_item(VIEW);
    }
    WRITTEN.set(String::new());
}
