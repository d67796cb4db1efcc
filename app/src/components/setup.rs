//! `/setup?token=…`: the deployment's owner names a workspace and themselves, and owns it. The token
//! is the deployment's `SETUP_TOKEN`; whoever is signed in already owns the new workspace as
//! themselves.

use dioxus::prelude::*;
use shared::api::{Name, SessionInfo, SetupRequest};

use super::page::{NameField, Page};
use crate::{api, route, session};

#[component]
pub fn SetupPage(token: String) -> Element {
    let signed_in = use_hook(session::cached);
    let mut workspace_name = use_signal(String::new);
    let name = use_signal(String::new);
    // Empty until typed: the key shown is then the one made from the workspace's name.
    let mut issue_key = use_signal(String::new);
    let mut error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let has_name = signed_in.is_some();
    let token_for_submit = token.clone();
    let submit = move |evt: FormEvent| {
        evt.prevent_default();
        let token = token_for_submit.clone();
        let request = Name::try_from(workspace_name.peek().clone())
            .map_err(|e| format!("Workspace name: {e}"))
            .and_then(|workspace_name| {
                let name = if has_name {
                    None
                } else {
                    Some(
                        Name::try_from(name.peek().clone())
                            .map_err(|e| format!("Your name: {e}"))?,
                    )
                };
                let issue_key = match issue_key.peek().trim() {
                    "" => None,
                    typed => Some(
                        shared::numbers::IssueKey::try_from(typed.to_owned())
                            .map_err(|e| format!("Issue key: {e}"))?,
                    ),
                };
                Ok(SetupRequest {
                    token,
                    workspace_name,
                    name,
                    issue_key,
                })
            });
        let request = match request {
            Ok(request) => request,
            Err(problem) => {
                error.set(Some(problem));
                return;
            }
        };
        busy.set(true);
        spawn(async move {
            match api::post::<_, SessionInfo>("/api/setup", &request).await {
                Ok(info) => {
                    session::remember(&info);
                    if let Some(made) = info.workspaces.last() {
                        route::go(&route::workspace_path(made.id));
                    }
                }
                Err(failure) => {
                    error.set(Some(failure.message()));
                    busy.set(false);
                }
            }
        });
    };
    rsx! {
        Page { title: "Set up a workspace",
            if token.is_empty() {
                p { class: "error", role: "alert",
                    "This address has no setup token: open the setup link printed when the tracker started."
                }
            }
            p { class: "hint", "Name the workspace and yourself. You will own it, and invite your team from Members once it is made." }
            form { class: "form", onsubmit: submit,
                label {
                    "Workspace name"
                    input {
                        value: "{workspace_name}",
                        maxlength: crate::max_input_length(Name::MAX_CHARS),
                        autofocus: true,
                        oninput: move |evt| workspace_name.set(evt.value()),
                    }
                }
                label {
                    "Issue key"
                    input {
                        value: "{issue_key}",
                        placeholder: "{shared::numbers::IssueKey::from_name(&workspace_name()).as_str()}",
                        maxlength: 5,
                        autocapitalize: "characters",
                        aria_describedby: "issue-key-hint",
                        oninput: move |evt| issue_key.set(evt.value().to_ascii_uppercase()),
                    }
                }
                p { id: "issue-key-hint", class: "hint",
                    "2 to 5 letters that start each issue's number, as in "
                    {
                        let key = match issue_key().trim() {
                            "" => shared::numbers::IssueKey::from_name(&workspace_name()).as_str().to_owned(),
                            typed => typed.to_owned(),
                        };
                        format!("{key}-42")
                    }
                    "."
                }
                if let Some(info) = &signed_in {
                    p { class: "hint", "You will own it as {info.member.name}." }
                } else {
                    NameField { name }
                }
                if let Some(problem) = error() {
                    p { class: "error", role: "alert", "{problem}" }
                }
                button { class: "primary", r#type: "submit", disabled: busy(), "Create workspace" }
            }
        }
    }
}
