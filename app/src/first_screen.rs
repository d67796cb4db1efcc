//! The list's first screen, kept in localStorage: a start shows the rows it showed last at once,
//! while the engine's wasm loads and opens the replica, and the engine's first view replaces them.
//!
//! One screen is kept, for the member, workspace and filter it was read for, and only a view of the
//! list's top: rows further down depend on where the page was scrolled. A start with another
//! member, workspace or filter, or on an issue's page, waits for the engine as before. Signing out
//! forgets it (`crate::session::forget`).

use std::cell::RefCell;

use engine::messages::View;
use serde::{Deserialize, Serialize};
use shared::issue::IssueFilter;
use uuid::Uuid;

const KEY: &str = "tracker.firstScreen";

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Kept {
    workspace: Uuid,
    member: Uuid,
    filter: IssueFilter,
    view: View,
}

thread_local! {
    /// What this page wrote last, so an unchanged screen is not written again.
    static WRITTEN: RefCell<String> = const { RefCell::new(String::new()) };
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The screen kept for `member` in `workspace` with `filter`, if any.
pub fn kept(workspace: Uuid, member: Uuid, filter: &IssueFilter) -> Option<View> {
    let text = storage()?.get_item(KEY).ok()??;
    let kept: Kept = serde_json::from_str(&text).ok()?;
    (kept.workspace == workspace && kept.member == member && kept.filter == *filter)
        .then_some(kept.view)
}

/// Keeps the first `rows` rows of `view` when it shows the list's top.
pub fn keep(workspace: Uuid, member: Uuid, filter: &IssueFilter, view: &View, rows: usize) {
    if view.start != 0 {
        return;
    }
    let issues: Vec<_> = view.issues.iter().take(rows).cloned().collect();
    let view = View {
        issue_labels: view
            .issue_labels
            .iter()
            .filter(|link| issues.iter().any(|issue| issue.id == link.issue_id))
            .cloned()
            .collect(),
        issues,
        open: None,
        ..view.clone()
    };
    let kept = Kept {
        workspace,
        member,
        filter: filter.clone(),
        view,
    };
    let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(&kept)) else {
        return;
    };
    if WRITTEN.with_borrow(|written| *written == text) {
        return;
    }
    if storage.set_item(KEY, &text).is_ok() {
        WRITTEN.set(text);
    }
}

/// Signed out: no rows stay.
pub fn forget() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(KEY);
    }
    WRITTEN.set(String::new());
}
