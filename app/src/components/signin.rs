//! `/signin`: the way back in without an invite. With a passkey this device (or a security key)
//! holds for the tracker; or, opened from a sign-in link made on another of the member's devices
//! (`?device=…`), that link. Either way the browser is then signed in as that member, in all their
//! workspaces, and goes on to the last one.

use dioxus::prelude::*;
use shared::account::DeviceToken;
use shared::api::SessionInfo;

use super::account::passkey_sign_in;
use super::page::Page;
use crate::{api, route, session};

#[component]
pub fn SignInPage(device: String) -> Element {
    let mut error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let signed_in = move |info: SessionInfo| {
        session::remember(&info);
        match info.workspaces.first() {
            Some(first) => route::go(&route::workspace_path(first.id)),
            None => route::go("/"),
        }
    };
    let with_passkey = move |_| {
        busy.set(true);
        spawn(async move {
            match passkey_sign_in().await {
                Ok(info) => signed_in(info),
                Err(problem) => {
                    error.set(Some(problem));
                    busy.set(false);
                }
            }
        });
    };
    let token = device.clone();
    let with_link = move |_| {
        busy.set(true);
        let request = DeviceToken {
            token: token.clone(),
        };
        spawn(async move {
            match api::post::<_, SessionInfo>("/api/devices/accept", &request).await {
                Ok(info) => signed_in(info),
                Err(failure) => {
                    error.set(Some(failure.message()));
                    busy.set(false);
                }
            }
        });
    };
    rsx! {
        Page { title: "Sign in",
            div { class: "form",
                if !device.is_empty() {
                    p { "This link was made on another of your devices. It signs this browser in as you, once." }
                    button { class: "primary", disabled: busy(), onclick: with_link, "Sign in on this device" }
                } else {
                    p { "Sign in with a passkey you added on this device, or on a phone or security key that has it." }
                    button { class: "primary", disabled: busy(), onclick: with_passkey, "Sign in with a passkey" }
                    p { class: "hint", "No passkey here? On a device where you are signed in, open your account (your name at the top) and choose Create sign-in link. New to this tracker? Open the invite link you were sent." }
                }
                if let Some(problem) = error() {
                    p { class: "error", role: "alert", "{problem}" }
                }
            }
        }
    }
}
