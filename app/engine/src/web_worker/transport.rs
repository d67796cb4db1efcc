//! Push and pull over `fetch`, to the workspace's API on the page's own origin. The session cookie
//! goes with every request (same origin), so the server knows who is asking.

use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::replica::{Answer, Request, SyncFailure};
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestInit, Response, WorkerGlobalScope};

/// What a request cost, for the sync inspector.
#[derive(Debug, Clone, Default)]
pub struct Traffic {
    pub sent_bytes: u64,
    pub received_bytes: u64,
    pub duration_ms: f64,
    /// Mutations sent (a push).
    pub items: usize,
}

/// Sends a request the replica's sync loop handed out, in `workspace`, and says what became of it.
pub async fn send(workspace: Uuid, request: Request) -> (Answer, Traffic) {
    let path = |action: &str| format!("/api/workspaces/{workspace}/{action}");
    let mut traffic = Traffic::default();
    let started = super::clock_ms();
    let answer = match request {
        Request::Push(ticket, push) => {
            traffic.items = push.mutations.len();
            Answer::Pushed(ticket, post(&path("push"), &push, &mut traffic).await)
        }
        Request::Pull(ticket, pull) => {
            Answer::Pulled(ticket, post(&path("pull"), &pull, &mut traffic).await)
        }
    };
    traffic.duration_ms = super::clock_ms() - started;
    (answer, traffic)
}

async fn post<Q: Serialize, A: DeserializeOwned>(
    path: &str,
    body: &Q,
    traffic: &mut Traffic,
) -> Result<A, SyncFailure> {
    let network = |err: JsValue| SyncFailure::Network(format!("{err:?}"));
    let body = serde_json::to_string(body).map_err(|err| SyncFailure::Network(err.to_string()))?;
    traffic.sent_bytes = body.len() as u64;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(&body));
    let request = web_sys::Request::new_with_str_and_init(path, &init).map_err(network)?;
    request
        .headers()
        .set("Content-Type", "application/json")
        .map_err(network)?;
    let scope: WorkerGlobalScope = js_sys::global().unchecked_into();
    let response: Response = JsFuture::from(scope.fetch_with_request(&request))
        .await
        .map_err(network)?
        .unchecked_into();
    let text = JsFuture::from(response.text().map_err(network)?)
        .await
        .map_err(network)?
        .as_string()
        .unwrap_or_default();
    traffic.received_bytes = text.len() as u64;
    if response.ok() {
        serde_json::from_str(&text).map_err(|err| SyncFailure::Unreadable(err.to_string()))
    } else {
        // A 429 says how many seconds to wait; the sync loop waits at least that long.
        let retry_after_ms = response
            .headers()
            .get("Retry-After")
            .ok()
            .flatten()
            .and_then(|seconds| seconds.trim().parse::<u64>().ok())
            .map(|seconds| seconds.saturating_mul(1000));
        Err(SyncFailure::Server {
            status: response.status(),
            error: serde_json::from_str(&text).ok(),
            retry_after_ms,
        })
    }
}
