//! The members dialog: who is in the workspace; for its owner, invite links (made, copied, revoked)
//! and removing members; for everyone, their own API tokens (made and shown once, revoked). Every
//! change goes straight to the server (none of this is in the replica) and the lists are read again.

use dioxus::prelude::*;
use shared::account::TransferOwnership;
use shared::api::{
    ById, CreateInvite, CreateToken, CreatedInvite, CreatedToken, Members, Name, RemoveMember, Role,
};
use uuid::Uuid;

use super::dialog::Modal;
use super::name_setting::NameSetting;
use super::question::Question;
use crate::access::refresh_members;
use crate::engine_link::EngineLink;
use crate::state::{AppState, DialogState};
use crate::{api, route};
use engine::messages::ExportFormat;

/// A secret the server showed once, to copy now.
#[derive(Debug, Clone, PartialEq)]
enum Shown {
    Nothing,
    Invite(CreatedInvite),
    Token(CreatedToken),
}

#[component]
pub fn MembersDialog() -> Element {
    let mut state = use_context::<AppState>();
    let mut members = use_signal(|| None::<Members>);
    let mut error = use_signal(|| None::<String>);
    let mut shown = use_signal(|| Shown::Nothing);
    let mut removing = use_signal(|| None::<Uuid>);
    let mut handing = use_signal(|| None::<Uuid>);
    let mut leaving = use_signal(|| false);
    let mut token_name = use_signal(String::new);
    let reload = move || {
        spawn(async move {
            match refresh_members(state).await {
                Some(list) => members.set(Some(list)),
                None => error.set(Some("The members could not be read; try again.".to_owned())),
            }
        });
    };
    use_hook(reload);

    let me = state.session.read().as_ref().map(|info| info.member.id);
    let workspace = state.workspace;
    let owner = state.session.read().as_ref().and_then(|info| {
        info.workspaces
            .iter()
            .find(|w| w.id == workspace)
            .map(|w| w.role)
    }) == Some(Role::Owner);
    let call = move |action: &'static str,
                     body: serde_json::Value,
                     then: fn(serde_json::Value) -> Shown| {
        spawn(async move {
            let path = format!("/api/workspaces/{workspace}/{action}");
            match api::post::<_, serde_json::Value>(&path, &body).await {
                Ok(answer) => {
                    error.set(None);
                    shown.set(then(answer));
                    reload();
                }
                Err(failure) => error.set(Some(failure.message())),
            }
        });
    };
    let close = move |_| state.dialog.set(DialogState::Closed);
    let list = members.read().clone();
    let engine = use_context::<EngineLink>();
    let export_engine = engine.clone();
    let cli_address = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .map(|origin| format!("{origin}{}", route::workspace_path(workspace)))
        .unwrap_or_default();

    rsx! {
        Modal { class: "members", labelled_by: "members-heading",
            div { class: "heading-row",
                h2 { id: "members-heading", "Members" }
                button { onclick: move |_| state.dialog.set(DialogState::Account), "Your account" }
            }
            if let Some(problem) = error() {
                p { class: "error", role: "alert", "{problem}" }
            }
            match &list {
                None => rsx! { p { class: "hint", "Reading the members…" } },
                Some(list) => rsx! {
                    ul { class: "people", aria_label: "Members",
                        for member in list.members.iter().cloned() {
                            li { key: "{member.id}",
                                span { class: "name", "{member.name}" }
                                if member.role == Role::Owner { span { class: "role", "owner" } }
                                if Some(member.id) == me { span { class: "role", "you" } }
                                if owner && member.role != Role::Owner {
                                    if removing() == Some(member.id) {
                                        Question {
                                            label: "Remove {member.name}?",
                                            text: "Remove {member.name}? Their next change is refused, the invite link they joined by stops working for everyone, and no older link lets them back in. Revoke any other link they have seen; a new invite can bring them back.",
                                            act: "Remove",
                                            on_act: move |_| {
                                                removing.set(None);
                                                call("members/remove", serde_json::json!(RemoveMember { member_id: member.id }), |_| Shown::Nothing);
                                            },
                                            keep: "Keep",
                                            on_keep: move |_| removing.set(None),
                                        }
                                    } else if handing() == Some(member.id) {
                                        Question {
                                            label: "Make {member.name} the owner?",
                                            text: "Hand the workspace to {member.name}? They will invite, remove and change its settings; you stay on as a member.",
                                            act: "Make owner",
                                            on_act: move |_| {
                                                handing.set(None);
                                                call("owner", serde_json::json!(TransferOwnership { member_id: member.id }), |_| Shown::Nothing);
                                                spawn(crate::access::refresh_session(state));
                                            },
                                            keep: "Keep",
                                            on_keep: move |_| handing.set(None),
                                        }
                                    } else {
                                        button {
                                            aria_label: "Make owner: {member.name}",
                                            onclick: move |_| handing.set(Some(member.id)),
                                            "Make owner"
                                        }
                                        button {
                                            class: "danger",
                                            aria_label: "Remove {member.name}",
                                            onclick: move |_| removing.set(Some(member.id)),
                                            "Remove"
                                        }
                                    }
                                }
                            }
                        }
                    }
                    if owner {
                        WorkspaceNameField {}
                        IssueKeyField {}
                        section { aria_labelledby: "invites-heading",
                            h3 { id: "invites-heading", "Invite links" }
                            p { class: "hint", "Anyone with a link can join until it expires (7 days), you revoke it, or you remove someone who joined by it." }
                            button {
                                onclick: move |_| call("invites", serde_json::json!(CreateInvite::default()), |answer| {
                                    serde_json::from_value(answer).map_or(Shown::Nothing, Shown::Invite)
                                }),
                                "Create invite link"
                            }
                            if let Shown::Invite(invite) = shown() {
                                SecretField {
                                    label: "New invite link",
                                    value: format!("{}/join?invite={}", route::origin(), invite.token),
                                    copy: "Copy link",
                                }
                            }
                            ul { class: "people",
                                for invite in list.invites.iter().cloned() {
                                    li { key: "{invite.id}",
                                        span { class: "name", "Link made {day(invite.created_at)}, expires {day(invite.expires_at)}" }
                                        button {
                                            class: "danger",
                                            aria_label: "Revoke the link that expires {day(invite.expires_at)}",
                                            onclick: move |_| call("invites/revoke", serde_json::json!(ById { id: invite.id }), |_| Shown::Nothing),
                                            "Revoke"
                                        }
                                    }
                                }
                            }
                        }
                    }
                    if !owner {
                        section { aria_labelledby: "leave-heading",
                            h3 { id: "leave-heading", "Leave" }
                            if leaving() {
                                Question {
                                    label: "Leave this workspace?",
                                    text: "Leave this workspace? You lose access at once, your API tokens here stop, and you need a new invite to come back. What you wrote stays, under your name.",
                                    act: "Leave workspace",
                                    on_act: move |_| {
                                        spawn(async move {
                                            let path = format!("/api/workspaces/{workspace}/leave");
                                            match api::post::<_, serde_json::Value>(&path, &serde_json::json!({})).await {
                                                Ok(_) => route::go("/"),
                                                Err(failure) => error.set(Some(failure.message())),
                                            }
                                        });
                                    },
                                    keep: "Stay",
                                    on_keep: move |_| leaving.set(false),
                                }
                            } else {
                                button { class: "danger", onclick: move |_| leaving.set(true), "Leave workspace" }
                            }
                        }
                    }
                    section { aria_labelledby: "export-heading",
                        h3 { id: "export-heading", "Export" }
                        p { class: "hint", "Everything in this workspace (issues, labels, comments, history, names), from this device's copy." }
                        div { class: "actions",
                            button {
                                onclick: move |_| crate::download::request(state, &engine, ExportFormat::Json),
                                "Export JSON"
                            }
                            button {
                                onclick: move |_| crate::download::request(state, &export_engine, ExportFormat::Csv),
                                "Export CSV"
                            }
                        }
                    }
                    section { aria_labelledby: "tokens-heading",
                        h3 { id: "tokens-heading", "Your API tokens" }
                        p { class: "hint", "Scripts send one as `Authorization: Bearer <token>` and act as you, in this workspace." }
                        p { class: "hint",
                            "From a terminal: "
                            code { "tracker login {cli_address}" }
                            ", with a token made here."
                        }
                        div { class: "actions",
                            input {
                                aria_label: "Token name",
                                placeholder: "Token name",
                                value: "{token_name}",
                                maxlength: crate::max_input_length(Name::MAX_CHARS),
                                oninput: move |evt| token_name.set(evt.value()),
                            }
                            button {
                                onclick: move |_| {
                                    let typed = token_name.peek().clone();
                                    match Name::try_from(typed) {
                                        Ok(name) => {
                                            token_name.set(String::new());
                                            call("tokens", serde_json::json!(CreateToken { name }), |answer| {
                                                serde_json::from_value(answer).map_or(Shown::Nothing, Shown::Token)
                                            });
                                        }
                                        Err(problem) => error.set(Some(format!("Token name: {problem}"))),
                                    }
                                },
                                "Create token"
                            }
                        }
                        if let Shown::Token(token) = shown() {
                            SecretField {
                                label: "New API token (shown once: copy it now)",
                                value: token.token.clone(),
                                copy: "Copy token",
                            }
                        }
                        ul { class: "people",
                            for token in list.tokens.iter().cloned() {
                                li { key: "{token.id}",
                                    span { class: "name", "{token.name}" }
                                    button {
                                        class: "danger",
                                        aria_label: "Revoke {token.name}",
                                        onclick: move |_| call("tokens/revoke", serde_json::json!(ById { id: token.id }), |_| Shown::Nothing),
                                        "Revoke"
                                    }
                                }
                            }
                        }
                    }
                },
            }
            div { class: "actions",
                button {
                    onmounted: move |evt| async move {
                        let _ = evt.set_focus(true).await;
                    },
                    onclick: close,
                    "Close"
                }
            }
        }
    }
}

/// A secret shown once: a read-only field (its text selected on focus) and a button that copies it,
/// saying whether that worked.
#[component]
pub(super) fn SecretField(label: String, value: String, copy: String) -> Element {
    let mut copied = use_signal(|| None::<Result<(), String>>);
    let text = value.clone();
    rsx! {
        div { class: "secret",
            label {
                "{label}"
                input { readonly: true, value: "{value}", onfocus: move |evt| select_all(&evt) }
            }
            button {
                onclick: move |_| {
                    let text = text.clone();
                    spawn(async move { copied.set(Some(crate::clipboard::write(&text).await)) });
                },
                "{copy}"
            }
            match copied() {
                Some(Ok(())) => rsx! { p { class: "hint", role: "status", "Copied to the clipboard." } },
                Some(Err(reason)) => rsx! { p { class: "error", role: "alert", "Could not copy: {reason}" } },
                None => rsx! {},
            }
        }
    }
}

/// Selects a read-only field's text, ready to copy.
fn select_all(evt: &FocusEvent) {
    let _ = evt;
    if let Some(input) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(e).ok())
    {
        input.select();
    }
}

/// "Dec 4" from epoch milliseconds.
fn day(millis: u64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(millis as f64));
    format!(
        "{} {}",
        MONTHS[date.get_month() as usize % 12],
        date.get_date()
    )
}

/// The owner's field for the workspace's name; every open tracker shows the new one at once.
#[component]
fn WorkspaceNameField() -> Element {
    let state = use_context::<AppState>();
    let workspace = state.workspace;
    let current = state
        .session
        .read()
        .as_ref()
        .and_then(|info| info.workspaces.iter().find(|w| w.id == workspace))
        .map(|w| w.name.clone())
        .unwrap_or_default();
    rsx! {
        NameSetting {
            heading: "Workspace",
            id: "workspace-heading",
            label: "Workspace name",
            submit: "Rename workspace",
            saved: "Renamed for everyone.",
            current,
            path: format!("/api/workspaces/{workspace}/name"),
            on_saved: move |_| {
                spawn(crate::access::refresh_session(state));
            },
        }
    }
}

/// The owner's field for the workspace's issue key (`TRK` in TRK-42).
#[component]
fn IssueKeyField() -> Element {
    let mut state = use_context::<AppState>();
    let current = state.issue_key();
    let mut typed = use_signal(|| current.as_str().to_owned());
    let mut said = use_signal(|| None::<Result<String, String>>);
    let workspace = state.workspace;
    let save = move |evt: FormEvent| {
        evt.prevent_default();
        let key = match shared::numbers::IssueKey::try_from(typed.peek().clone()) {
            Ok(key) => key,
            Err(problem) => {
                said.set(Some(Err(problem)));
                return;
            }
        };
        spawn(async move {
            let path = format!("/api/workspaces/{workspace}/issue-key");
            let body = shared::api::SetIssueKey {
                issue_key: key.clone(),
            };
            match api::post::<_, serde_json::Value>(&path, &body).await {
                Ok(_) => {
                    let mut session = state.session.write();
                    if let Some(info) = session.as_mut() {
                        for w in info.workspaces.iter_mut().filter(|w| w.id == workspace) {
                            w.issue_key = Some(key.clone());
                        }
                        crate::session::remember(info);
                    }
                    said.set(Some(Ok(format!("Issues now read {}.", key.issue(42)))));
                }
                Err(failure) => said.set(Some(Err(failure.message()))),
            }
        });
    };
    rsx! {
        section { aria_labelledby: "key-heading",
            h3 { id: "key-heading", "Issue numbers" }
            form { class: "actions", onsubmit: save,
                label { class: "field",
                    "Issue key"
                    input {
                        value: "{typed}",
                        maxlength: 5,
                        autocapitalize: "characters",
                        oninput: move |evt| typed.set(evt.value().to_ascii_uppercase()),
                    }
                }
                button { r#type: "submit", "Save key" }
            }
            match said() {
                Some(Ok(text)) => rsx! { p { class: "hint", role: "status", "{text}" } },
                Some(Err(problem)) => rsx! { p { class: "error", role: "alert", "{problem}" } },
                None => rsx! { p { class: "hint", "Numbers stay as they are; links with the old key still open their issue." } },
            }
        }
    }
}
