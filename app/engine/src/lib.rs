//! The sync engine in the browser. Built with the `web-worker` feature, this crate is the wasm module
//! of a dedicated Web Worker (`app/engine/js/engine-worker.js` loads it; all of its JS is in
//! `app/engine/js/`): it owns the replica on OPFS (the `sahpool` VFS works only in a dedicated
//! worker), the pending queue and the sync loop, and talks to the UI by messages. Without the feature it is only those messages, for the UI to use.

pub mod messages;

#[cfg(feature = "web-worker")]
mod web_worker;

#[cfg(feature = "bench")]
mod bench;

#[cfg(feature = "web-worker")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    web_worker::start();
}
