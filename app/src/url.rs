//! The list's filter in the page's URL (`/w/<id>?status=in-progress&q=login&label=Bug&label=UI&
//! priority=high&assignee=<member>&assignee=none&creator=<member>&sort=priority`: the repeatable ones
//! match any of their values, labels all of them), so a filtered view is a link; and the open issue
//! (`/w/<id>/issue/<issue>`, with `#comment-<id>` for one of its comments).

use shared::issue::{IssueFilter, Sort};
use shared::mutations::fields::{Priority, Status};
use uuid::Uuid;
use web_sys::UrlSearchParams;

/// The URL form of a status.
pub fn slug(status: Status) -> &'static str {
    match status {
        Status::NotStarted => "not-started",
        Status::InProgress => "in-progress",
        Status::Done => "done",
    }
}

pub fn read_filter() -> IssueFilter {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let Ok(params) = UrlSearchParams::new_with_str(&search) else {
        return IssueFilter::default();
    };
    let all = |name: &str| -> Vec<String> {
        let values = params.get_all(name);
        (0..values.length())
            .filter_map(|i| values.get(i).as_string())
            .collect()
    };
    IssueFilter {
        status: params
            .get("status")
            .and_then(|s| Status::ALL.into_iter().find(|status| slug(*status) == s)),
        search: params.get("q").filter(|q| !q.trim().is_empty()),
        priorities: all("priority")
            .iter()
            .filter_map(|p| Priority::parse(p))
            .collect(),
        assignees: all("assignee")
            .iter()
            .filter_map(|a| match a.as_str() {
                "none" => Some(None),
                id => Uuid::parse_str(id).ok().map(Some),
            })
            .collect(),
        creators: all("creator")
            .iter()
            .filter_map(|c| Uuid::parse_str(c).ok())
            .collect(),
        labels: all("label")
            .into_iter()
            .filter(|l| !l.trim().is_empty())
            .collect(),
        sort: params
            .get("sort")
            .and_then(|s| Sort::parse(&s))
            .unwrap_or_default(),
    }
}

pub fn write_filter(filter: &IssueFilter) {
    let Ok(params) = UrlSearchParams::new() else {
        return;
    };
    if let Some(status) = filter.status {
        params.append("status", slug(status));
    }
    if let Some(q) = filter.search.as_deref().filter(|q| !q.is_empty()) {
        params.append("q", q);
    }
    for label in &filter.labels {
        params.append("label", label);
    }
    for priority in &filter.priorities {
        params.append("priority", priority.as_str());
    }
    for assignee in &filter.assignees {
        params.append(
            "assignee",
            &assignee.map_or_else(|| "none".to_owned(), |id| id.to_string()),
        );
    }
    for creator in &filter.creators {
        params.append("creator", &creator.to_string());
    }
    if filter.sort != Sort::default() {
        params.append("sort", filter.sort.as_str());
    }
    let query = String::from(params.to_string());
    let Some(window) = web_sys::window() else {
        return;
    };
    let path = window.location().pathname().unwrap_or_default();
    let search = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    let url = format!("{path}{search}");
    if window.location().search().ok().unwrap_or_default() != search
        && let Ok(history) = window.history()
    {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// What a tracker's address opens: its list, an issue's page (by id, or by number:
/// `/w/<workspace>/issue/TRK-42`, whatever key it was written with), or the trash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Address {
    List,
    Issue(Uuid),
    Number(u64),
    Trash,
    Inbox,
}

pub fn read_address() -> Address {
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["w", _, "issue", reference] => match Uuid::parse_str(reference) {
            Ok(id) => Address::Issue(id),
            Err(_) => {
                shared::numbers::parse_reference(reference).map_or(Address::List, Address::Number)
            }
        },
        ["w", _, "trash"] => Address::Trash,
        ["w", _, "inbox"] => Address::Inbox,
        _ => Address::List,
    }
}

/// The issue whose page the address opens by its id.
pub fn read_open_issue() -> Option<Uuid> {
    match read_address() {
        Address::Issue(id) => Some(id),
        _ => None,
    }
}

/// The comment the address points at (`#comment-<id>`), if any.
pub fn read_comment_anchor() -> Option<Uuid> {
    let hash = web_sys::window()?.location().hash().ok()?;
    Uuid::parse_str(hash.strip_prefix("#comment-")?).ok()
}

/// The address of an issue's page (its filter kept).
pub fn issue_path(workspace: Uuid, issue: Uuid) -> String {
    format!("/w/{workspace}/issue/{issue}")
}

/// The address of an issue's page by its number, once it has one (`/w/<workspace>/issue/TRK-42`):
/// the one to share.
pub fn numbered_path(
    workspace: Uuid,
    key: &shared::numbers::IssueKey,
    issue: &shared::issue::Issue,
) -> String {
    match issue.number {
        Some(number) => format!("/w/{workspace}/issue/{}", key.issue(number)),
        None => issue_path(workspace, issue.id),
    }
}

/// The inbox's address.
pub fn inbox_path(workspace: Uuid) -> String {
    format!("/w/{workspace}/inbox")
}

/// The trash's address.
pub fn trash_path(workspace: Uuid) -> String {
    format!("/w/{workspace}/trash")
}

/// Moves the page's address to `path` (keeping the query) without reloading: the tracker's engine
/// stays up. Back and forward come back as `popstate` (see `crate::state`).
pub fn push_path(path: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let search = window.location().search().ok().unwrap_or_default();
    if let Ok(history) = window.history() {
        let _ = history.push_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("{path}{search}")),
        );
    }
}
