//! The account dialog (the name in the header): the member's name; a sign-in link and its QR code for
//! another device; their passkeys; the devices signed in, each revocable; signing out here or
//! everywhere. None of it is in the replica: every change goes to the server and the lists are read
//! again.

use dioxus::prelude::*;
use shared::account::{
    AccountInfo, CreatedDeviceLink, PasskeyChallenge, PasskeyId, PasskeyRegistration, SignOut,
};
use shared::api::{ById, Name, SessionInfo};

use super::dialog::Modal;
use super::members::SecretField;
use super::name_setting::NameSetting;
use super::qr::QrCode;
use super::question::Question;
use crate::state::{AppState, DialogState};
use crate::{api, passkey, route, session};

#[component]
pub fn AccountDialog() -> Element {
    let mut state = use_context::<AppState>();
    let mut account = use_signal(|| None::<AccountInfo>);
    let mut error = use_signal(|| None::<String>);
    let mut link = use_signal(|| None::<CreatedDeviceLink>);
    let mut asking_everywhere = use_signal(|| false);
    let reload = move || {
        spawn(async move {
            match api::get::<AccountInfo>("/api/account").await {
                Ok(info) => account.set(Some(info)),
                Err(failure) => error.set(Some(failure.message())),
            }
        });
    };
    use_hook(reload);
    let post = move |path: &'static str, body: serde_json::Value| {
        spawn(async move {
            match api::post::<_, serde_json::Value>(path, &body).await {
                Ok(_) => {
                    error.set(None);
                    reload();
                }
                Err(failure) => error.set(Some(failure.message())),
            }
        });
    };
    let sign_out = move |everywhere: bool| {
        spawn(async move {
            match api::post::<_, SignOut>("/api/session/sign-out", &SignOut { everywhere }).await {
                Ok(_) => signed_out(),
                Err(failure) => error.set(Some(failure.message())),
            }
        });
    };
    let make_link = move |_| {
        spawn(async move {
            match api::post::<_, CreatedDeviceLink>("/api/devices/link", &serde_json::json!({}))
                .await
            {
                Ok(made) => {
                    error.set(None);
                    link.set(Some(made));
                }
                Err(failure) => error.set(Some(failure.message())),
            }
        });
    };
    let close = move |_| state.dialog.set(DialogState::Closed);
    let listed = account.read().clone();

    rsx! {
        Modal { class: "members account", labelled_by: "account-heading",
            h2 { id: "account-heading", "Your account" }
            if let Some(problem) = error() {
                p { class: "error", role: "alert", "{problem}" }
            }
            NameForm {}
            section { aria_labelledby: "device-heading",
                h3 { id: "device-heading", "Add a device" }
                p { class: "hint", "A link that signs another device in as you, once, within 10 minutes. Open it there, or scan the code with its camera." }
                button { onclick: make_link, "Create sign-in link" }
                if let Some(made) = link() {
                    DeviceLink { link: made }
                }
            }
            PasskeySection { passkeys: listed.as_ref().map(|a| a.passkeys.clone()).unwrap_or_default(), on_change: move |_| reload() }
            section { aria_labelledby: "sessions-heading",
                h3 { id: "sessions-heading", "Signed-in devices" }
                match &listed {
                    None => rsx! { p { class: "hint", "Reading your devices…" } },
                    Some(info) => rsx! {
                        ul { class: "people", aria_label: "Signed-in devices",
                            for device in info.sessions.iter().cloned() {
                                li { key: "{device.id}",
                                    span { class: "name",
                                        "{device.device}"
                                        span { class: "hint", " · {how(&device.method)} · seen {since(device.seen_at)}" }
                                    }
                                    if device.current {
                                        span { class: "role", "this device" }
                                    } else {
                                        button {
                                            class: "danger",
                                            aria_label: "Sign out {device.device}, seen {since(device.seen_at)}",
                                            onclick: move |_| post("/api/sessions/revoke", serde_json::json!(ById { id: device.id })),
                                            "Sign out"
                                        }
                                    }
                                }
                            }
                        }
                    },
                }
                div { class: "actions",
                    button { onclick: move |_| sign_out(false), "Sign out" }
                    if asking_everywhere() {
                        Question {
                            label: "Sign out everywhere?",
                            text: "Sign out on every device, this one too? Unused sign-in links stop working. Your API tokens stay (revoke them in Members).",
                            act: "Sign out everywhere",
                            on_act: move |_| sign_out(true),
                            keep: "Stay signed in",
                            on_keep: move |_| asking_everywhere.set(false),
                        }
                    } else {
                        button { class: "danger", onclick: move |_| asking_everywhere.set(true), "Sign out everywhere" }
                    }
                }
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

/// Signed out here: nothing of who it was stays on this browser; on to the sign-in page.
pub fn signed_out() {
    session::forget();
    route::go("/signin");
}

/// How a session signed in, in words.
fn how(method: &str) -> &'static str {
    match method {
        "setup" => "made the workspace",
        "invite" => "by invite",
        "device" => "by sign-in link",
        "passkey" => "by passkey",
        "upgraded" => "kept from an earlier version",
        _ => "signed in earlier",
    }
}

/// The member's name, everywhere they are.
#[component]
fn NameForm() -> Element {
    let mut state = use_context::<AppState>();
    let current = state
        .session
        .read()
        .as_ref()
        .map(|info| info.member.name.clone())
        .unwrap_or_default();
    rsx! {
        NameSetting {
            heading: "Your name",
            id: "name-heading",
            label: "Display name",
            submit: "Save name",
            saved: "Saved: everyone sees the new name.",
            current,
            path: "/api/profile",
            on_saved: move |name: Name| {
                if let Some(info) = state.session.write().as_mut() {
                    info.member.name = name.as_str().to_owned();
                    session::remember(info);
                }
                spawn(async move {
                    crate::access::refresh_members(state).await;
                });
            },
        }
    }
}

/// A new sign-in link: the address to copy, and its QR code.
#[component]
fn DeviceLink(link: CreatedDeviceLink) -> Element {
    let address = format!("{}/signin?device={}", route::origin(), link.token);
    rsx! {
        div { class: "device-link",
            QrCode { text: address.clone(), label: "QR code of the sign-in link" }
            SecretField {
                label: "Sign-in link (works once, for 10 minutes)",
                value: address,
                copy: "Copy sign-in link",
            }
        }
    }
}

/// The member's passkeys: listed, removed, and a new one registered on this device.
#[component]
fn PasskeySection(passkeys: Vec<shared::account::PasskeyInfo>, on_change: EventHandler) -> Element {
    let mut said = use_signal(|| None::<Result<String, String>>);
    let mut busy = use_signal(|| false);
    let add = move |_| {
        busy.set(true);
        spawn(async move {
            let outcome = register().await;
            busy.set(false);
            said.set(Some(outcome.map(|()| {
                "Passkey added: sign in with it on any device that has it.".to_owned()
            })));
            on_change.call(());
        });
    };
    rsx! {
        section { aria_labelledby: "passkeys-heading",
            h3 { id: "passkeys-heading", "Passkeys" }
            p { class: "hint", "Sign in with your fingerprint, face, screen lock or security key, from the sign-in page, on any device that has the passkey." }
            button { onclick: add, disabled: busy(), "Add a passkey" }
            match said() {
                Some(Ok(text)) => rsx! { p { class: "hint", role: "status", "{text}" } },
                Some(Err(problem)) => rsx! { p { class: "error", role: "alert", "Could not add the passkey: {problem}" } },
                None => rsx! {},
            }
            ul { class: "people", aria_label: "Passkeys",
                for key in passkeys {
                    li { key: "{key.id}",
                        span { class: "name",
                            "{key.name}"
                            span { class: "hint",
                                match key.used_at {
                                    Some(used) => rsx! { " · used {since(used)}" },
                                    None => rsx! { " · added {since(key.created_at)}" },
                                }
                            }
                        }
                        button {
                            class: "danger",
                            aria_label: "Remove passkey {key.name}",
                            onclick: move |_| {
                                let id = key.id.clone();
                                spawn(async move {
                                    match api::post::<_, PasskeyId>("/api/passkeys/remove", &PasskeyId { id }).await {
                                        Ok(_) => said.set(None),
                                        Err(failure) => said.set(Some(Err(failure.message()))),
                                    }
                                    on_change.call(());
                                });
                            },
                            "Remove"
                        }
                    }
                }
            }
        }
    }
}

/// Registers a passkey on this device: the server's challenge, the authenticator, the server's check.
async fn register() -> Result<(), String> {
    let challenge: PasskeyChallenge =
        api::post("/api/passkeys/register/begin", &serde_json::json!({}))
            .await
            .map_err(|failure| failure.message())?;
    let made = passkey::create(&challenge).await?;
    let name = Name::try_from(format!("Passkey on {}", this_device()))
        .map_err(|problem| problem.to_string())?;
    api::post::<_, serde_json::Value>(
        "/api/passkeys/register/finish",
        &PasskeyRegistration {
            challenge_id: challenge.challenge_id,
            name,
            client_data_json: made.client_data_json,
            attestation_object: made.attestation_object,
        },
    )
    .await
    .map_err(|failure| failure.message())?;
    Ok(())
}

/// This browser in words ("Chrome on Linux").
fn this_device() -> String {
    let agent = web_sys::window()
        .and_then(|w| w.navigator().user_agent().ok())
        .unwrap_or_default();
    shared::account::describe_device(&agent)
}

/// Signs in with a passkey: the server's challenge, the authenticator, the server's check. Who.
pub async fn passkey_sign_in() -> Result<SessionInfo, String> {
    let challenge: PasskeyChallenge =
        api::post("/api/passkeys/sign-in/begin", &serde_json::json!({}))
            .await
            .map_err(|failure| failure.message())?;
    let asserted = passkey::sign_in(&challenge).await?;
    api::post(
        "/api/passkeys/sign-in/finish",
        &shared::account::PasskeyAssertion {
            challenge_id: challenge.challenge_id,
            credential_id: asserted.credential_id,
            client_data_json: asserted.client_data_json,
            authenticator_data: asserted.authenticator_data,
            signature: asserted.signature,
            user_handle: asserted.user_handle,
        },
    )
    .await
    .map_err(|failure| failure.message())
}

/// "3 min", "2 d": how long ago, for the lists.
fn since(millis: u64) -> String {
    super::icons::ago(js_sys::Date::now() as u64, millis)
}
