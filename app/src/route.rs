//! Which screen the page's address asks for: `/setup?token=…` (make a workspace), `/join?invite=…`
//! (join one), `/signin` (with a passkey, or `?device=…` from a sign-in link), `/w/<workspace id>` (its tracker; the query is the list's filter, see `url.rs`; with
//! `/issue/<id>` after it, that page; `/trash` and `/inbox`), or `/` (go to the last
//! workspace used here).

use uuid::Uuid;
use web_sys::UrlSearchParams;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Setup {
        token: String,
    },
    Join {
        invite: String,
    },
    /// `/signin`, with `?device=…` when opened from a sign-in link.
    SignIn {
        device: String,
    },
    Workspace(Uuid),
    Home,
}

pub fn current() -> Route {
    let location = web_sys::window().map(|w| w.location());
    let path = location
        .as_ref()
        .and_then(|l| l.pathname().ok())
        .unwrap_or_default();
    let search = location
        .as_ref()
        .and_then(|l| l.search().ok())
        .unwrap_or_default();
    let param = |name: &str| {
        UrlSearchParams::new_with_str(&search)
            .ok()
            .and_then(|params| params.get(name))
            .unwrap_or_default()
    };
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["setup"] => Route::Setup {
            token: param("token"),
        },
        ["join"] => Route::Join {
            invite: param("invite"),
        },
        ["signin"] => Route::SignIn {
            device: param("device"),
        },
        ["w", id] | ["w", id, "issue", _] | ["w", id, "trash" | "inbox"] => {
            Uuid::parse_str(id).map_or(Route::Home, Route::Workspace)
        }
        _ => Route::Home,
    }
}

/// The address of a workspace's tracker.
pub fn workspace_path(workspace: Uuid) -> String {
    format!("/w/{workspace}")
}

/// Opens `path` as a new page: each workspace's tracker starts its own engine.
pub fn go(path: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(path);
    }
}

/// The page's origin, for links to share (`https://tracker.example.com`).
pub fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}
