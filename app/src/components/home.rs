//! `/`: to the workspace last used here, or the first one the server lists; a browser no one signed
//! in on is told how to get in.

use dioxus::prelude::*;
use shared::ErrorCode;
use shared::api::SessionInfo;

use super::page::Page;
use crate::{api, route, session};

#[component]
pub fn Home() -> Element {
    let answer = use_resource(|| async {
        let remembered = session::cached().zip(session::last_workspace());
        if let Some((info, last)) = remembered
            && info.workspaces.iter().any(|w| w.id == last)
        {
            route::go(&route::workspace_path(last));
            return None;
        }
        let answer = api::get::<SessionInfo>("/api/session").await;
        if let Ok(info) = &answer {
            session::remember(info);
            if let Some(first) = info.workspaces.first() {
                route::go(&route::workspace_path(first.id));
                return None;
            }
        }
        Some(answer)
    });
    let shown = answer.read().clone().flatten();
    match shown {
        None => rsx! { Page { title: "Opening…", p { class: "hint", "Opening your workspace…" } } },
        Some(Ok(info)) => rsx! {
            Page { title: "No workspace yet",
                p { "You are signed in as {info.member.name}, but in no workspace. Ask a workspace's owner for an invite link." }
            }
        },
        Some(Err(failure)) if failure.code() == Some(ErrorCode::Unauthenticated) => rsx! {
            Page { title: "This tracker is private",
                p { "Open the invite link you were sent to join a workspace." }
                p { "Been here before? " a { href: "/signin", "Sign in" } " with a passkey or a sign-in link from another of your devices." }
                p { class: "hint", "Setting up a new deployment? Open the setup link printed when it started." }
            }
        },
        Some(Err(failure)) => rsx! {
            Page { title: "The tracker cannot be reached",
                p { class: "error", role: "alert", "{failure.message()}" }
            }
        },
    }
}
