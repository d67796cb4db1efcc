//! Tells the JS entry (`worker/entry.mjs`) that a panic has begun, before the Wasm instance traps. The
//! entry then answers every request in flight with a JSON 500: once the instance traps, their futures
//! would never resume, and the runtime would cancel them as hung.

use std::sync::Once;

use wasm_bindgen::{JsCast, JsValue};

/// The function `worker/entry.mjs` puts on `globalThis`.
const NOTIFY: &str = "__trackerPanicked";

/// Chains our hook after the one workers-rs installs at start-up. Runs once per Wasm instance (a
/// reset instance starts with fresh statics, so it installs again).
pub fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            previous(info);
            notify(&info.to_string());
        }));
    });
}

fn notify(message: &str) {
    let Ok(function) = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str(NOTIFY)) else {
        return;
    };
    if let Some(function) = function.dyn_ref::<js_sys::Function>() {
        // Nothing useful can be done if it throws: we are already panicking.
        let _ = function.call1(&JsValue::NULL, &JsValue::from_str(message));
    }
}
