//! `/join?invite=…`: what the invite leads to, and joining it under a display name (or as the member
//! signed in here already). A revoked or expired link says so.

use dioxus::prelude::*;
use shared::api::{AcceptInvite, InvitePreview, InviteToken, Name, SessionInfo};

use super::page::{NameField, Page};
use crate::{api, route, session};

#[component]
pub fn JoinPage(invite: String) -> Element {
    let signed_in = use_hook(session::cached);
    let name = use_signal(String::new);
    let mut error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let token = invite.clone();
    let preview = use_resource(move || {
        let token = token.clone();
        async move {
            api::post::<_, InvitePreview>("/api/invites/preview", &InviteToken { token }).await
        }
    });
    let has_name = signed_in.is_some();
    let token = invite.clone();
    let submit = move |evt: FormEvent| {
        evt.prevent_default();
        let name = if has_name {
            None
        } else {
            match Name::try_from(name.peek().clone()) {
                Ok(name) => Some(name),
                Err(problem) => {
                    error.set(Some(format!("Your name: {problem}")));
                    return;
                }
            }
        };
        let request = AcceptInvite {
            token: token.clone(),
            name,
        };
        busy.set(true);
        spawn(async move {
            match api::post::<_, SessionInfo>("/api/invites/accept", &request).await {
                Ok(info) => {
                    session::remember(&info);
                    let joined = preview
                        .peek()
                        .as_ref()
                        .and_then(|p| p.as_ref().ok().map(|p| p.workspace_id));
                    if let Some(workspace) = joined {
                        route::go(&route::workspace_path(workspace));
                    }
                }
                Err(failure) => {
                    error.set(Some(failure.message()));
                    busy.set(false);
                }
            }
        });
    };
    let shown = preview.read().clone();
    match shown {
        None => rsx! {
            Page { title: "Joining…", p { class: "hint", "Reading the invite…" } }
        },
        Some(Err(failure)) => rsx! {
            Page { title: "This invite link does not work",
                p { class: "error", role: "alert", "{failure.message()}" }
                p { class: "hint", "Ask the workspace's owner for a new link." }
            }
        },
        Some(Ok(invite)) => rsx! {
            Page { title: "Join {invite.workspace_name}",
                form { class: "form", onsubmit: submit,
                    if let Some(info) = &signed_in {
                        p { class: "hint", "You will join as {info.member.name}." }
                    } else {
                        NameField { name }
                    }
                    if let Some(problem) = error() {
                        p { class: "error", role: "alert", "{problem}" }
                    }
                    button { class: "primary", r#type: "submit", disabled: busy(),
                        "Join {invite.workspace_name}"
                    }
                }
            }
        },
    }
}
