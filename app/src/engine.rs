//! The UI's side of the engine: starts its Web Worker, sends it messages, and applies what it says to
//! the UI's signals. The worker is also exposed as `window.trackerEngine`, for tests and debugging.

use dioxus::prelude::*;
use engine::messages::{FromEngine, StorageKind, ToEngine};
use futures_channel::mpsc::unbounded;
use futures_util::StreamExt;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

use crate::state::AppState;

/// How many issues the list shows at most; the count says how many match in all.
pub const LIST_LIMIT: usize = 500;

#[derive(Clone)]
pub struct Engine {
    worker: Option<Worker>,
}

impl Engine {
    /// Starts the worker and a task that applies its messages to `state`.
    pub fn start(state: AppState) -> Engine {
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let worker = match Worker::new_with_options("/engine-worker.js", &options) {
            Ok(worker) => worker,
            Err(err) => {
                state.notify(format!("The sync engine could not start: {err:?}"));
                return Engine { worker: None };
            }
        };
        let (sender, mut receiver) = unbounded::<FromEngine>();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let text = event.data().as_string().unwrap_or_default();
            if let Ok(message) = serde_json::from_str(&text) {
                let _ = sender.unbounded_send(message);
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        if let Some(window) = web_sys::window() {
            let _ = js_sys::Reflect::set(&window, &"trackerEngine".into(), &worker);
            sync_now_on(&window, &worker, "online");
            sync_now_on(&window, &worker, "focus");
        }
        let engine = Engine {
            worker: Some(worker),
        };
        let subscriber = engine.clone();
        spawn(async move {
            while let Some(message) = receiver.next().await {
                if matches!(message, FromEngine::Ready { .. }) {
                    // Whatever was sent before the engine listened is lost: say it again.
                    subscriber.subscribe(&state);
                }
                apply(state, message);
            }
        });
        engine
    }

    pub fn send(&self, message: &ToEngine) {
        let Some(worker) = &self.worker else { return };
        if let Ok(json) = serde_json::to_string(message) {
            let _ = worker.post_message(&json.into());
        }
    }

    /// Asks for the list that matches the current filter, now and after every change.
    pub fn subscribe(&self, state: &AppState) {
        self.send(&ToEngine::Subscribe {
            filter: state.filter.peek().clone(),
            limit: LIST_LIMIT,
        });
    }

    /// A local mutation, by its protocol name.
    pub fn mutate(&self, name: &str, args: serde_json::Value) {
        self.send(&ToEngine::Mutate {
            name: name.to_owned(),
            args,
        });
    }
}

/// Back online or back in view: sync at once rather than after the backoff's delay.
fn sync_now_on(window: &web_sys::Window, worker: &Worker, event: &str) {
    let worker = worker.clone();
    let on_event = Closure::<dyn FnMut()>::new(move || {
        if let Ok(json) = serde_json::to_string(&ToEngine::SyncNow) {
            let _ = worker.post_message(&json.into());
        }
    });
    let _ = window.add_event_listener_with_callback(event, on_event.as_ref().unchecked_ref());
    on_event.forget();
}

fn apply(mut state: AppState, message: FromEngine) {
    match message {
        FromEngine::Ready { storage, .. } => {
            if let StorageKind::Memory { reason } = &storage {
                web_sys::console::warn_1(&format!("tracker: in memory only: {reason}").into());
            }
            state.storage.set(Some(storage));
        }
        FromEngine::View(view) => {
            state.view.set(view);
            state.loaded.set(true);
        }
        FromEngine::Sync(status) => state.sync.set(status),
        FromEngine::Rejected { mutations } => {
            for rejected in mutations {
                state.notify(format!(
                    "The server rejected a change: {}",
                    rejected.message
                ));
            }
        }
        FromEngine::Refused { message, .. } => state.notify(format!("Not saved: {message}")),
        FromEngine::Failed { message } => {
            state.notify(format!("The sync engine stopped: {message}"))
        }
    }
}

/// Sends the list's filter to the engine whenever it changes, and mirrors it in the URL.
pub fn use_subscription(state: AppState) {
    let engine = use_context::<Engine>();
    use_effect(move || {
        let filter = state.filter.read().clone();
        crate::url::write_filter(&filter);
        engine.send(&ToEngine::Subscribe {
            filter,
            limit: LIST_LIMIT,
        });
    });
}
