//! The engine's Web Worker: storage, transport and the sync loop.

mod engine;
mod export;
mod journal;
mod recover;
mod slot;
mod socket;
mod transport;

use wasm_bindgen::JsCast;
use web_sys::DedicatedWorkerGlobalScope;

use crate::messages::FromEngine;

pub fn start() {
    // Listen before anything async, so no message the UI sends while storage opens is lost.
    let (events, incoming) = futures_channel::mpsc::unbounded();
    // What arrived before this (`engine-worker.js` kept it) is taken first, in order.
    engine::listen_to_ui(events.clone());
    wasm_bindgen_futures::spawn_local(engine::run(events, incoming));
}

/// Posts a message to the UI.
pub fn post(message: &FromEngine) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    match serde_json::to_string(message) {
        Ok(json) => {
            if let Err(err) = scope.post_message(&json.into()) {
                web_sys::console::error_2(&"could not post to the UI".into(), &err);
            }
        }
        Err(err) => web_sys::console::error_1(&format!("could not encode a message: {err}").into()),
    }
}

/// Milliseconds since the epoch, from the browser's clock.
pub fn now() -> u64 {
    js_sys::Date::now() as u64
}

/// A monotonic clock in milliseconds with sub-millisecond precision, for durations.
pub fn clock_ms() -> f64 {
    let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    scope
        .performance()
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// A named moment on the worker's clock (`performance.mark`), for the first render's breakdown
/// (app/bench/browser.mjs reads them).
pub fn mark(name: &str) {
    let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    if let Some(performance) = scope.performance() {
        let _ = performance.mark(name);
    }
}

/// A random number in `0.0..1.0` that spreads retries out.
pub fn jitter() -> f64 {
    js_sys::Math::random()
}

pub fn log(what: &str, message: &str) {
    web_sys::console::warn_1(&format!("tracker engine: {what}: {message}").into());
}
