//! The workspace API (`shared::api`) from the page: JSON over `fetch`, the session cookie going along
//! (same origin). The engine has its own transport for push and pull.

use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::ErrorCode;
use shared::protocol::ErrorBody;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestInit, Response};

/// Why a call got no usable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No answer: offline, or the server is unreachable.
    Network,
    /// The server answered with an error.
    Server {
        status: u16,
        error: Option<ErrorBody>,
    },
}

impl Failure {
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Failure::Server {
                error: Some(body), ..
            } => Some(body.error),
            _ => None,
        }
    }

    /// In words, for the person.
    pub fn message(&self) -> String {
        match self {
            Failure::Network => "the tracker cannot be reached; check the connection".to_owned(),
            Failure::Server {
                error: Some(body), ..
            } => body.message.clone(),
            Failure::Server { status, .. } => format!("the server answered {status}"),
        }
    }
}

pub async fn get<A: DeserializeOwned>(path: &str) -> Result<A, Failure> {
    send("GET", path, None).await
}

pub async fn post<Q: Serialize, A: DeserializeOwned>(path: &str, body: &Q) -> Result<A, Failure> {
    let body = serde_json::to_string(body).map_err(|_| Failure::Network)?;
    send("POST", path, Some(body)).await
}

async fn send<A: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<String>,
) -> Result<A, Failure> {
    let network = |_: JsValue| Failure::Network;
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(body) = &body {
        init.set_body(&JsValue::from_str(body));
    }
    let request = web_sys::Request::new_with_str_and_init(path, &init).map_err(network)?;
    if body.is_some() {
        request
            .headers()
            .set("Content-Type", "application/json")
            .map_err(network)?;
    }
    let window = web_sys::window().ok_or(Failure::Network)?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(network)?
        .unchecked_into();
    let text = JsFuture::from(response.text().map_err(network)?)
        .await
        .map_err(network)?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        serde_json::from_str(&text).map_err(|_| Failure::Server {
            status: response.status(),
            error: None,
        })
    } else {
        Err(Failure::Server {
            status: response.status(),
            error: serde_json::from_str(&text).ok(),
        })
    }
}
