//! The list's filter in the page's URL (`/w/<id>?status=in-progress&q=login`), so a filtered view is
//! a link.

use shared::issue::IssueFilter;
use shared::mutations::fields::Status;
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
    IssueFilter {
        status: params
            .get("status")
            .and_then(|s| Status::ALL.into_iter().find(|status| slug(*status) == s)),
        search: params.get("q").filter(|q| !q.trim().is_empty()),
        ..IssueFilter::default()
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
