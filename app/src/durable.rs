//! Asks the browser to keep this site's storage (`navigator.storage.persist()`): without it, a
//! browser short of space may clear OPFS, unsynced changes included. Whether it was granted lands in
//! `AppState::persisted`; the header warns when it was refused and changes are waiting.

use dioxus::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::state::AppState;

pub fn use_persistent_storage(mut state: AppState) {
    use_hook(move || {
        spawn(async move {
            let Some(storage) = web_sys::window().map(|w| w.navigator().storage()) else {
                return;
            };
            // Already granted: nothing to ask. Otherwise ask (a browser may grant it silently).
            let granted = match storage.persisted() {
                Ok(promise) => JsFuture::from(promise).await.ok().and_then(|v| v.as_bool()),
                Err(_) => None,
            };
            let granted = match granted {
                Some(true) => Some(true),
                _ => match storage.persist() {
                    Ok(promise) => JsFuture::from(promise).await.ok().and_then(|v| v.as_bool()),
                    Err(_) => None,
                },
            };
            state.persisted.set(granted);
        });
    });
}
